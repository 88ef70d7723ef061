"""`flowlang worker`: executes the runs that `flowlang serve --engine temporal` starts on Temporal.

A worker polls the task queue for the run activity. For each run it reads, from the host's database only,
the flow version the run was started with and the project's credentials (decrypted with the host's key),
runs it with `run_job` as the in-process executor does, and records log lines, state and the outcome in
that database (a `RunService` as Recorder). While the flow runs it heartbeats to Temporal and renews the
run's lease in the database. A retried activity (its first worker died) starts the flow again: the flow
loads the state of its last `checkpoint` and goes on from there; log lines continue after the last one.
A run whose outcome is already recorded is never executed again. A schedule pipe's firing (its Temporal
Schedule's workflow) records its run with `fire_pipe` (temporal_fire.py), then runs it as any other.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from temporalio import activity
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from flowlang.host.execute import NotRunnable, published_job
from flowlang.host.executors.base import Executor, LogLine, RunJob, RunOutcome
from flowlang.host.executors.flowrun import CompiledCache, LiveRun, run_job
from flowlang.host.executors.inprocess import RECURSION_LIMIT, WORKER_STACK
from flowlang.host.executors.temporal import connect
from flowlang.host.executors.temporal_fire import fire_pipe
from flowlang.host.executors.temporal_options import TemporalOptions, TemporalUnreachable
from flowlang.host.executors.temporal_workflow import (
    ACTIVITY,
    FIRE_ACTIVITY,
    Fired,
    FireDue,
    PipeScheduleWorkflow,
    RunRequest,
    RunWorkflow,
)
from flowlang.host.runs import RunService
from flowlang.host.store import Store, now_iso
from flowlang.host.vault import Vault

log = logging.getLogger("flowlang.host.worker")

BEAT = 2.0  # seconds between two heartbeats (to Temporal and to the run's lease)


class _NoExecutor(Executor):
    """The worker's RunService only records: it never dispatches."""

    def start(self, recorder: Any) -> None: ...
    def free_slots(self) -> int: return 0
    def submit(self, job: RunJob) -> None: raise RuntimeError("a worker does not dispatch runs")
    def running(self) -> list[str]: return []
    def stop(self, timeout: float = 10.0) -> list[str]: return []


