"""Schema migrations: every `mNNNN_*.py` module of this package, applied once each, in name order.

A migration module has a one-line docstring and `upgrade(conn, dialect)`; it writes DDL that SQLite and
PostgreSQL both accept (or branches on `dialect`). Applied names are kept in `schema_migrations`, so two
helpers can each add a module without renumbering the other's; an older database is upgraded in place
when the store opens it. Never edit a migration that has landed: add a new one.
"""

from __future__ import annotations

import importlib
import pkgutil
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import Connection, text

if TYPE_CHECKING:
    from flowlang.host.store import Store


class Migration(Protocol):
    def upgrade(self, conn: Connection, dialect: str) -> None: ...


def available() -> list[str]:
    """Names of every migration module, in the order they apply."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("m"))


class NewerDatabase(Exception):
    """The database holds migrations this flowlang does not know: a newer flowlang made it."""


def migrate(store: Store, upto: str | None = None) -> list[str]:
    """Apply the migrations not yet applied (up to and including `upto`); returns all applied names.

    A database migrated by a newer flowlang (a migration name this one does not have) is refused before
    anything is written: its tables may not be what this code reads and writes.
    """
    with store.write() as conn:
        conn.execute(text(
            "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
        ))
        unknown = sorted({row[0] for row in conn.execute(text("SELECT name FROM schema_migrations"))}
                         - set(available()))
    if unknown:
        raise NewerDatabase(f"a newer flowlang migrated it ({', '.join(unknown)} unknown to this one): "
                            "upgrade flowlang (pip install -U 'flowlang[serve]'), or use another --db")
    for name in available():
        with store.write() as conn:
            if store.dialect == "postgresql":  # two servers starting at once: one migrates, one waits
                conn.execute(text("SELECT pg_advisory_xact_lock(7436457)"))
            done = {row[0] for row in conn.execute(text("SELECT name FROM schema_migrations"))}
            if name not in done:
                module: Migration = importlib.import_module(f"{__name__}.{name}")
                module.upgrade(conn, store.dialect)
                conn.execute(text("INSERT INTO schema_migrations (name, applied_at) VALUES (:n, :t)"),
                             {"n": name, "t": datetime.now(UTC).isoformat()})
        if name == upto:
            break
    with store.read() as conn:
        return [row[0] for row in conn.execute(text("SELECT name FROM schema_migrations ORDER BY name"))]
