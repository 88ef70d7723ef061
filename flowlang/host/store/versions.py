"""Published versions of a flow: numbered from 1, immutable, newest first; the latest is the one that runs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from flowlang.host.store import now_iso
from flowlang.host.store.schema import flow_versions


@dataclass(frozen=True)
class Version:
    flow_id: str
    number: int
    source: str
    files: dict[str, str]  # the shared files the version uses, as they were when it was published
    created_at: str
    created_by: str
    note: str | None


def _version(row: Any) -> Version:
    values = dict(row._mapping)
    values["files"] = json.loads(values["files"])
    return Version(**values)


def latest_numbers(conn: Connection, flow_ids: list[str]) -> dict[str, int]:
    """The published version number of each flow that has one."""
    if not flow_ids:
        return {}
    rows = conn.execute(
        select(flow_versions.c.flow_id, func.max(flow_versions.c.number))
        .where(flow_versions.c.flow_id.in_(flow_ids)).group_by(flow_versions.c.flow_id)
    )
    return {flow_id: int(number) for flow_id, number in rows}


def latest(conn: Connection, flow_id: str) -> Version | None:
    row = conn.execute(select(flow_versions).where(flow_versions.c.flow_id == flow_id)
                       .order_by(flow_versions.c.number.desc()).limit(1)).first()
    return _version(row) if row else None


def get_version(conn: Connection, flow_id: str, number: int) -> Version | None:
    row = conn.execute(select(flow_versions).where(
        flow_versions.c.flow_id == flow_id, flow_versions.c.number == number)).first()
    return _version(row) if row else None


def list_versions(conn: Connection, flow_id: str, limit: int, offset: int) -> tuple[list[Version], int]:
    total = conn.execute(select(func.count()).select_from(flow_versions)
                         .where(flow_versions.c.flow_id == flow_id)).scalar_one()
    rows = conn.execute(select(flow_versions).where(flow_versions.c.flow_id == flow_id)
                        .order_by(flow_versions.c.number.desc()).limit(limit).offset(offset))
    return [_version(r) for r in rows], int(total)


def add_version(conn: Connection, flow_id: str, source: str, files: dict[str, str], created_by: str,
                note: str | None = None) -> Version:
    """Append the next version. Call with the flow's row locked (flows.get_flow(for_update=True))."""
    current = latest(conn, flow_id)
    version = Version(flow_id, (current.number if current else 0) + 1, source, dict(files), now_iso(),
                      created_by, note)
    conn.execute(flow_versions.insert().values(
        flow_id=flow_id, number=version.number, source=source, files=json.dumps(files, sort_keys=True),
        created_at=version.created_at, created_by=created_by, note=note,
    ))
    return version
