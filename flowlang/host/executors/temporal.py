"""The Temporal executor: `flowlang serve --engine temporal` starts each run as a Temporal workflow.

The host claims a queued run as with every engine and calls `submit`; this executor starts the workflow
(id = the run id, on the task queue of `TemporalOptions`) and waits for its end in a background asyncio
loop. `flowlang worker` processes (temporal_worker.py) execute the flows and record logs, state and the
outcome in the host's database; this side only keeps the run's lease renewed while its workflow is open,
and records a failure when the workflow itself fails (retries given up, terminated). The run's data and
credentials never go through Temporal: the worker reads them from the host's database.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Coroutine, Mapping
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, TypeVar

from temporalio.client import Client, WorkflowFailureError
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode, TLSConfig

from flowlang.host.executors.base import Executor, ExecutorFull, Recorder, RunJob, RunOutcome
from flowlang.host.executors.temporal_options import TemporalOptions, TemporalUnreachable
from flowlang.host.executors.temporal_workflow import RunRequest, RunWorkflow

if TYPE_CHECKING:
    from flowlang.host.executors.temporal_schedules import TemporalSchedules
    from flowlang.host.scheduler import Clock, ScheduleStore

log = logging.getLogger("flowlang.host.temporal")
T = TypeVar("T")

MAX_OPEN = 10_000  # workflows this server keeps open at once; the rest stay queued in the database


async def connect(options: TemporalOptions) -> Client:
    """A client of the Temporal frontend, with TLS and the API key when the options ask for them."""
    tls: bool | TLSConfig = False
    if options.uses_tls:
        def read(path: str | None) -> bytes | None:
            if path is None:
                return None
            with open(path, "rb") as f:
                return f.read()
        tls = TLSConfig(server_root_ca_cert=read(options.tls_ca), client_cert=read(options.tls_cert),
                        client_private_key=read(options.tls_key))
    return await Client.connect(options.address, namespace=options.namespace, tls=tls, api_key=options.api_key)


class TemporalExecutor(Executor):
    """Starts runs as workflows on Temporal and follows them until they end."""

    name = "temporal"
    durable = True  # workflows go on on the workers while no server follows them

    def __init__(self, options: TemporalOptions, max_open: int = MAX_OPEN) -> None:
        self.options = options
        self.max_open = max_open
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="flowlang-temporal", daemon=True)
        self._client: Client | None = None
        self._clients: dict[str, Client] = {}  # namespace -> client (per-project namespaces)
        self._recorder: Recorder | None = None
        self._open: dict[str, Future[Any]] = {}
        self._lock = threading.Lock()
        self._stopping = False

    def start(self, recorder: Recorder) -> None:
        self._thread.start()
        try:
            self._client = asyncio.run_coroutine_threadsafe(connect(self.options), self._loop).result(30)
        except Exception as exc:
            raise TemporalUnreachable(f"cannot reach Temporal at {self.options.address} "
                                      f"(namespace {self.options.namespace}): {exc}") from None
        self._recorder = recorder
        self._clients[self.options.namespace] = self._client

    def client_of(self, namespace: str) -> Client:
        """The client of `namespace` (one connection for all of them)."""
        assert self._client is not None, "the executor is not started"
        with self._lock:
            client = self._clients.get(namespace)
            if client is None:
                client = Client(self._client.service_client, namespace=namespace,
                                data_converter=self._client.data_converter)
                self._clients[namespace] = client
            return client

    def call(self, coroutine: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        """Run `coroutine` on this executor's loop and wait for its result (from another thread)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def own_scheduler(self, store: ScheduleStore, clock: Clock) -> TemporalSchedules:
        """Schedule pipes become Temporal Schedules (temporal_schedules.py): the host's scheduler stays off."""
        from flowlang.host.executors.temporal_schedules import TemporalSchedules

        return TemporalSchedules(store, clock, self.options, self.client_of, self.call)

    def free_slots(self) -> int:
        if self._stopping or self._client is None:
            return 0
        with self._lock:
            return self.max_open - len(self._open)

    def submit(self, job: RunJob) -> None:
        with self._lock:
            if self._stopping or self._client is None or len(self._open) >= self.max_open:
                raise ExecutorFull(f"{self.max_open} workflows are open")
            request = RunRequest(job.run_id, job.project, job.version, self.options.heartbeat_timeout)
            self._open[job.run_id] = asyncio.run_coroutine_threadsafe(
                self._follow(job.run_id, job.project_slug, request), self._loop)

    def adopt(self, runs: Mapping[str, str]) -> list[str]:
        """Follow the runs that have a workflow (started by a server that stopped, or by a Temporal Schedule);
        a run Temporal has no workflow of is lost. When Temporal does not answer, a run is kept (not lost,
        not followed): the next sweep asks again."""
        if self._client is None or self._stopping or not runs:
            return []

        async def exists(run_id: str, slug: str) -> bool | None:
            try:
                await self.client_of(self.options.namespace_of(slug)).get_workflow_handle(run_id).describe()
            except RPCError as exc:
                return False if exc.status == RPCStatusCode.NOT_FOUND else None
            return True

        async def each() -> list[bool | None]:
            return list(await asyncio.gather(*(exists(run_id, slug) for run_id, slug in runs.items())))

        try:
            answers = self.call(each())
        except Exception:
            log.warning("Temporal did not say which of %d run(s) in flight it executes", len(runs))
            return list(runs)
        kept = []
        for (run_id, slug), answer in zip(runs.items(), answers, strict=True):
            if answer is False:
                continue
            kept.append(run_id)
            with self._lock:
                if answer and run_id not in self._open and not self._stopping:
                    self._open[run_id] = asyncio.run_coroutine_threadsafe(self._follow(run_id, slug, None), self._loop)
        return kept

    async def _follow(self, run_id: str, slug: str, request: RunRequest | None) -> None:
        """Start the run's workflow (unless `request` is None: it runs already) and wait for its end."""
        assert self._recorder is not None
        client = self.client_of(self.options.namespace_of(slug))
        try:
            if request is None:
                handle = client.get_workflow_handle(run_id)
            else:
                try:
                    handle = await client.start_workflow(
                        RunWorkflow.run, request, id=run_id, task_queue=self.options.task_queue_of(slug),
                        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE)
                except WorkflowAlreadyStartedError:  # a run id starts one workflow, ever: follow that one
                    handle = client.get_workflow_handle(run_id)
            await handle.result()
        except WorkflowFailureError as exc:
            cause = exc.cause
            message = f"the Temporal workflow failed: {getattr(cause, 'message', None) or cause or exc}"
            log.warning("run %s: %s", run_id, message)
            self._recorder.finish(run_id, RunOutcome("failed", error={"message": message, "kind": "internal"}))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("run %s could not be followed on Temporal", run_id)
            self._recorder.finish(run_id, RunOutcome(
                "failed", error={"message": f"the run could not start on Temporal: {type(exc).__name__}",
                                 "kind": "internal"}))
        finally:
            with self._lock:
                self._open.pop(run_id, None)

    def running(self) -> list[str]:
        with self._lock:
            return list(self._open)

    def stop(self, timeout: float = 10.0) -> list[str]:
        """Stop following: the workflows go on on the workers, which record their end themselves."""
        self._stopping = True
        with self._lock:
            following = list(self._open.values())
        for future in following:
            future.cancel()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)
        return []
