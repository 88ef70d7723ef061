"""Pipes (schedule and webhook triggers), their runs with logs, per-flow state, webhook idempotency keys."""

from __future__ import annotations

from sqlalchemy import Connection, text

STATEMENTS = [
    """CREATE TABLE pipes (
        id TEXT PRIMARY KEY,
        project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        flow_id TEXT NOT NULL REFERENCES flows(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        trigger TEXT NOT NULL,
        enabled BOOLEAN NOT NULL,
        schedules TEXT NOT NULL,
        timezone TEXT NOT NULL,
        overlap TEXT NOT NULL,
        missed TEXT NOT NULL,
        token_ciphertext TEXT,
        next_run_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX pipes_by_project ON pipes (project_id, created_at)",
    """CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        pipe_id TEXT,
        flow_id TEXT NOT NULL,
        trigger TEXT NOT NULL,
        status TEXT NOT NULL,
        version INTEGER,
        input TEXT,
        result TEXT,
        error TEXT,
        succeeded INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        requests INTEGER NOT NULL DEFAULT 0,
        scheduled_for TEXT,
        reprocess_of TEXT,
        owner TEXT,
        heartbeat_at TEXT,
        created_at TEXT NOT NULL,
        started_at TEXT,
        ended_at TEXT
    )""",
    "CREATE INDEX runs_by_project ON runs (project_id, created_at)",
    "CREATE INDEX runs_by_status ON runs (status, created_at)",
    "CREATE UNIQUE INDEX runs_once_per_due_time ON runs (pipe_id, scheduled_for)",
    """CREATE TABLE run_logs (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        line TEXT NOT NULL,
        PRIMARY KEY (run_id, seq)
    )""",
    """CREATE TABLE flow_state (
        project_id TEXT NOT NULL,
        flow_id TEXT NOT NULL,
        state TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (project_id, flow_id)
    )""",
    """CREATE TABLE idempotency_keys (
        pipe_id TEXT NOT NULL REFERENCES pipes(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        run_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (pipe_id, key)
    )""",
]


def upgrade(conn: Connection, dialect: str) -> None:
    for statement in STATEMENTS:
        conn.execute(text(statement))
