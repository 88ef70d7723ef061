"""The host's database: one `Store` over SQLite (WAL, busy timeout) or PostgreSQL, migrated on open.

Repositories (`projects`, `flows`, …) are modules of plain functions over a SQLAlchemy Core connection;
`Store.read()` and `Store.write()` hand one out inside a transaction. New resources add a table in
`schema.py`, a migration module in `migrations/` and a repository module here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.pool import NullPool

from flowlang.host.store.migrations import migrate

SQLITE_BUSY_TIMEOUT_MS = 10_000


class StoreError(Exception):
    """The database cannot be opened or migrated (the message says why, without a traceback)."""


def now_iso() -> str:
    """The current UTC time as the API shows it: 2026-01-31T12:00:00.123Z."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_conn: Any, record: Any) -> None:
        dbapi_conn.isolation_level = None  # we say BEGIN ourselves (below), so writes can be IMMEDIATE
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn: Connection) -> None:
        # A write transaction takes the write lock at BEGIN: two writers then wait (busy timeout)
        # instead of failing when a reader tries to upgrade its lock.
        write = conn.get_execution_options().get("flowlang_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class Store:
    """An open, migrated database. Thread-safe: each `read()`/`write()` uses its own pooled connection."""

    def __init__(self, url: str, *, migrate_to: str | None = None, shown: str | None = None) -> None:
        """`shown`: the URL as the user gave it (before the driver was added), for error messages."""
        self.url = url
        self.dialect = "postgresql" if url.startswith("postgresql") else "sqlite"
        try:
            if self.dialect == "sqlite":
                self.engine = create_engine(url, poolclass=NullPool if ":memory:" in url else None,
                                            connect_args={"check_same_thread": False})
                _sqlite_setup(self.engine)
            else:
                self.engine = create_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)
            self.applied = migrate(self, upto=migrate_to)
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(f"cannot open the database {_safe_url(shown or url)}: "
                             f"{_masked(_reason(exc), shown or url)}") from None

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection in a transaction that only reads (committed at the end, rolled back on error)."""
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A connection in a write transaction (BEGIN IMMEDIATE on SQLite); commits when the block ends."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(flowlang_write=True)
            with conn.begin():
                yield conn

    def close(self) -> None:
        self.engine.dispose()


# `scheme://user:password@host`: the password runs to the last `@` before any `?` (so that one written without
# %40 is masked whole)
_PASSWORD = re.compile(r"^(?P<head>[^:/]+://[^:/@?]*):(?P<password>[^?]+)@")
_QUERY_PASSWORD = re.compile(r"(?P<head>[?&]password=)[^&]+", re.IGNORECASE)


def _safe_url(url: str) -> str:
    """The URL as it was given, but for its password (in the user part or a `password=` parameter): `***`."""
    if "://" not in url or url.startswith("sqlite:///"):
        return url.replace("sqlite:///", "")
    url = _PASSWORD.sub(lambda m: f"{m['head']}:***@", url)
    return _QUERY_PASSWORD.sub(lambda m: f"{m['head']}***", url)


def _masked(reason: str, url: str) -> str:
    """`reason` without the URL's password or any piece of it: a password holding an unencoded '@' or ':'
    is split by the URL parser, which then quotes a piece of it in its error ("invalid literal for int()
    … 'w0rd@db'")."""
    found = _PASSWORD.match(url)
    secrets = [found["password"]] if found else []
    secrets += [m[0][len(m["head"]):] for m in _QUERY_PASSWORD.finditer(url)]
    pieces = {piece for secret in secrets for piece in (secret, *re.split(r"[@:/]", secret))}
    for piece in sorted(pieces, key=len, reverse=True):
        if len(piece) >= 3:  # shorter pieces tell little and would mask common words
            reason = reason.replace(piece, "***")
    return reason


def _reason(exc: Exception) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def open_store(db_url: str) -> Store:
    """Open (creating and migrating when needed) the store at a SQLAlchemy URL."""
    return Store(db_url)
