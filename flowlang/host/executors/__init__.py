"""Engines that execute runs for the host: the Executor interface and the in-process executor."""

from __future__ import annotations

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

__all__ = [
    "FINAL_STATUSES",
    "Executor",
    "ExecutorFull",
    "InProcessExecutor",
    "LogLine",
    "Recorder",
    "RunJob",
    "RunOutcome",
]
