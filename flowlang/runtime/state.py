"""The state store (SQLite): each flow's persisted state, committed atomically, and the history of runs.

Layout (shared by `flowlang run` and compiled modules):
  state(flow, key, value JSON)   the flow's state; `save()` writes the keys a run changed, deletes the ones it
                                 deleted (set to null), and leaves every other key as it is in the database
  runs(id, flow, started, ended, status, succeeded, failed, requests, error, pid)
  run_logs(run, seq, time, level, location, message)   the (masked) log lines of each run

A run's status is `running` until it ends as `ok`, `failed` or `interrupted` (Ctrl-C or SIGTERM). A run that
was killed outright (SIGKILL, power loss) stays `running` until the next run of its flow takes the flow's lock
(runtime/locks.py) and so knows that no process is running it: that run marks it `interrupted`. Flows are
identified by their slug.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from flowlang.runtime.errors import FlowError
from flowlang.runtime.values import to_json

DEFAULT_STATE_PATH = os.path.join(".flowlang", "state.db")
RUN_STATUSES = ("running", "ok", "failed", "interrupted", "planned")  # planned: `--plan`, in memory only

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
CREATE TABLE IF NOT EXISTS run_logs (
  run TEXT NOT NULL,
  seq INTEGER NOT NULL,
  time TEXT NOT NULL,
  level TEXT NOT NULL,
  location TEXT,
  message TEXT NOT NULL,
  PRIMARY KEY (run, seq)
);
"""
_INDEX = "CREATE INDEX IF NOT EXISTS runs_by_flow ON runs (flow, started)"
_RUN_COLUMNS = ("id", "flow", "started", "ended", "status", "succeeded", "failed", "requests", "error")
_LOG_COLUMNS = ("time", "level", "location", "message")
KILLED = "the process ended without recording the end of the run (killed, or the machine stopped)"
_BUSY_TIMEOUT = 10.0  # seconds to wait for another process's write transaction


