"""The state store (SQLite): each flow's persisted state, committed atomically, and the history of runs.

Layout (shared by `flowlang run` and compiled modules):
  state(flow, key, value JSON)   the flow's state, replaced whole by `save()`
  runs(id, flow, started, ended, status, succeeded, failed, requests, error)

A run's status is `running` until it ends as `ok`, `failed` or `interrupted` (Ctrl-C or SIGTERM). A run that
was killed outright (SIGKILL, power loss) stays `running` in the history: another process may still be
running it, so the store never guesses. Flows are identified by their slug.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
import unicodedata
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from flowlang.runtime.errors import FlowError
from flowlang.runtime.values import to_json

DEFAULT_STATE_PATH = os.path.join(".flowlang", "state.db")
RUN_STATUSES = ("running", "ok", "failed", "interrupted")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS state (
  flow TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (flow, key)
);
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  flow TEXT NOT NULL,
  started TEXT NOT NULL,
  ended TEXT,
  status TEXT NOT NULL,
  succeeded INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  requests INTEGER NOT NULL DEFAULT 0,
  error TEXT
);
"""
_INDEX = "CREATE INDEX IF NOT EXISTS runs_by_flow ON runs (flow, started)"
_RUN_COLUMNS = ("id", "flow", "started", "ended", "status", "succeeded", "failed", "requests", "error")
_BUSY_TIMEOUT = 10.0  # seconds to wait for another process's write transaction


def _slug_of(name: str) -> str:
    """What a flow name slugifies to by default (ASCII words joined by "-")."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


def _utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One row of the run history."""

    id: str
    flow: str
    started: str
    ended: str | None
    status: str
    succeeded: int
    failed: int
    requests: int
    error: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def seconds(self) -> float | None:
        """How long the run took; None while it is still running."""
        if not self.ended:
            return None
        start = datetime.fromisoformat(self.started.replace("Z", "+00:00"))
        end = datetime.fromisoformat(self.ended.replace("Z", "+00:00"))
        return (end - start).total_seconds()


