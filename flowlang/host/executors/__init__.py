"""Engines that execute runs for the host: the Executor interface, and the engines by name.

`flowlang serve --engine NAME` (FLOWLANG_ENGINE) picks one; `create_executor(settings)` makes it. An
engine module registers a factory in ENGINES; the in-process one is the default and imports nothing
more. Scheduling, queueing and recording never know which engine runs a flow.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from flowlang.host.executors.base import (
    FINAL_STATUSES,
    Executor,
    ExecutorFull,
    LogLine,
    Recorder,
    RunJob,
    RunOutcome,
)
from flowlang.host.executors.inprocess import InProcessExecutor

if TYPE_CHECKING:
    from flowlang.host.settings import Settings

DEFAULT_ENGINE = "inprocess"


def _inprocess(settings: Settings) -> Executor:
    return InProcessExecutor(workers=settings.workers)


def _temporal(settings: Settings) -> Executor:
    from flowlang.host.executors.temporal import TemporalExecutor  # needs the temporal extra

    if settings.temporal is None:
        raise UnknownEngine("the temporal engine needs --temporal HOST:PORT")
    return TemporalExecutor(settings.temporal)


# engine name -> factory; another engine adds itself here (its imports inside its factory)
ENGINES: dict[str, Callable[[Settings], Executor]] = {DEFAULT_ENGINE: _inprocess, "temporal": _temporal}


class UnknownEngine(ValueError):
    """`--engine` names no engine; the message lists those there are."""


def create_executor(settings: Settings) -> Executor:
    """The executor of `settings.engine`."""
    factory = ENGINES.get(settings.engine)
    if factory is None:
        raise UnknownEngine(f"unknown engine {settings.engine!r}: use one of {', '.join(sorted(ENGINES))}")
    return factory(settings)


__all__ = [
    "DEFAULT_ENGINE",
    "ENGINES",
    "FINAL_STATUSES",
    "Executor",
    "ExecutorFull",
    "InProcessExecutor",
    "LogLine",
    "Recorder",
    "RunJob",
    "RunOutcome",
    "UnknownEngine",
    "create_executor",
]
