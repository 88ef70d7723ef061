"""Fixtures: write flow text into a temporary folder, check it, compile it, and run it both ways."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from flowlang.checker import check
from flowlang.loader import load_project

from .differential import compile_to, environment, normalize_log, run_compiled, run_interpreted

FIXED = {"FLOWLANG_NOW": "2024-05-01T12:00:00Z", "FLOWLANG_SEED": "7"}


@dataclass
class Compiled:
    """A flow file compiled into `module` (both in `folder`)."""

    folder: Path
    file: str
    module: Path

    @property
    def source(self) -> str:
        return self.module.read_text(encoding="utf-8")

    def flow_part(self) -> str:
        """The generated code of the flow itself, without the inlined runtime and the entry points."""
        text = self.source
        start = text.index("# ---------------------------------------------------------------- the flow:")
        end = text.index("# Builtin calls by (line, byte column)")  # absolute lines: not in snapshots
        return text[start:end].rstrip() + "\n"


@dataclass
class Both:
    """What the interpreter and the compiled module did with the same flow."""

    interpreted: tuple[int, Any, list[str]]
    compiled: tuple[int, Any, list[str]]


CompileFlow = Callable[..., Compiled]
RunBoth = Callable[..., Both]


@pytest.fixture
def compile_flow(tmp_path: Path) -> CompileFlow:
    """`compile_flow(text, flow=None, file="main.flow")`: write, check (no errors allowed) and compile."""

    def make(text: str, flow: str | None = None, file: str = "main.flow") -> Compiled:
        (tmp_path / file).write_text(textwrap.dedent(text), encoding="utf-8")
        with environment(tmp_path, {}):
            project = load_project(file)
            errors = [d for d in project.diagnostics + check(project) if d.is_error]
        assert not errors, errors
        module = tmp_path / f"{Path(file).stem}_compiled.py"
        compile_to(tmp_path, file, flow, module)
        return Compiled(tmp_path, file, module)

    return make


@pytest.fixture
def run_both(compile_flow: CompileFlow, tmp_path: Path) -> RunBoth:
    """`run_both(text, input=None, env={})`: the exit code, result and log of both engines."""

    def run(text: str, input: Any = None, env: dict[str, str] | None = None) -> Both:
        compiled = compile_flow(text)
        input_file = None
        if input is not None:
            (tmp_path / "input.json").write_text(json.dumps(input), encoding="utf-8")
            input_file = "input.json"
        full_env = {**FIXED, **(env or {})}
        outcomes = []
        for engine in ("interpreted", "compiled"):
            state = tmp_path / f"{engine}.db"
            if engine == "interpreted":
                code, out, err = run_interpreted(tmp_path, compiled.file, None, full_env, input_file, state)
            else:
                code, out, err = run_compiled(tmp_path, compiled.module, full_env, input_file, state)
            outcomes.append((code, json.loads(out) if out.strip() else None, normalize_log(err)))
        return Both(outcomes[0], outcomes[1])

    return run
