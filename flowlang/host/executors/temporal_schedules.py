"""Schedule pipes as Temporal Schedules: the scheduler of `flowlang serve --engine temporal`.

The host's own scheduler (scheduler.py) does not run on this engine: Temporal fires each schedule pipe from a
Schedule of its own (id `flowlang-pipe-<pipe id>`) in the pipe's project's namespace and task queue, and each
firing is a workflow on the workers (temporal_fire.py records its run). `TemporalSchedules` keeps the
Schedules in step with the pipes table: every `interval` seconds it reads the schedule pipes and creates,
updates, pauses (pipe or flow disabled), unpauses and deletes Schedules whose pipe changed since it last
looked; at start it brings every Schedule up to date and deletes those of pipes that are gone.

A pipe maps to its Schedule as follows: `schedules` are its cron texts (macros expanded), `timezone` its IANA
time zone; `overlap: skip` is Temporal's SKIP and `queue` its BUFFER_ALL (the pipe's due times run one after
another); `missed: skip` gives a catch-up window of `grace` (60 s: times Temporal itself missed while down
are dropped) and `run_once` a window of a year (the firing then runs once for all of them, temporal_fire.py).
Times passed while the pipe was disabled are not fired by Temporal (a paused Schedule skips them): when the
pipe is enabled again with `missed: run_once`, the latest of them is backfilled, as the host's scheduler does.
The pipe's `next_run_at` (shown by the API) is moved on here once passed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Iterable
from datetime import UTC, timedelta
from typing import Any

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleBackfill,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleState,
    ScheduleUpdate,
)
from temporalio.service import RPCError, RPCStatusCode

from flowlang.host.executors.temporal_options import TemporalOptions
from flowlang.host.executors.temporal_workflow import FireRequest, PipeScheduleWorkflow
from flowlang.host.scheduler import (
    DEFAULT_GRACE,
    Clock,
    ScheduledPipe,
    ScheduleError,
    ScheduleStore,
    Ticking,
    cron_text,
    next_time,
    plan,
    time_zone,
)

log = logging.getLogger("flowlang.host.scheduler")

PREFIX = "flowlang-pipe-"
MEMO_KEY = "flowlang-task-queue"  # which host a Schedule belongs to: its server's own task queue
CATCH_UP = timedelta(days=365)


def schedule_id(pipe_id: str) -> str:
    return PREFIX + pipe_id


def schedule_of(pipe: ScheduledPipe, options: TemporalOptions, grace: timedelta = DEFAULT_GRACE) -> Schedule:
    """The Temporal Schedule of a schedule pipe (see the module docstring); ScheduleError for a bad cron."""
    time_zone(pipe.timezone)
    action = ScheduleActionStartWorkflow(
        PipeScheduleWorkflow.run, FireRequest(pipe.id, options.heartbeat_timeout), id=schedule_id(pipe.id),
        task_queue=options.task_queue_of(pipe.project_slug))
    spec = ScheduleSpec(cron_expressions=[cron_text(s) for s in pipe.schedules], time_zone_name=pipe.timezone)
    policy = SchedulePolicy(
        overlap=ScheduleOverlapPolicy.SKIP if pipe.overlap == "skip" else ScheduleOverlapPolicy.BUFFER_ALL,
        catchup_window=CATCH_UP if pipe.missed == "run_once" else max(grace, timedelta(seconds=10)))
    note = "enabled" if pipe.active else "the pipe or its flow is disabled"
    return Schedule(action=action, spec=spec, policy=policy, state=ScheduleState(paused=not pipe.active, note=note))


def _fingerprint(pipe: ScheduledPipe) -> tuple[Any, ...]:
    return (tuple(pipe.schedules), pipe.timezone, pipe.overlap, pipe.missed, pipe.active, pipe.project_slug)


class TemporalSchedules(Ticking):
    """Keeps one Temporal Schedule per schedule pipe (see the module docstring); `tick()` is one pass."""

    thread_name = "flowlang-temporal-schedules"

    def __init__(self, store: ScheduleStore, clock: Clock, options: TemporalOptions,
                 client_of: Callable[[str], Client], call: Callable[[Coroutine[Any, Any, Any]], Any], *,
                 interval: float = 1.0, grace: timedelta = DEFAULT_GRACE) -> None:
        super().__init__(interval)
        self.store = store
        self.clock = clock
        self.options = options
        self.client_of = client_of  # namespace -> its client
        self.call = call  # runs a coroutine on the executor's loop and returns its result
        self.grace = grace
        self._synced: dict[str, tuple[tuple[Any, ...], str]] = {}  # pipe id -> (fingerprint, project slug)
        self._cleaned = False

    # ---------------------------------------------------------------- passes

    def tick(self) -> list[str]:
        """Bring the Schedules in step with the pipes; returns the ids of the pipes whose Schedule changed."""
        pipes = self.store.scheduled_pipes()
        changed: list[str] = []
        for pipe in pipes:
            if self._synced.get(pipe.id, (None, ""))[0] == _fingerprint(pipe):
                continue
            try:
                reopened = self.call(self._sync(pipe))
            except ScheduleError as exc:  # stored before a rule changed: leave it, say why
                log.warning("pipe %s cannot be scheduled on Temporal: %s", pipe.id, exc)
                continue
            except Exception as exc:
                log.warning("the Temporal Schedule of pipe %s could not be updated (will retry): %s", pipe.id, exc)
                continue
            self._synced[pipe.id] = (_fingerprint(pipe), pipe.project_slug)
            changed.append(pipe.id)
            if reopened and pipe.active:
                self._catch_up(pipe)
        present = {pipe.id for pipe in pipes}
        for pipe_id in [p for p in self._synced if p not in present]:
            try:
                self.call(self._delete(pipe_id, self._synced[pipe_id][1]))
            except Exception as exc:
                log.warning("the Temporal Schedule of deleted pipe %s could not be deleted (will retry): %s",
                            pipe_id, exc)
                continue
            del self._synced[pipe_id]
            changed.append(pipe_id)
        if not self._cleaned:
            self._cleaned = self._delete_strays(present)
        self._move_on(pipe for pipe in pipes if pipe.active and pipe.id in self._synced)
        return changed

    async def _sync(self, pipe: ScheduledPipe) -> bool:
        """Create or update the pipe's Schedule; True when it was missing or paused until now."""
        client = self.client_of(self.options.namespace_of(pipe.project_slug))
        desired = schedule_of(pipe, self.options, self.grace)
        handle = client.get_schedule_handle(schedule_id(pipe.id))
        try:
            description = await handle.describe()
        except RPCError as exc:
            if exc.status != RPCStatusCode.NOT_FOUND:
                raise
            await client.create_schedule(handle.id, desired, memo={MEMO_KEY: self.options.task_queue})
            log.info("pipe %s: Temporal Schedule created%s", pipe.id, "" if pipe.active else " (paused)")
            return True
        await handle.update(lambda _: ScheduleUpdate(schedule=desired))
        return bool(description.schedule.state.paused)

    def _catch_up(self, pipe: ScheduledPipe) -> None:
        """Times passed while the pipe was off Temporal (disabled, or before this engine): its `missed` policy."""
        now = self.clock.now().astimezone(UTC)
        try:
            step = plan(pipe, now, self.grace)
        except ScheduleError:
            return
        if step is None or step.fire_for is None:
            return
        due = step.fire_for
        handle = self.client_of(self.options.namespace_of(pipe.project_slug)).get_schedule_handle(schedule_id(pipe.id))
        try:
            self.call(handle.backfill(ScheduleBackfill(start_at=due - timedelta(seconds=1), end_at=due)))
            log.info("pipe %s at %s: %s (backfilled on Temporal)", pipe.id, due.isoformat(), step.reason)
        except Exception as exc:
            log.warning("pipe %s: the missed time %s could not be backfilled: %s", pipe.id, due.isoformat(), exc)

    async def _delete(self, pipe_id: str, slug: str) -> None:
        try:
            await self.client_of(self.options.namespace_of(slug)).get_schedule_handle(schedule_id(pipe_id)).delete()
        except RPCError as exc:
            if exc.status != RPCStatusCode.NOT_FOUND:
                raise
        log.info("pipe %s: Temporal Schedule deleted", pipe_id)

    def _delete_strays(self, present: set[str]) -> bool:
        """At start: delete this host's Schedules whose pipe is gone (deleted while no server ran)."""
        async def strays(client: Client) -> None:
            async for entry in await client.list_schedules():
                if not entry.id.startswith(PREFIX) or entry.id[len(PREFIX):] in present:
                    continue
                if (await entry.memo()).get(MEMO_KEY) == self.options.task_queue:
                    await client.get_schedule_handle(entry.id).delete()
                    log.info("Temporal Schedule %s deleted: its pipe is gone", entry.id)

        try:
            for namespace in self.options.namespaces():
                self.call(strays(self.client_of(namespace)))
        except Exception as exc:
            log.warning("stray Temporal Schedules could not be listed (will retry): %s", exc)
            return False
        return True

    def _move_on(self, pipes: Iterable[ScheduledPipe]) -> None:
        """The API's `next_run_at` of each active pipe moves on once passed (Temporal fires it, not the host)."""
        now = self.clock.now().astimezone(UTC)
        for pipe in pipes:
            if pipe.next_run_at is not None and pipe.next_run_at > now:
                continue
            try:
                following = next_time(pipe.schedules, time_zone(pipe.timezone), now)
            except ScheduleError:
                continue
            self.store.advance(pipe, following, None)
