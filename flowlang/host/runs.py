"""Runs on the host: recorded before they start, queued in the database, dispatched to an Executor.

`RunService` is the host side of every engine: it queues runs (`enqueue`), claims queued ones and hands
them to the executor with the flow's latest published version and the project's decrypted credentials
(`dispatch`, in a thread woken at once by a new run), and is the executor's Recorder (log lines, per-flow
state, outcomes, all in the host's database). The executor never sees the database and the service never
runs a flow. A run claimed by this server carries its owner and a heartbeat renewed while it runs; at
start, and then periodically, runs whose owner stopped renewing are marked `interrupted`, except on a
durable engine (Temporal): there such runs, and those the engine started itself, are adopted (followed
by this server) while the engine still executes them, and only the others are interrupted.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, text

from flowlang.host.execute import NotRunnable, published_job
from flowlang.host.executors.base import Executor, ExecutorFull, LogLine, RunJob, RunOutcome
from flowlang.host.store import Store, now_iso
from flowlang.host.vault import Vault

log = logging.getLogger("flowlang.host.runs")

LEASE = timedelta(seconds=15)  # a running run whose heartbeat is older than this was lost
HEARTBEAT = 3.0
UNFOLLOWED = "durable-engine"  # the owner of a run a durable engine started itself (a Temporal Schedule's firing)
RETENTION_EVERY = 3600.0  # seconds between two retention passes
RUN_COLUMNS = ("id", "project_id", "pipe_id", "flow_id", "trigger", "status", "version", "input", "result",
               "error", "succeeded", "failed", "requests", "scheduled_for", "reprocess_of", "created_at",
               "started_at", "ended_at")


@dataclass(frozen=True)
class LoggedSoFar:
    """What a run's log already holds when another attempt of it goes on (see RunService.continue_log)."""

    lines: int
    succeeded: int  # `log success` lines
    failed: int  # `log failure` lines


def new_run_id() -> str:
    return str(uuid.uuid4())


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def insert_run(conn: Connection, *, project_id: str, flow_id: str, trigger: str, pipe_id: str | None,
               input: Any = None, scheduled_for: str | None = None, reprocess_of: str | None = None) -> str:
    """Record a queued run (inside the caller's transaction); returns its id."""
    run_id = new_run_id()
    conn.execute(text(
        "INSERT INTO runs (id, project_id, pipe_id, flow_id, trigger, status, input, scheduled_for, "
        "reprocess_of, created_at) VALUES (:id, :p, :pipe, :f, :t, 'queued', :i, :s, :r, :c)"),
        {"id": run_id, "p": project_id, "pipe": pipe_id, "f": flow_id, "t": trigger,
         "i": json.dumps(input), "s": scheduled_for, "r": reprocess_of, "c": now_iso()})
    return run_id


def record_end(conn: Connection, run_id: str, outcome: RunOutcome) -> None:
    """Record how a queued or running run ended (inside the caller's transaction); an ended run stays as it is."""
    conn.execute(text(
        "UPDATE runs SET status = :s, result = :r, error = :e, succeeded = :ok, failed = :bad, "
        "requests = :n, counts = :c, ended_at = :t WHERE id = :id AND status IN ('queued', 'running')"),
        {"s": outcome.status, "r": json.dumps(outcome.result), "t": now_iso(), "id": run_id,
         "c": json.dumps(outcome.counts) if outcome.counts is not None else None,
         "e": json.dumps(outcome.error) if outcome.error else None, "ok": outcome.succeeded,
         "bad": outcome.failed, "n": outcome.requests})


def run_row(conn: Connection, project_id: str, run_id: str) -> dict[str, Any] | None:
    """One run of the project, with its per-location counts (the list of runs leaves those out)."""
    row = conn.execute(text(f"SELECT {', '.join(RUN_COLUMNS)}, counts FROM runs WHERE id = :id AND project_id = :p"),
                       {"id": run_id, "p": project_id}).first()
    return dict(row._mapping) if row else None


