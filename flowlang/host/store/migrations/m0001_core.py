"""Projects, their API tokens, and flows (metadata, draft source and sample)."""

from __future__ import annotations

from sqlalchemy import Connection, text

STATEMENTS = [
    """CREATE TABLE projects (
        id TEXT PRIMARY KEY,
        slug TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        prefix TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_used_at TEXT,
        revoked_at TEXT
    )""",
    "CREATE INDEX api_tokens_project ON api_tokens (project_id)",
    """CREATE TABLE flows (
        id TEXT PRIMARY KEY,
        project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        slug TEXT NOT NULL,
        description TEXT NOT NULL,
        enabled BOOLEAN NOT NULL,
        source TEXT,
        sample TEXT,
        revision INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (project_id, slug)
    )""",
    "CREATE INDEX flows_project_created ON flows (project_id, created_at)",
]


def upgrade(conn: Connection, dialect: str) -> None:
    for statement in STATEMENTS:
        conn.execute(text(statement))
