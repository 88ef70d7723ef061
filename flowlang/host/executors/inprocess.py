"""The in-process executor: a bounded pool of worker threads inside `flowlang serve`.

The embedded default engine. `workers` runs execute at once; `submit` refuses more (the host keeps them
queued in its database, where a restart finds them). Each worker runs a job with `run_job` and reports
its end to the Recorder; a small flusher thread sends log lines of long runs every half second.
"""

from __future__ import annotations

import logging
import queue
import sys
import threading
import time

from flowlang.host.executors.base import (
    Executor,
    ExecutorFull,
    LogLine,
    Recorder,
    RunJob,
    RunOutcome,
)
from flowlang.host.executors.flowrun import CompiledCache, LiveRun, run_job

log = logging.getLogger("flowlang.host.executor")

DEFAULT_WORKERS = 4
WORKER_STACK = 64 << 20  # bytes of stack per worker: room for the deepest nesting a flow may reach
RECURSION_LIMIT = 10_000  # as the launcher sets for `flowlang run`
FLUSH_INTERVAL = 0.5


class InProcessExecutor(Executor):
    """Runs jobs on `workers` threads of this process."""

    name = "inprocess"

    def __init__(self, workers: int = DEFAULT_WORKERS, cache: CompiledCache | None = None) -> None:
        if workers < 1:
            raise ValueError("an executor needs at least one worker")
        self.workers = workers
        self.cache = cache or CompiledCache()
        self._jobs: queue.Queue[RunJob | None] = queue.Queue()
        self._live: dict[str, LiveRun] = {}
        self._slots = 0  # submitted and not yet finished
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._recorder: Recorder | None = None

    def start(self, recorder: Recorder) -> None:
        self._recorder = recorder
        sys.setrecursionlimit(max(sys.getrecursionlimit(), RECURSION_LIMIT))
        old = threading.stack_size(WORKER_STACK)
        try:
            for i in range(self.workers):
                thread = threading.Thread(target=self._work, name=f"flowlang-run-{i + 1}", daemon=True)
                thread.start()
                self._threads.append(thread)
        finally:
            threading.stack_size(old)
        flusher = threading.Thread(target=self._flush_loop, name="flowlang-run-logs", daemon=True)
        flusher.start()
        self._threads.append(flusher)

    def free_slots(self) -> int:
        if self._stopping.is_set() or self._recorder is None:
            return 0
        with self._lock:
            return self.workers - self._slots

    def submit(self, job: RunJob) -> None:
        with self._lock:
            if self._stopping.is_set() or self._recorder is None or self._slots >= self.workers:
                raise ExecutorFull(f"all {self.workers} workers are busy")
            self._slots += 1
            self._live[job.run_id] = LiveRun()
        self._jobs.put(job)

    def running(self) -> list[str]:
        with self._lock:
            return list(self._live)

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            self._execute(job)

    def _execute(self, job: RunJob) -> None:
        recorder = self._recorder
        assert recorder is not None
        with self._lock:
            live = self._live[job.run_id]
        try:
            outcome = run_job(job, recorder, self.cache, live)
        except Exception as exc:  # a bug in flowlang: record it, keep the worker alive
            log.exception("run %s failed inside the executor", job.run_id)
            message = f"internal error: {type(exc).__name__} (a bug in flowlang; the server log has the traceback)"
            recorder.log_lines(job.run_id, [LogLine(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                                    "error", message)])
            outcome = RunOutcome("failed", error={"message": message, "kind": "internal"})
        try:
            recorder.finish(job.run_id, outcome)
        except Exception:
            log.exception("the end of run %s could not be recorded", job.run_id)
        finally:
            with self._lock:
                self._live.pop(job.run_id, None)
                self._slots -= 1

    def _flush_loop(self) -> None:
        while not self._stopping.wait(FLUSH_INTERVAL):
            with self._lock:
                live = list(self._live.values())
            for run in live:
                try:
                    run.flush()
                except Exception:
                    log.exception("log lines of a run could not be recorded")

    def stop(self, timeout: float = 10.0) -> list[str]:
        self._stopping.set()
        with self._lock:
            live = list(self._live.values())
        for run in live:
            run.cancel()
        for _ in self._threads:
            self._jobs.put(None)
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self.cache.close()
        return self.running()