class StateStore:
    """One SQLite database (WAL mode), one connection shared by the run's threads under a lock."""

    def __init__(self, path: str | os.PathLike[str] = DEFAULT_STATE_PATH) -> None:
        self.path = os.fspath(path)
        self._lock = threading.Lock()
        try:
            folder = os.path.dirname(self.path)
            if folder and self.path != ":memory:":
                os.makedirs(folder, exist_ok=True)
            self._db = sqlite3.connect(
                self.path, timeout=_BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
            )
        except (OSError, sqlite3.Error) as exc:
            raise self._unusable(exc) from None
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(runs)")}
            if set(_RUN_COLUMNS) <= columns:
                self._db.execute(_INDEX)
        except sqlite3.Error as exc:
            self._db.close()
            raise self._unusable(exc) from None
        if not set(_RUN_COLUMNS) <= columns:
            self._db.close()
            raise self._unusable("its 'runs' table is not the one flowlang writes")

    def _unusable(self, reason: object) -> FlowError:
        return FlowError(
            "input",
            f"cannot use the state database '{self.path}': {reason}",
            hint="choose another file with --state, or move this one away",
        )

    @contextmanager
    def _transaction(self, action: str) -> Iterator[sqlite3.Connection]:
        """A write transaction under the lock; any SQLite error becomes a FlowError naming the path."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                busy = isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)
                hint = f"another process held it for more than {_BUSY_TIMEOUT:g}s; is a run still going?" if busy else None
                raise FlowError("input", f"cannot {action} in '{self.path}': {exc}", hint=hint) from None

    # ------------------------------------------------------------------ state

    def load(self, flow: str) -> dict[str, Any]:
        """The last committed state of `flow` ({} when it has none)."""
        with self._lock:
            try:
                rows = self._db.execute(
                    "SELECT key, value FROM state WHERE flow = ? ORDER BY rowid", (flow,)
                ).fetchall()
            except sqlite3.Error as exc:
                raise self._unusable(exc) from None
        state: dict[str, Any] = {}
        for key, text in rows:
            try:
                state[key] = json.loads(text)
            except (TypeError, ValueError):
                raise self._unusable(f"the saved value of state.{key} of flow '{flow}' is not JSON") from None
        return state

    def save(self, flow: str, state: dict[str, Any]) -> None:
        """Replace the whole state of `flow` in one transaction (all keys or none)."""
        rows = []
        for key, value in dict(state).items():  # a copy: parallel iterations may still be writing
            try:
                rows.append((flow, str(key), to_json(value)))
            except (TypeError, ValueError) as exc:
                raise FlowError("data", f"state.{key} cannot be saved: {exc}") from None
        with self._transaction("save the state") as db:
            db.execute("DELETE FROM state WHERE flow = ?", (flow,))
            db.executemany("INSERT INTO state (flow, key, value) VALUES (?, ?, ?)", rows)

    # ------------------------------------------------------------ run history

    def start_run(self, flow: str) -> str:
        """Record a new run of `flow` as `running`; returns its id (time-ordered, unique)."""
        started = _utc_now()
        run_id = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
        with self._transaction("record the run") as db:
            db.execute(
                "INSERT INTO runs (id, flow, started, status) VALUES (?, ?, ?, 'running')",
                (run_id, flow, started),
            )
        return run_id

    def finish_run(
        self,
        run_id: str,
        status: str,
        succeeded: int = 0,
        failed: int = 0,
        requests: int = 0,
        error: str | None = None,
    ) -> None:
        """Record how a run ended: status `ok`, `failed` or `interrupted`, its counts and error."""
        if status not in RUN_STATUSES:
            raise ValueError(f"unknown run status {status!r}")
        with self._transaction("record the end of the run") as db:
            db.execute(
                "UPDATE runs SET ended = ?, status = ?, succeeded = ?, failed = ?, requests = ?, error = ?"
                " WHERE id = ?",
                (_utc_now(), status, succeeded, failed, requests, error, run_id),
            )

    def list_runs(self, flow: str | None = None, limit: int = 20) -> list[RunRecord]:
        """The latest runs, newest first, of one flow or of all.

        `flow` is the slug the runs were recorded under, or a name that slugifies to it (`sync_orders`,
        `Sync Orders`).
        """
        query = f"SELECT {', '.join(_RUN_COLUMNS)} FROM runs"
        params: tuple[Any, ...] = ()
        if flow is not None:
            query += " WHERE flow IN (?, ?)"
            params = (flow, _slug_of(flow))
        query += " ORDER BY started DESC, rowid DESC LIMIT ?"
        with self._lock:
            try:
                rows = self._db.execute(query, (*params, limit)).fetchall()
            except sqlite3.Error as exc:
                raise self._unusable(exc) from None
        return [RunRecord(*row) for row in rows]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ----------------------------------------------------------------- `flowlang runs`


def _duration(record: RunRecord) -> str:
    seconds = record.seconds
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.2f}s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}m{rest:02d}s" if minutes < 60 else f"{minutes // 60}h{minutes % 60:02d}m"


def format_runs(records: list[RunRecord]) -> str:
    """The run history as a plain text table (what `flowlang runs` prints)."""
    if not records:
        return "no runs recorded"
    header = ("RUN", "FLOW", "STARTED (UTC)", "DURATION", "STATUS", "OK", "FAILED", "REQUESTS", "ERROR")
    rows = [header]
    for r in records:
        error = (r.error or "").splitlines()[0] if r.error else ""
        if len(error) > 80:
            error = error[:77] + "..."
        started = r.started.replace("T", " ")[:19]
        rows.append(
            (r.id, r.flow, started, _duration(r), r.status, str(r.succeeded), str(r.failed),
             str(r.requests), error)
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    numeric = {5, 6, 7}
    lines = []
    for row in rows:
        cells = [
            cell.rjust(widths[i]) if i in numeric and row is not header else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
