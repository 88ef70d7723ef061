"""The Temporal workflows of runs: a run is one activity that executes the flow, retried on another worker when
lost; a schedule pipe's firing records its run, then executes it as a child run workflow.

A run is a workflow whose id is the host's run id. Its history holds only the small `RunRequest` and the
final status: records stream inside the activity and never pass through Temporal. The activity
heartbeats; when its worker dies, Temporal sees no heartbeat for `heartbeat_seconds`, and another worker
runs it again from the flow's last `checkpoint` (the state committed in the host's database).
A Temporal Schedule of a schedule pipe (temporal_schedules.py) starts `PipeScheduleWorkflow` at each due time:
its activity records the run in the host's database (temporal_fire.py) and it waits for the run's workflow,
so that Temporal's overlap policy sees the run going on. This module imports only the SDK and the standard
library.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeKey

WORKFLOW = "flowlang-run"
ACTIVITY = "flowlang-run-flow"
FIRE_WORKFLOW = "flowlang-pipe-schedule"
FIRE_ACTIVITY = "flowlang-fire-pipe"
MAX_RUN_TIME = timedelta(days=7)  # a run that has not ended after this is failed by Temporal
SCHEDULED_START = SearchAttributeKey.for_datetime("TemporalScheduledStartTime")  # set by a Schedule
RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), backoff_coefficient=2.0,
                    maximum_interval=timedelta(seconds=30))


@dataclass(frozen=True)
class RunRequest:
    """What Temporal records of a run: ids only, never the input, the files or the credentials."""

    run_id: str
    project: str
    version: int
    heartbeat_seconds: float = 30.0


@dataclass(frozen=True)
class FireRequest:
    """The argument of a schedule pipe's Temporal Schedule: the pipe, and the heartbeat timeout of its runs."""

    pipe_id: str
    heartbeat_seconds: float = 30.0


@dataclass(frozen=True)
class FireDue:
    """One firing of a pipe: its due time (ISO 8601, UTC)."""

    pipe_id: str
    due: str


@dataclass(frozen=True)
class Fired:
    """The run a firing recorded (`run_id` "": none, `reason` says why)."""

    run_id: str
    project: str = ""
    version: int = 0
    reason: str = "due"


@workflow.defn(name=WORKFLOW)
class RunWorkflow:
    """Execute the run's flow as one heartbeating activity; returns the run's final status."""

    @workflow.run
    async def run(self, request: RunRequest) -> str:
        status: str = await workflow.execute_activity(
            ACTIVITY, request, result_type=str,
            start_to_close_timeout=MAX_RUN_TIME,
            heartbeat_timeout=timedelta(seconds=request.heartbeat_seconds),
            retry_policy=RETRY,
        )
        return status


@workflow.defn(name=FIRE_WORKFLOW)
class PipeScheduleWorkflow:
    """One due time of a schedule pipe: record its run (or why none), then run it as a child `RunWorkflow`
    whose id is the run id; returns the run's final status, or why nothing ran."""

    @workflow.run
    async def run(self, request: FireRequest) -> str:
        due = workflow.info().typed_search_attributes.get(SCHEDULED_START) or workflow.now()
        fired: Fired = await workflow.execute_activity(
            FIRE_ACTIVITY, FireDue(request.pipe_id, due.isoformat()), result_type=Fired,
            start_to_close_timeout=timedelta(minutes=1), retry_policy=RETRY)
        if not fired.run_id:
            return fired.reason
        status: str = await workflow.execute_child_workflow(
            RunWorkflow.run, RunRequest(fired.run_id, fired.project, fired.version, request.heartbeat_seconds),
            id=fired.run_id)
        return status
