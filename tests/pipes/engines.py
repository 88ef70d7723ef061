"""The engines the pipes suite runs on, by name: what each needs around a served host and in process.

`SERVED[name](directory, db)` is a context manager that starts whatever the engine needs beside
`flowlang serve` (nothing for the in-process engine; a Temporal dev server and workers for issue 13's)
and yields the server's extra arguments and environment. `IN_PROCESS[name]()` makes an unstarted
Executor for the executor-level tests. Add an engine to both, and every test of tests/pipes runs on it:
the `executor` fixtures are parametrised by these names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from flowlang.host.executors import Executor, InProcessExecutor


@dataclass(frozen=True)
class ServedEngine:
    """How to serve with the engine: `flowlang serve` arguments and environment variables."""

    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)


@contextmanager
def _inprocess(directory: Path, db: str | None) -> Iterator[ServedEngine]:
    yield ServedEngine(args=("--engine", "inprocess"))


@contextmanager
def _temporal(directory: Path, db: str | None) -> Iterator[ServedEngine]:
    from temporal.workers import (
        temporal_workers,  # the session's dev server, two workers (skips without it)
    )

    with temporal_workers(directory, db) as (args, env, _):
        yield ServedEngine(args=args, env=env)


SERVED: dict[str, Callable[[Path, str | None], AbstractContextManager[ServedEngine]]] = {
    "inprocess": _inprocess,
    "temporal": _temporal,
}
# Engines that fire schedule pipes on a clock of their own, so the host's test clock (FLOWLANG_TEST_CLOCK) moves
# nothing there: the tests that fire schedules with it skip on them, saying where their schedules are tested.
OWN_SCHEDULES: dict[str, str] = {
    "temporal": "with --engine temporal, Temporal Schedules fire schedule pipes on Temporal's clock, not the host's "
                "test clock: tests/temporal/test_temporal_schedules.py tests them there",
}


def fires_on_the_test_clock(request: pytest.FixtureRequest) -> None:
    """Skip the test on an engine of OWN_SCHEDULES (its `executor` parameter)."""
    engine = request.node.callspec.params.get("executor")
    if engine in OWN_SCHEDULES:
        pytest.skip(OWN_SCHEDULES[engine])


IN_PROCESS: dict[str, Callable[[], Executor]] = {
    "inprocess": lambda: InProcessExecutor(workers=2),
}
