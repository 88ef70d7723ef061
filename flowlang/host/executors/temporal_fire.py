"""A Temporal Schedule's firing of a schedule pipe, on the host's database: the run it queues, or why none.

With `flowlang serve --engine temporal`, Temporal fires schedule pipes (temporal_schedules.py); each firing
is a workflow whose first step is the activity that calls `fire_pipe` on a worker. It applies the pipe's
policies as the host's own scheduler does (scheduler.py): `overlap: skip` fires nothing while a run of the
pipe is queued or running; a due time seen late (Temporal was down, past its catch-up window of `grace`)
fires only with `missed: run_once`, once for all the times missed together. The run is recorded as the host's
scheduler records one (trigger `schedule`, `scheduled_for` the due time, the flow's latest published version)
and at once `running`, owned by no server (UNFOLLOWED): a serve adopts it to follow it (runs.py sweep).
A due time fires one run, ever: a retried activity finds the run it recorded before.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError

from flowlang.host.execute import NotRunnable, published_job
from flowlang.host.executors.base import RunOutcome
from flowlang.host.executors.temporal_workflow import Fired
from flowlang.host.runs import UNFOLLOWED, insert_run, record_end
from flowlang.host.scheduler import DEFAULT_GRACE
from flowlang.host.store import Store, now_iso
from flowlang.host.vault import Vault


def due_text(moment: datetime) -> str:
    """A due time as the host's scheduler stores it in `runs.scheduled_for`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def fire_pipe(store: Store, vault: Vault, pipe_id: str, due: datetime, *,
              now: datetime | None = None, grace: timedelta = DEFAULT_GRACE) -> Fired:
    """Record the run of `pipe_id` for its due time `due` (see the module docstring)."""
    now = now or datetime.now(UTC)
    try:
        with store.write() as conn:
            return _fire(conn, vault, pipe_id, due, now, grace)
    except IntegrityError:  # another attempt of this firing recorded the due time first
        with store.read() as conn:
            return _recorded(conn, pipe_id, due_text(due)) or Fired("", reason="fired by another attempt")


def _recorded(conn: Connection, pipe_id: str, due: str) -> Fired | None:
    row = conn.execute(text("SELECT id, project_id, status, version FROM runs WHERE pipe_id = :p AND "
                            "scheduled_for = :d"), {"p": pipe_id, "d": due}).first()
    if row is None:
        return None
    if row.status != "running" or row.version is None:
        return Fired("", reason=f"the run of this due time is {row.status}")
    return Fired(row.id, row.project_id, int(row.version), "fired before")


def _fire(conn: Connection, vault: Vault, pipe_id: str, due: datetime, now: datetime,
          grace: timedelta) -> Fired:
    pipe = conn.execute(text(
        "SELECT p.project_id, p.flow_id, p.enabled, p.overlap, p.missed, f.enabled AS flow_enabled FROM pipes p "
        "JOIN flows f ON f.id = p.flow_id WHERE p.id = :id AND p.trigger = 'schedule'"), {"id": pipe_id}).first()
    if pipe is None:
        return Fired("", reason="the pipe was deleted")
    if not (pipe.enabled and pipe.flow_enabled):
        return Fired("", reason="the pipe or its flow is disabled")
    when = due_text(due)
    earlier = _recorded(conn, pipe_id, when)
    if earlier is not None:
        return earlier
    if now - due > grace:  # Temporal fires a time it missed (it was down): the pipe's `missed` policy
        if pipe.missed != "run_once":
            return Fired("", reason="missed: skipped")
        caught_up = conn.execute(text(  # a run fired late, after this due time: the one run for all missed
            "SELECT 1 FROM runs WHERE pipe_id = :p AND trigger = 'schedule' AND scheduled_for < :d "
            "AND created_at > :d"), {"p": pipe_id, "d": when}).first()
        if caught_up:
            return Fired("", reason="missed: run once (already)")
    if pipe.overlap == "skip" and conn.execute(text(
            "SELECT 1 FROM runs WHERE pipe_id = :p AND status IN ('queued', 'running')"), {"p": pipe_id}).first():
        return Fired("", reason="skipped: a run of the pipe is still queued or running")
    run_id = insert_run(conn, project_id=pipe.project_id, flow_id=pipe.flow_id, trigger="schedule",
                        pipe_id=pipe_id, scheduled_for=when)
    try:
        job = published_job(conn, vault, pipe.project_id, pipe.flow_id, run_id=run_id)
    except NotRunnable as exc:  # recorded as failed with the reason, as the host's queue does
        record_end(conn, run_id, RunOutcome("failed", error={"message": str(exc), "kind": "input"}))
        return Fired("", reason=str(exc))
    conn.execute(text("UPDATE runs SET status = 'running', owner = :o, started_at = :t, heartbeat_at = :t, "
                      "version = :v WHERE id = :id"),
                 {"o": UNFOLLOWED, "t": now_iso(), "v": job.version, "id": run_id})
    return Fired(run_id, pipe.project_id, job.version)
