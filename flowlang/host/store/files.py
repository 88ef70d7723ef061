"""Shared files of a project (imported .flow files, OpenAPI documents) by relative path."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, select, update

from flowlang.host.store import now_iso
from flowlang.host.store.schema import project_files


@dataclass(frozen=True)
class File:
    path: str
    content: str
    created_at: str
    updated_at: str


def _file(row: Any) -> File:
    return File(row.path, row.content, row.created_at, row.updated_at)


def all_files(conn: Connection, project_id: str) -> dict[str, str]:
    """Every shared file of the project: path -> text."""
    rows = conn.execute(select(project_files.c.path, project_files.c.content)
                        .where(project_files.c.project_id == project_id))
    return {path: content for path, content in rows}


def list_files(conn: Connection, project_id: str, limit: int, offset: int) -> tuple[list[File], int]:
    where = project_files.c.project_id == project_id
    total = conn.execute(select(func.count()).select_from(project_files).where(where)).scalar_one()
    rows = conn.execute(select(project_files).where(where).order_by(project_files.c.path)
                        .limit(limit).offset(offset))
    return [_file(r) for r in rows], int(total)


def get_file(conn: Connection, project_id: str, path: str) -> File | None:
    row = conn.execute(select(project_files).where(
        project_files.c.project_id == project_id, project_files.c.path == path)).first()
    return _file(row) if row else None


def put_file(conn: Connection, project_id: str, path: str, content: str) -> tuple[File, bool]:
    """Create or replace a file; the flag says whether it was created."""
    found = get_file(conn, project_id, path)
    stamp = now_iso()
    if found is None:
        conn.execute(project_files.insert().values(project_id=project_id, path=path, content=content,
                                                   created_at=stamp, updated_at=stamp))
        return File(path, content, stamp, stamp), True
    conn.execute(update(project_files).where(project_files.c.project_id == project_id,
                                             project_files.c.path == path)
                 .values(content=content, updated_at=stamp))
    return File(path, content, found.created_at, stamp), False


def delete_file(conn: Connection, project_id: str, path: str) -> bool:
    result = conn.execute(delete(project_files).where(project_files.c.project_id == project_id,
                                                      project_files.c.path == path))
    return bool(result.rowcount)