class RunActivities:
    """The run activity of one worker process, with the host's store and vault."""

    def __init__(self, store: Store, vault: Vault, concurrency: int) -> None:
        self.store = store
        self.vault = vault
        self.recorder = RunService(store, vault, _NoExecutor())
        self.cache = CompiledCache()
        self.pool = ThreadPoolExecutor(concurrency, thread_name_prefix="flowlang-run")

    def status(self, run_id: str) -> str | None:
        with self.store.read() as conn:
            row = conn.execute(text("SELECT status FROM runs WHERE id = :id"), {"id": run_id}).first()
        return None if row is None else str(row.status)

    def job(self, request: RunRequest) -> RunJob | str:
        """The run's job, made as the in-process executor makes it (`published_job`) for the version the run
        was started on and its input; or why it cannot run (the vault's message, a disabled or deleted flow)."""
        with self.store.read() as conn:
            row = conn.execute(text("SELECT flow_id, input FROM runs WHERE id = :id"), {"id": request.run_id}).first()
            if row is None:
                return "the run was deleted (with its flow)"
            try:
                return published_job(conn, self.vault, request.project, row.flow_id, run_id=request.run_id,
                                     version=request.version, input=json.loads(row.input) if row.input else None)
            except NotRunnable as exc:
                return str(exc)

    def renew(self, run_id: str) -> None:
        with self.store.write() as conn:
            conn.execute(text("UPDATE runs SET heartbeat_at = :t WHERE id = :id AND status = 'running'"),
                         {"t": now_iso(), "id": run_id})

    @activity.defn(name=ACTIVITY)
    async def run_flow(self, request: RunRequest) -> str:
        """Execute the run (unless its end is already recorded); returns its final status."""
        loop = asyncio.get_running_loop()
        status = await loop.run_in_executor(None, self.status, request.run_id)
        if status not in ("queued", "running"):
            return status or "deleted"  # a retry after the end was recorded: nothing runs twice
        attempt = activity.info().attempt
        job = await loop.run_in_executor(None, self.job, request)
        if isinstance(job, str):
            self.recorder.finish(request.run_id, RunOutcome("failed", error={"message": job, "kind": "input"}))
            return "failed"
        # A retried run's log goes on after the lines of the attempts before, and its counts add to theirs:
        # `log success`/`log failure` as counted in the stored log, requests as the last heartbeat told them.
        so_far = await loop.run_in_executor(None, self.recorder.continue_log, job.run_id)
        details = activity.info().heartbeat_details
        earlier_requests = int(details[0]) if details and isinstance(details[0], int) else 0
        if attempt > 1:
            self.recorder.log_lines(job.run_id, [LogLine(now_iso(), "warning",
                f"attempt {attempt}: the run goes on on another worker from its last checkpoint")])
        live = LiveRun()
        running = loop.run_in_executor(self.pool, run_job, job, self.recorder, self.cache, live)
        try:
            while not running.done():
                activity.heartbeat(earlier_requests + (live.run.requests if live.run is not None else 0))
                await loop.run_in_executor(None, self.renew, job.run_id)
                await asyncio.wait({running}, timeout=BEAT)
        except asyncio.CancelledError:  # the workflow was cancelled, or this worker is shutting down
            live.cancel()
            await asyncio.wait({running}, timeout=10)
            raise
        last: RunOutcome = running.result()
        outcome = replace(last, succeeded=last.succeeded + so_far.succeeded, failed=last.failed + so_far.failed,
                          requests=last.requests + earlier_requests)
        await loop.run_in_executor(None, self.recorder.finish, job.run_id, outcome)
        return outcome.status

    @activity.defn(name=FIRE_ACTIVITY)
    async def fire(self, due: FireDue) -> Fired:
        """Record the run of a schedule pipe's due time (or why none runs)."""
        moment = datetime.fromisoformat(due.due.replace("Z", "+00:00"))
        fired = await asyncio.get_running_loop().run_in_executor(
            None, fire_pipe, self.store, self.vault, due.pipe_id, moment)
        log.info("pipe %s at %s: %s%s", due.pipe_id, due.due, fired.reason,
                 f" -> run {fired.run_id}" if fired.run_id else "")
        return fired

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.cache.close()


async def run_worker(options: TemporalOptions, store: Store, vault: Vault, concurrency: int,
                     ready: Callable[[], None] | None = None) -> None:
    """Poll the task queue until cancelled (SIGTERM/SIGINT): `concurrency` runs at once. `ready` is called
    once connected; raises TemporalUnreachable when the frontend does not answer."""
    sys.setrecursionlimit(max(sys.getrecursionlimit(), RECURSION_LIMIT))
    threading.stack_size(WORKER_STACK)
    try:
        client = await connect(options)
    except RuntimeError as exc:
        raise TemporalUnreachable(f"cannot reach Temporal at {options.address} "
                                  f"(namespace {options.namespace}): {exc}") from None
    activities = RunActivities(store, vault, concurrency)
    # The workflow is one activity call, deterministic by construction: it runs outside Temporal's sandbox,
    # whose per-workflow module reloading cost a third of the throughput (docs/performance.md, section 7).
    runner = UnsandboxedWorkflowRunner()
    worker = Worker(client, task_queue=options.task_queue, workflows=[RunWorkflow, PipeScheduleWorkflow],
                    workflow_runner=runner, activities=[activities.run_flow, activities.fire],
                    max_concurrent_activities=concurrency,
                    graceful_shutdown_timeout=timedelta(seconds=5))
    try:
        if ready is not None:
            ready()
        await worker.run()
    finally:
        activities.close()
