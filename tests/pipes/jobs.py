"""Helpers of the executor-level pipes tests: a Recorder that keeps everything in memory, and RunJobs of
the flows in examples/ (not in conftest.py: other test folders have a conftest module of that name)."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from typing import Any

from flowlang.host.executors import LogLine, RunJob, RunOutcome

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


class MemoryRecorder:
    """A Recorder that keeps logs, state and outcomes in dicts; `wait(run_id)` blocks until a run ends."""

    def __init__(self) -> None:
        self.lines: dict[str, list[LogLine]] = {}
        self.states: dict[tuple[str, str], dict[str, Any]] = {}
        self.outcomes: dict[str, RunOutcome] = {}
        self.saves = 0
        self._done = threading.Condition()

    def log_lines(self, run_id: str, lines: list[LogLine]) -> None:
        with self._done:
            self.lines.setdefault(run_id, []).extend(lines)

    def load_state(self, project: str, state_key: str) -> dict[str, Any]:
        with self._done:
            return dict(self.states.get((project, state_key), {}))

    def save_state(self, project: str, state_key: str, state: dict[str, Any]) -> None:
        with self._done:
            self.states[(project, state_key)] = dict(state)
            self.saves += 1

    def finish(self, run_id: str, outcome: RunOutcome) -> None:
        with self._done:
            assert run_id not in self.outcomes, f"run {run_id} finished twice"
            self.outcomes[run_id] = outcome
            self._done.notify_all()

    def wait(self, run_id: str, timeout: float = 30) -> RunOutcome:
        with self._done:
            assert self._done.wait_for(lambda: run_id in self.outcomes, timeout), f"run {run_id} did not end"
            return self.outcomes[run_id]

    def messages(self, run_id: str) -> list[str]:
        with self._done:
            return [line.message for line in self.lines.get(run_id, [])]


def example_files(*names: str) -> dict[str, str]:
    """Files of examples/ by their name there (what a stored flow version holds)."""
    return {name: (EXAMPLES / name).read_text(encoding="utf-8") for name in names}


def job(root: str, files: dict[str, str], *, input: Any = None, credentials: dict[str, str] | None = None,
        state_key: str = "flow-1", version: int = 1) -> RunJob:
    return RunJob(run_id=uuid.uuid4().hex, project="acme", flow_id="flow-1", flow_name=None,
                  version=version, root=root, files=files, input=input,
                  credentials=credentials or {}, state_key=state_key)
