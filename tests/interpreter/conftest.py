"""Fixtures: the corpus server, and running flow text through `run_project` from a temporary folder."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from runtime_http.servers import FakeServer

from .flowcases import ENV, start_flow_server


@pytest.fixture(scope="module")
def flow_server() -> Iterator[FakeServer]:
    with start_flow_server() as server:
        yield server


@pytest.fixture(autouse=True)
def fixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)


@dataclass
class Ran:
    """What one `run_project` call did."""

    exit: int
    stdout: str
    stderr: str

    @property
    def result(self) -> Any:
        return json.loads(self.stdout) if self.stdout.strip() else None


RunFlow = Callable[..., Ran]


@pytest.fixture
def run_flow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RunFlow:
    """`run_flow(text, flow=None, input=None)`: write `main.flow` in tmp_path, check it, and run it there."""
    from flowlang.checker import check
    from flowlang.interpreter import run_project
    from flowlang.loader import load_project

    monkeypatch.chdir(tmp_path)

    def run(text: str, flow: str | None = None, input: Any = None, stdin: str = "") -> Ran:
        (tmp_path / "main.flow").write_text(text, "utf-8")
        project = load_project("main.flow")
        errors = [d for d in project.diagnostics + check(project) if d.is_error]
        assert not errors, errors
        input_path = None
        if input is not None:
            (tmp_path / "input.json").write_text(json.dumps(input), "utf-8")
            input_path = "input.json"
        out, err = io.StringIO(), io.StringIO()
        code = run_project(
            project, flow, input_path=input_path, state_path=str(tmp_path / "state.db"),
            stdin=io.StringIO(stdin), stdout=out, stderr=err,
        )
        return Ran(code, out.getvalue(), err.getvalue())

    return run