class RunService:
    """Queue, dispatch and record runs of one server process (see the module docstring)."""

    def __init__(self, store: Store, vault: Vault, executor: Executor, retention_days: int | None = None) -> None:
        self.store = store
        self.retention_days = retention_days
        self._last_retention = 0.0
        self.vault = vault
        self.executor = executor
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._ended = threading.Condition()
        self._log_seq: dict[str, int] = {}
        self._seq_lock = threading.Lock()
        self._thread: threading.Thread | None = None

    # ---------------------------------------------------------------- life

    def start(self) -> None:
        self.executor.start(self)  # first: a durable engine adopts the runs in flight at the sweep
        self.sweep(at_start=True)
        self.apply_retention()
        self._thread = threading.Thread(target=self._loop, name="flowlang-dispatch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        left = self.executor.stop(timeout=5)
        if left:
            self.sweep(ids=left)

    def wake(self) -> None:
        self._wake.set()

    def _loop(self) -> None:
        last_beat = 0.0
        while not self._stop.is_set():
            try:
                self.dispatch()
                if time.monotonic() - last_beat > HEARTBEAT:
                    self._heartbeat()
                    self.sweep()
                    last_beat = time.monotonic()
                if time.monotonic() - self._last_retention > RETENTION_EVERY:
                    self.apply_retention()
            except Exception:
                log.exception("dispatching runs failed")
            self._wake.wait(0.5)
            self._wake.clear()

    # ------------------------------------------------------------ dispatch

    def dispatch(self) -> int:
        """Start as many queued runs as the executor has room for; returns how many started."""
        started = 0
        while self.executor.free_slots() > 0:
            job = self._claim()
            if job is None:
                break
            try:
                self.executor.submit(job)
            except ExecutorFull:  # raced with another submit: give the run back
                with self.store.write() as conn:
                    conn.execute(text("UPDATE runs SET status = 'queued', owner = NULL, started_at = NULL "
                                      "WHERE id = :id"), {"id": job.run_id})
                break
            started += 1
        return started

    def _claim(self) -> RunJob | None:
        with self.store.write() as conn:
            rows = conn.execute(text(
                "SELECT id, project_id, pipe_id, flow_id, trigger, input FROM runs WHERE status = 'queued' "
                "ORDER BY created_at LIMIT 20")).fetchall()
            for row in rows:
                if row.trigger == "schedule" and row.pipe_id and conn.execute(text(
                        "SELECT 1 FROM runs WHERE pipe_id = :p AND status = 'running'"), {"p": row.pipe_id}).first():
                    continue  # a queued firing waits for the pipe's run in progress
                claimed = conn.execute(text(
                    "UPDATE runs SET status = 'running', owner = :o, started_at = :t, heartbeat_at = :t "
                    "WHERE id = :id AND status = 'queued'"), {"o": self.owner, "t": now_iso(), "id": row.id})
                if claimed.rowcount != 1:
                    continue  # another server took it
                job = self._job(conn, row)
                if isinstance(job, RunJob):
                    return job
                self._finish(conn, row.id, RunOutcome("failed", error={"message": job, "kind": "input"}))
                self._notify()
        return None

    def _job(self, conn: Connection, row: Any) -> RunJob | str:
        """The job of a claimed run (the flow's latest published version now), or why it cannot run."""
        try:
            job = published_job(conn, self.vault, row.project_id, row.flow_id, run_id=row.id,
                                input=json.loads(row.input) if row.input else None)
        except NotRunnable as exc:
            return str(exc)
        conn.execute(text("UPDATE runs SET version = :v WHERE id = :id"), {"v": job.version, "id": row.id})
        return job

    # ------------------------------------------------------------ recorder

    def log_lines(self, run_id: str, lines: list[LogLine]) -> None:
        with self._seq_lock:
            first = self._log_seq.get(run_id, 0)
            self._log_seq[run_id] = first + len(lines)
        with self.store.write() as conn:
            for i, line in enumerate(lines):
                conn.execute(text("INSERT INTO run_logs (run_id, seq, line) VALUES (:r, :s, :l)"),
                             {"r": run_id, "s": first + i, "l": json.dumps(line.as_dict(), default=str)})

    def continue_log(self, run_id: str) -> LoggedSoFar:
        """Another attempt of `run_id` goes on (a durable engine retried it on another worker): its log lines
        follow those already stored, and what they counted (`log success` / `log failure`) is returned, so that
        the run's counts cover every attempt, as its log does."""
        with self.store.read() as conn:
            seq = conn.execute(text("SELECT MAX(seq) FROM run_logs WHERE run_id = :r"), {"r": run_id}).scalar()
            counted = conn.execute(text(
                "SELECT line FROM run_logs WHERE run_id = :r AND (line LIKE :ok OR line LIKE :bad)"),
                {"r": run_id, "ok": '%"level": "success"%', "bad": '%"level": "failure"%'}).scalars().all()
        levels = [json.loads(line).get("level") for line in counted]
        with self._seq_lock:
            self._log_seq[run_id] = 0 if seq is None else int(seq) + 1
        return LoggedSoFar(0 if seq is None else int(seq) + 1, levels.count("success"), levels.count("failure"))

    def load_state(self, project: str, state_key: str) -> dict[str, Any]:
        with self.store.read() as conn:
            row = conn.execute(text("SELECT state FROM flow_state WHERE project_id = :p AND flow_id = :f"),
                               {"p": project, "f": state_key}).first()
        return json.loads(row.state) if row else {}

    def save_state(self, project: str, state_key: str, state: dict[str, Any]) -> None:
        with self.store.write() as conn:
            params = {"p": project, "f": state_key, "s": json.dumps(state), "t": now_iso()}
            done = conn.execute(text("UPDATE flow_state SET state = :s, updated_at = :t "
                                     "WHERE project_id = :p AND flow_id = :f"), params)
            if done.rowcount == 0:
                conn.execute(text("INSERT INTO flow_state (project_id, flow_id, state, updated_at) "
                                  "VALUES (:p, :f, :s, :t)"), params)

    def finish(self, run_id: str, outcome: RunOutcome) -> None:
        with self.store.write() as conn:
            self._finish(conn, run_id, outcome)
        with self._seq_lock:
            self._log_seq.pop(run_id, None)
        self._notify()
        self._wake.set()  # a slot is free

    def _finish(self, conn: Connection, run_id: str, outcome: RunOutcome) -> None:
        record_end(conn, run_id, outcome)

    def _notify(self) -> None:
        with self._ended:
            self._ended.notify_all()

    def wait(self, project_id: str, run_id: str, timeout: float) -> dict[str, Any] | None:
        """The run once it has ended, or None after `timeout` seconds (it may run on another server)."""
        deadline = time.monotonic() + timeout
        while True:
            with self.store.read() as conn:
                row = run_row(conn, project_id, run_id)
            if row is None or row["status"] not in ("queued", "running"):
                return row
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            with self._ended:
                self._ended.wait(min(left, 0.5))

    # ------------------------------------------------------- retention

    def apply_retention(self) -> int:
        """Delete ended runs (with their logs) and idempotency keys older than the retention; on SQLite
        VACUUM gives the space back to the disk. Returns how many runs were deleted."""
        self._last_retention = time.monotonic()
        if not self.retention_days:
            return 0
        cutoff = _iso(datetime.now(UTC) - timedelta(days=self.retention_days))
        with self.store.write() as conn:
            old = "SELECT id FROM runs WHERE created_at < :c AND status NOT IN ('queued', 'running')"
            conn.execute(text(f"DELETE FROM run_logs WHERE run_id IN ({old})"), {"c": cutoff})
            deleted = conn.execute(text(old.replace("SELECT id", "DELETE", 1)), {"c": cutoff}).rowcount
            conn.execute(text("DELETE FROM idempotency_keys WHERE created_at < :c"), {"c": cutoff})
        if deleted and self.store.dialect == "sqlite":
            raw = self.store.engine.raw_connection()
            try:
                sqlite = raw.driver_connection
                sqlite.execute("VACUUM")  # type: ignore[union-attr]
                sqlite.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]  # WAL: shrink the file now
            finally:
                raw.close()
        if deleted:
            log.info("retention: deleted %d run(s) older than %d days", deleted, self.retention_days)
        return int(deleted)

    # ------------------------------------------------------- leases, sweep

    def _adopt(self, orphans: dict[str, tuple[str, str]]) -> list[str]:
        """Take over runs no live server follows (owner compare-and-set: one server wins each) and hand them
        to the durable engine, which follows those it still executes; returns the others (lost)."""
        won: dict[str, str] = {}
        with self.store.write() as conn:
            for run_id, (owner, slug) in orphans.items():
                took = conn.execute(text(
                    "UPDATE runs SET owner = :me, heartbeat_at = :t WHERE id = :id AND status = 'running' "
                    "AND COALESCE(owner, '') = :old"), {"me": self.owner, "t": now_iso(), "id": run_id, "old": owner})
                if took.rowcount == 1:
                    won[run_id] = slug
        if not won:
            return []
        kept = set(self.executor.adopt(won))
        if kept:
            log.info("following %d run(s) in flight on the %s engine", len(kept), self.executor.name)
        return [run_id for run_id in won if run_id not in kept]

    def _heartbeat(self) -> None:
        ids = self.executor.running()
        if ids:
            with self.store.write() as conn:
                for run_id in ids:
                    conn.execute(text("UPDATE runs SET heartbeat_at = :t WHERE id = :id AND owner = :o"),
                                 {"t": now_iso(), "id": run_id, "o": self.owner})

    def sweep(self, *, at_start: bool = False, ids: list[str] | None = None) -> int:
        """Mark lost runs interrupted: those given, those whose lease ran out, and at start those whose
        owner was a process of this machine that no longer exists. On a durable engine the last two kinds,
        and the runs it started itself, are first offered to the engine to adopt (see `_adopt`)."""
        stale = _iso(datetime.now(UTC) - LEASE)
        error = json.dumps({"message": "interrupted: the server running it stopped", "kind": "interrupted"})
        lost: list[str] = list(ids or [])
        orphans: dict[str, tuple[str, str]] = {}  # run id -> (owner, project slug)
        with self.store.read() as conn:
            rows = conn.execute(text(
                "SELECT r.id, r.owner, r.heartbeat_at, p.slug FROM runs r LEFT JOIN projects p "
                "ON p.id = r.project_id WHERE r.status = 'running'"))
            for row in rows:
                gone = (row.heartbeat_at or "") < stale or (at_start and _dead_here(row.owner or ""))
                if self.executor.durable and (gone or row.owner == UNFOLLOWED):
                    orphans[row.id] = (row.owner or "", row.slug or "")
                elif gone:
                    lost.append(row.id)
        if orphans:
            lost += self._adopt(orphans)
        if lost:
            with self.store.write() as conn:
                for run_id in lost:
                    conn.execute(text("UPDATE runs SET status = 'interrupted', error = :e, ended_at = :t "
                                      "WHERE id = :id AND status = 'running'"),
                                 {"e": error, "t": now_iso(), "id": run_id})
            log.warning("marked %d lost run(s) interrupted", len(lost))
            self._notify()
        return len(lost)


def _dead_here(owner: str) -> bool:
    """Is `owner` ("host:pid:nonce") a process of this machine that is gone?"""
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
