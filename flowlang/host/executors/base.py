"""The Executor interface: what the host hands an engine to run, and how the engine reports back.

The host schedules, queues and records runs; an executor only executes them. The host claims a queued
run (its row becomes `running`), builds a `RunJob` with everything the run needs (the published
version's files as they were when the run started, the input, the project's credentials) and calls
`Executor.submit`. The engine reports log lines, per-flow state and the outcome through the `Recorder`
the host gave it, and nothing else: so the in-process executor and a distributed one (Temporal) pass
the same tests, and the API cannot tell them apart.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from flowlang.host.scheduler import Clock, PipeScheduler, ScheduleStore

# How a run can end; `queued` and `running` belong to the host's bookkeeping, not to an engine.
FINAL_STATUSES = ("ok", "failed", "interrupted")


@dataclass(frozen=True)
class RunJob:
    """One run to execute: a flow version, its input, and the secrets it may read.

    `files` maps file names (as the flow's errors will name them) to their text; `root` is the file
    that declares the flow. `credentials` become what `env()` and `secret()` read, and every value is
    masked in the run's logs and records; the server's own environment is never seen by a flow.
    `state_key` names the per-flow state the run loads and commits.
    """

    run_id: str
    project: str
    flow_id: str
    flow_name: str | None
    version: int
    root: str
    files: dict[str, str]
    input: Any = None
    credentials: dict[str, str] = field(default_factory=dict)
    state_key: str = ""
    max_steps: int | None = None
    project_slug: str = ""  # named in the error of a missing credential

    def __repr__(self) -> str:  # never print credentials by accident
        return (f"RunJob(run_id={self.run_id!r}, project={self.project!r}, flow_id={self.flow_id!r}, "
                f"version={self.version}, credentials=[{len(self.credentials)} hidden])")


@dataclass(frozen=True)
class LogLine:
    """One line of a run's log, already masked: time (UTC ISO 8601), level, location, message, extras."""

    time: str
    level: str
    message: str
    file: str | None = None
    line: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"time": self.time, "level": self.level, "file": self.file, "line": self.line,
                "message": self.message, **self.extra}


@dataclass(frozen=True)
class RunOutcome:
    """How a run ended, as the host records it. `error` is masked and names `file:line:col`."""

    status: str  # one of FINAL_STATUSES
    result: Any = None
    error: dict[str, Any] | None = None  # {"message", "kind", "file", "line", "column", "hint"?}
    succeeded: int = 0
    failed: int = 0
    requests: int = 0
    seconds: float = 0.0
    # How often each place ran: {"kind", "file", "line", "count"} records (runtime/counts.py)
    counts: list[dict[str, Any]] | None = None

    def __post_init__(self) -> None:
        if self.status not in FINAL_STATUSES:
            raise ValueError(f"a run ends as one of {', '.join(FINAL_STATUSES)}, not {self.status!r}")


class Recorder(Protocol):
    """The host side of a run: where an engine sends what happens. Every method is thread-safe."""

    def log_lines(self, run_id: str, lines: list[LogLine]) -> None:
        """Append lines to the run's log (called in batches while the run goes on)."""

    def load_state(self, project: str, state_key: str) -> dict[str, Any]:
        """The flow's last committed state ({} when it has none)."""

    def save_state(self, project: str, state_key: str, state: dict[str, Any]) -> None:
        """Commit the flow's whole state atomically (at a `checkpoint` and when the run succeeds)."""

    def finish(self, run_id: str, outcome: RunOutcome) -> None:
        """Record how the run ended; called exactly once per submitted run."""


class ExecutorFull(Exception):
    """`submit` was called while the executor had no free capacity; the run stays queued."""


class Executor(ABC):
    """An engine that runs `RunJob`s and reports through a `Recorder`."""

    name: str = "executor"
    durable: bool = False  # runs outlive this process: they go on elsewhere, and a server can adopt them

    def adopt(self, runs: Mapping[str, str]) -> list[str]:
        """Follow runs in flight that no live server follows (run id -> project slug): a durable engine
        takes those it still executes and returns their ids; the others are lost. Others adopt nothing."""
        return []

    def own_scheduler(self, store: ScheduleStore, clock: Clock) -> PipeScheduler | None:
        """The scheduler of an engine that fires schedule pipes itself (Temporal Schedules), started by the
        host instead of its own; None: the host's scheduler fires them."""
        return None

    @abstractmethod
    def start(self, recorder: Recorder) -> None:
        """Get ready to accept runs; every outcome goes to `recorder`."""

    @abstractmethod
    def free_slots(self) -> int:
        """How many more runs `submit` accepts right now (the host keeps the rest queued)."""

    @abstractmethod
    def submit(self, job: RunJob) -> None:
        """Start `job` without waiting for it; raises ExecutorFull when no slot is free."""

    @abstractmethod
    def running(self) -> list[str]:
        """The ids of the runs this executor is executing now (the host renews their leases)."""

    @abstractmethod
    def stop(self, timeout: float = 10.0) -> list[str]:
        """Accept nothing more, interrupt the runs in flight and wait up to `timeout` seconds for them
        to record their end; returns the ids of the runs that had not ended by then."""
