"""Published flow versions, the project's shared files (imports, OpenAPI documents) and credentials."""

from __future__ import annotations

from sqlalchemy import Connection, text

STATEMENTS = [
    """CREATE TABLE flow_versions (
        flow_id TEXT NOT NULL REFERENCES flows(id) ON DELETE CASCADE,
        number INTEGER NOT NULL,
        source TEXT NOT NULL,
        files TEXT NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        note TEXT,
        PRIMARY KEY (flow_id, number)
    )""",
    """CREATE TABLE project_files (
        project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        content TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (project_id, path)
    )""",
    """CREATE TABLE credentials (
        project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        ciphertext TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (project_id, name)
    )""",
]


def upgrade(conn: Connection, dialect: str) -> None:
    for statement in STATEMENTS:
        conn.execute(text(statement))
