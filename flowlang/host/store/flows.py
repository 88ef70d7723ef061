"""Flows of a project: metadata, the draft source and sample; every change bumps `revision` (the ETag)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import Connection, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from flowlang.host.store import now_iso
from flowlang.host.store.schema import flows

EDITABLE = ("name", "slug", "description", "enabled", "source", "sample")


class DuplicateSlug(Exception):
    """Another flow of the project has this slug."""


@dataclass(frozen=True)
class Flow:
    id: str
    project_id: str
    name: str
    slug: str
    description: str
    enabled: bool
    source: str | None
    sample: str | None
    revision: int
    created_at: str
    updated_at: str


_COLUMNS = [f.name for f in fields(Flow)]


def _flow(row: Any) -> Flow:
    values = dict(row._mapping)
    values["enabled"] = bool(values["enabled"])
    return Flow(**{k: values[k] for k in _COLUMNS})


def list_flows(conn: Connection, project_id: str, limit: int, offset: int) -> tuple[list[Flow], int]:
    """One page of the project's flows (oldest first) and the total count."""
    total = conn.execute(select(func.count()).select_from(flows).where(flows.c.project_id == project_id))
    rows = conn.execute(
        select(flows).where(flows.c.project_id == project_id)
        .order_by(flows.c.created_at, flows.c.id).limit(limit).offset(offset)
    )
    return [_flow(r) for r in rows], int(total.scalar_one())


def get_flow(conn: Connection, project_id: str, flow_id: str, *, for_update: bool = False) -> Flow | None:
    query = select(flows).where(flows.c.project_id == project_id, flows.c.id == flow_id)
    if for_update:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return _flow(row) if row else None


def get_flow_by_slug(conn: Connection, project_id: str, slug: str) -> Flow | None:
    row = conn.execute(select(flows).where(flows.c.project_id == project_id, flows.c.slug == slug)).first()
    return _flow(row) if row else None


def _check_slug(conn: Connection, project_id: str, slug: str, own_id: str | None) -> None:
    other = get_flow_by_slug(conn, project_id, slug)
    if other is not None and other.id != own_id:
        raise DuplicateSlug(slug)


def _write(conn: Connection, statement: Any, slug: str) -> None:
    """Execute an insert or update of a flow; a concurrent writer that took the slug first (PostgreSQL
    checks the unique (project, slug) index only as the row is written) is a DuplicateSlug too."""
    try:
        conn.execute(statement)
    except IntegrityError as exc:
        if "slug" in str(exc.orig):
            raise DuplicateSlug(slug) from None
        raise


def create_flow(conn: Connection, project_id: str, values: dict[str, Any]) -> Flow:
    """Insert a flow; `values` holds name, slug, description and optionally enabled, source, sample."""
    _check_slug(conn, project_id, values["slug"], None)
    stamp = now_iso()
    flow = Flow(
        id=str(uuid.uuid4()), project_id=project_id, name=values["name"], slug=values["slug"],
        description=values.get("description", ""), enabled=bool(values.get("enabled", False)),
        source=values.get("source"), sample=values.get("sample"), revision=1,
        created_at=stamp, updated_at=stamp,
    )
    _write(conn, flows.insert().values(**flow.__dict__), flow.slug)
    return flow


def update_flow(conn: Connection, flow: Flow, changes: dict[str, Any]) -> Flow:
    """Apply the given fields (a partial update) to a flow read in this transaction; bumps the revision.

    Nothing to change leaves the flow (and its revision) as it was.
    """
    changes = {k: v for k, v in changes.items() if k in EDITABLE and getattr(flow, k) != v}
    if not changes:
        return flow
    if "slug" in changes:
        _check_slug(conn, flow.project_id, changes["slug"], flow.id)
    changes.update(revision=flow.revision + 1, updated_at=max(now_iso(), flow.updated_at))
    _write(conn, update(flows).where(flows.c.id == flow.id).values(**changes), changes.get("slug", flow.slug))
    return Flow(**{**flow.__dict__, **changes})


def delete_flow(conn: Connection, project_id: str, flow_id: str) -> bool:
    result = conn.execute(delete(flows).where(flows.c.project_id == project_id, flows.c.id == flow_id))
    return bool(result.rowcount)
