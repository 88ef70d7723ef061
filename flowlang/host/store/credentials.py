"""Credentials of a project: names in clear, values only as Fernet ciphertext (see host/vault.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, select, update

from flowlang.host.store import now_iso
from flowlang.host.store.schema import credentials


@dataclass(frozen=True)
class Credential:
    """What the API may show of a credential: never its value."""

    name: str
    created_at: str
    updated_at: str


def _credential(row: Any) -> Credential:
    return Credential(row.name, row.created_at, row.updated_at)


def list_credentials(conn: Connection, project_id: str, limit: int, offset: int
                     ) -> tuple[list[Credential], int]:
    where = credentials.c.project_id == project_id
    total = conn.execute(select(func.count()).select_from(credentials).where(where)).scalar_one()
    rows = conn.execute(select(credentials).where(where).order_by(credentials.c.name)
                        .limit(limit).offset(offset))
    return [_credential(r) for r in rows], int(total)


def get_credential(conn: Connection, project_id: str, name: str) -> Credential | None:
    row = conn.execute(select(credentials).where(credentials.c.project_id == project_id,
                                                 credentials.c.name == name)).first()
    return _credential(row) if row else None


def put_credential(conn: Connection, project_id: str, name: str, ciphertext: str) -> tuple[Credential, bool]:
    """Store (or replace) the encrypted value; the flag says whether the credential is new."""
    found = get_credential(conn, project_id, name)
    stamp = now_iso()
    if found is None:
        conn.execute(credentials.insert().values(project_id=project_id, name=name, ciphertext=ciphertext,
                                                 created_at=stamp, updated_at=stamp))
        return Credential(name, stamp, stamp), True
    conn.execute(update(credentials).where(credentials.c.project_id == project_id,
                                           credentials.c.name == name)
                 .values(ciphertext=ciphertext, updated_at=stamp))
    return Credential(name, found.created_at, stamp), False


def delete_credential(conn: Connection, project_id: str, name: str) -> bool:
    result = conn.execute(delete(credentials).where(credentials.c.project_id == project_id,
                                                    credentials.c.name == name))
    return bool(result.rowcount)


def ciphertexts(conn: Connection, project_id: str) -> dict[str, str]:
    """name -> ciphertext of every credential of the project (for a run; decrypt with the vault)."""
    rows = conn.execute(select(credentials.c.name, credentials.c.ciphertext)
                        .where(credentials.c.project_id == project_id))
    return {name: text for name, text in rows}


def names(conn: Connection, project_id: str) -> set[str]:
    """The names of the project's credentials (what secret()/env() of its runs can read)."""
    rows = conn.execute(select(credentials.c.name).where(credentials.c.project_id == project_id))
    return {name for (name,) in rows}