def slug_of(name: str) -> str:
    """What a flow name slugifies to by default (ASCII words joined by "-")."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


def new_run_id() -> str:
    """A run id: the UTC time of its start and 6 random hex digits (`20260101-120000-ab12cd`)."""
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + os.urandom(3).hex()


def utc_now() -> str:
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
    pid: int | None = None

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


class RunStore(Protocol):
    """What a run needs of where its state and history live (the launcher's `execute`, a `checkpoint`):
    StateStore below, or the host's recorder (flowlang/host/executors/flowrun.py). `path` ":memory:"
    means no file lock."""

    path: str

    def load(self, flow: str) -> dict[str, Any]: ...
    def save(self, flow: str, state: dict[str, Any]) -> None: ...
    def succeeded_runs(self, flow: str) -> int: ...
    def interrupt_orphans(self, flow: str) -> list[RunRecord]: ...
    def start_run(self, flow: str, run_id: str | None = None, started: str | None = None) -> str: ...
    def add_logs(self, run_id: str, lines: list[tuple[str, str, str | None, str]], first: int) -> None: ...
    def finish_run(self, run_id: str, status: str, succeeded: int = 0, failed: int = 0, requests: int = 0,
                   error: str | None = None) -> None: ...


class StateStore:
    """One SQLite database (WAL mode), one connection shared by the run's threads under a lock."""

    def __init__(self, path: str | os.PathLike[str] = DEFAULT_STATE_PATH) -> None:
        self.path = os.fspath(path)
        self._lock = threading.Lock()
        self._saved: dict[str, dict[str, str]] = {}  # flow -> key -> JSON text, as last loaded or saved
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
                if "pid" not in columns:  # a database written before runs recorded their process
                    self._db.execute("ALTER TABLE runs ADD COLUMN pid INTEGER")
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
        with self._lock:
            self._saved[flow] = dict(rows)
        return state

    def save(self, flow: str, state: dict[str, Any]) -> None:
        """Commit what changed in `state` since this store last loaded or saved `flow`, in one transaction.

        Keys whose value changed are written, keys that were there and are gone (or null) are deleted; keys
        this store did not see change (written meanwhile by `flowlang state set`, say) keep their value in the database.
        """
        rows: dict[str, str] = {}
        for key, value in dict(state).items():  # a copy: parallel iterations may still be writing
            if value is None:  # `state.k = null` deletes the key: reading it gives null either way
                continue
            try:
                rows[str(key)] = to_json(value)
            except (TypeError, ValueError) as exc:
                raise FlowError("data", f"state.{key} cannot be saved: {exc}") from None
        with self._transaction("save the state") as db:
            before = self._saved.get(flow, {})
            changed = [(flow, key, text) for key, text in rows.items() if before.get(key) != text]
            gone = [(flow, key) for key in before if key not in rows]
            db.executemany("INSERT OR REPLACE INTO state (flow, key, value) VALUES (?, ?, ?)", changed)
            db.executemany("DELETE FROM state WHERE flow = ? AND key = ?", gone)
            self._saved[flow] = rows

    def set_key(self, flow: str, key: str, value: Any) -> None:
        """Set one key of a flow's state (`flowlang state set`), leaving the others as they are."""
        try:
            text = to_json(value)
        except (TypeError, ValueError) as exc:
            raise FlowError("data", f"state.{key} cannot be saved: {exc}") from None
        with self._transaction("save the state") as db:
            db.execute("INSERT OR REPLACE INTO state (flow, key, value) VALUES (?, ?, ?)", (flow, key, text))

    def reset(self, flow: str, keys: list[str] | None = None) -> int:
        """Delete a flow's whole state, or only `keys`; returns how many keys were deleted."""
        with self._transaction("reset the state") as db:
            if keys is None:
                return db.execute("DELETE FROM state WHERE flow = ?", (flow,)).rowcount
            return sum(db.execute("DELETE FROM state WHERE flow = ? AND key = ?", (flow, k)).rowcount
                       for k in keys)

    # ------------------------------------------------------------ run history

    def start_run(self, flow: str, run_id: str | None = None, started: str | None = None) -> str:
        """Record a new run of `flow` as `running` by this process; returns its id (time-ordered, unique)."""
        started = started or utc_now()
        run_id = run_id or new_run_id()
        with self._transaction("record the run") as db:
            db.execute(
                "INSERT INTO runs (id, flow, started, status, pid) VALUES (?, ?, ?, 'running', ?)",
                (run_id, flow, started, os.getpid()),
            )
        return run_id

    def interrupt_orphans(self, flow: str) -> list[RunRecord]:
        """Mark `interrupted` the runs of `flow` still `running`; call it holding the flow's lock, which
        proves that no live process runs them. Returns them as they were."""
        with self._transaction("record the end of an earlier run") as db:
            rows = db.execute(
                f"SELECT {', '.join(_RUN_COLUMNS)}, pid FROM runs WHERE flow = ? AND status = 'running'", (flow,)
            ).fetchall()
            db.execute(
                "UPDATE runs SET status = 'interrupted', error = ? WHERE flow = ? AND status = 'running'",
                (KILLED, flow),
            )
        return [RunRecord(*row) for row in rows]

    def add_logs(self, run_id: str, lines: list[tuple[str, str, str | None, str]], first: int) -> None:
        """Store log lines (time, level, location, message) of a run, numbered from `first`."""
        rows = [(run_id, first + i, *line) for i, line in enumerate(lines)]
        with self._transaction("store the run's log") as db:
            db.executemany(
                "INSERT OR REPLACE INTO run_logs (run, seq, time, level, location, message)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )

    def run_logs(self, run_id: str) -> list[dict[str, Any]]:
        """The stored log lines of a run, in order."""
        with self._lock:
            try:
                rows = self._db.execute(
                    f"SELECT {', '.join(_LOG_COLUMNS)} FROM run_logs WHERE run = ? ORDER BY seq", (run_id,)
                ).fetchall()
            except sqlite3.Error as exc:
                raise self._unusable(exc) from None
        return [dict(zip(_LOG_COLUMNS, row, strict=True)) for row in rows]

    def find_runs(self, prefix: str) -> list[RunRecord]:
        """The run whose id is `prefix`, else up to two whose ids start with it (two: the prefix is ambiguous)."""
        query = f"SELECT {', '.join(_RUN_COLUMNS)}, pid FROM runs WHERE substr(id, 1, ?) = ? ORDER BY id = ? DESC LIMIT 2"
        with self._lock:
            try:
                rows = self._db.execute(query, (len(prefix), prefix, prefix)).fetchall()
            except sqlite3.Error as exc:
                raise self._unusable(exc) from None
        records = [RunRecord(*row) for row in rows]
        return records[:1] if records and records[0].id == prefix else records

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
                (utc_now(), status, succeeded, failed, requests, error, run_id),
            )

    def succeeded_runs(self, flow: str) -> int:
        """How many runs of `flow` ended `ok` (the attempt number of idempotency keys)."""
        with self._lock:
            try:
                row = self._db.execute("SELECT count(*) FROM runs WHERE flow = ? AND status = 'ok'", (flow,)).fetchone()
            except sqlite3.Error as exc:
                raise self._unusable(exc) from None
        return int(row[0])

    def list_runs(self, flow: str | None = None, limit: int = 20, status: str | None = None) -> list[RunRecord]:
        """The latest runs, newest first, of one flow or of all (in one status, when given).

        `flow` is the slug the runs were recorded under, or a name that slugifies to it (`sync_orders`,
        `Sync Orders`).
        """
        query = f"SELECT {', '.join(_RUN_COLUMNS)}, pid FROM runs"
        where: list[str] = []
        params: tuple[Any, ...] = ()
        if flow is not None:
            where.append("flow IN (?, ?)")
            params = (flow, slug_of(flow))
        if status is not None:
            where.append("status = ?")
            params = (*params, status)
        if where:
            query += " WHERE " + " AND ".join(where)
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
    return duration_text(record.seconds)


def duration_text(seconds: float | None) -> str:
    """A run's duration as the run tables show it (`1.25s`, `3m05s`, `2h10m`; `-` while it runs)."""
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
    rows = [(r.id, r.flow, r.started.replace("T", " ")[:19], _duration(r), r.status, str(r.succeeded),
             str(r.failed), str(r.requests), first_line(r.error)) for r in records]
    return text_table(header, rows, numeric={5, 6, 7})


def first_line(error: str | None, width: int = 80) -> str:
    """The first line of an error, cut to `width` characters for a table cell."""
    first = error.splitlines()[0] if error else ""
    return first if len(first) <= width else first[:width - 3] + "..."


def text_table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]], numeric: set[int]) -> str:
    """Rows under a header in aligned columns, the `numeric` ones (by index) right-aligned."""
    table = [header, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines = []
    for row in table:
        cells = [cell.rjust(widths[i]) if i in numeric and row is not header else cell.ljust(widths[i])
                 for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def detail_text(rows: list[tuple[str, str]], error: str | None, log_title: str, log_lines: list[str]) -> str:
    """One run in full: its fields as `name  value` lines, its error (indented under its name), its log."""
    width = max(len(name) for name, _ in rows)
    lines = [f"{name.ljust(width)}  {value}" for name, value in rows]
    if error:
        lines.append(f"{'error'.ljust(width)}  " + error.replace("\n", "\n" + " " * (width + 2)))
    return "\n".join([*lines, "", log_title, *(f"  {line}" for line in log_lines)])
