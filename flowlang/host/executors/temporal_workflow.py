"""The Temporal workflow of a run: one activity that executes the flow, retried on another worker when lost.

A run is a workflow whose id is the host's run id. Its history holds only the small `RunRequest` and the
final status: records stream inside the activity and never pass through Temporal. The activity
heartbeats; when its worker dies, Temporal sees no heartbeat for `heartbeat_seconds`, and another worker
runs it again from the flow's last `checkpoint` (the state committed in the host's database).
This module is loaded inside the workflow sandbox: it imports only the SDK and the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

WORKFLOW = "flowlang-run"
ACTIVITY = "flowlang-run-flow"
MAX_RUN_TIME = timedelta(days=7)  # a run that has not ended after this is failed by Temporal


@dataclass(frozen=True)
class RunRequest:
    """What Temporal records of a run: ids only, never the input, the files or the credentials."""

    run_id: str
    project: str
    version: int
    heartbeat_seconds: float = 30.0


@workflow.defn(name=WORKFLOW)
class RunWorkflow:
    """Execute the run's flow as one heartbeating activity; returns the run's final status."""

    @workflow.run
    async def run(self, request: RunRequest) -> str:
        status: str = await workflow.execute_activity(
            ACTIVITY, request, result_type=str,
            start_to_close_timeout=MAX_RUN_TIME,
            heartbeat_timeout=timedelta(seconds=request.heartbeat_seconds),
            retry_policy=RetryPolicy(initial_interval=timedelta(seconds=1), backoff_coefficient=2.0,
                                     maximum_interval=timedelta(seconds=30)),
        )
        return status
