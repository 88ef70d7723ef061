"""A run's per-location counts (how often each place of the flow ran, where it failed) for its flowchart."""

from __future__ import annotations

from sqlalchemy import Connection, text


def upgrade(conn: Connection, dialect: str) -> None:
    conn.execute(text("ALTER TABLE runs ADD COLUMN counts TEXT"))
