"""End-to-end helpers: `flowlang` and compiled modules run as a user runs them, in subprocesses."""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

TIMEOUT = 60
TRACEBACK = "Traceback (most recent call last)"
_TIME = re.compile(r"^\d\d:\d\d:\d\d ", re.M)
_DURATION = re.compile(r" in \d+(\.\d+)?s$", re.M)
_JSON_TIMES = re.compile(r'"time": "[^"]*"|"seconds": [0-9.e-]+|in \d+(\.\d+)?s"')  # --log-format json


@dataclass
class Result:
    """What a user sees of one command: exit code, stdout and stderr."""

    code: int
    out: str
    err: str

    def comparable(self) -> tuple[int, str, str]:
        """Exit code and output without timestamps and durations (and the `wrote` line of compile)."""
        return self.code, self.out, _JSON_TIMES.sub("", _DURATION.sub("", _TIME.sub("", self.err)))


def _env(extra: dict[str, str] | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOWLANG_")}
    env.update(extra or {})
    return env


def run_command(args: list[str], cwd: Path, *, stdin: str | None = None, env: dict[str, str] | None = None,
                memory: int | None = None) -> Result:
    """Run a command as a user would (with at most `memory` bytes of address space when given)."""
    limit = None if memory is None else lambda: resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    done = subprocess.run(args, cwd=cwd, input=stdin, capture_output=True, text=True, timeout=TIMEOUT,
                          env=_env(env), preexec_fn=limit)
    result = Result(done.returncode, done.stdout, done.stderr)
    assert TRACEBACK not in result.err, result.err
    assert "internal error" not in result.err, result.err
    return result


def flowlang(*args: str, cwd: Path, stdin: str | None = None, env: dict[str, str] | None = None,
             memory: int | None = None) -> Result:
    """`flowlang ARGS…` as a user runs it."""
    return run_command([sys.executable, "-m", "flowlang", *args], cwd, stdin=stdin, env=env, memory=memory)


@dataclass
class Both:
    """The same run through `flowlang run` and through the compiled module."""

    interpreted: Result
    compiled: Result

    @property
    def code(self) -> int:
        return self.interpreted.code

    @property
    def err(self) -> str:
        return self.interpreted.err

    @property
    def out(self) -> str:
        return self.interpreted.out


def _compile(flow: Path) -> str:
    """What `flowlang compile` writes, made in this process (setup, not the behaviour under test)."""
    from flowlang.checker import check
    from flowlang.codegen import compile_project
    from flowlang.loader import load_project

    before = os.getcwd()
    os.chdir(flow.parent)  # locations in the module are relative, as `flowlang compile NAME` makes them
    try:
        project = load_project(flow.name)
        assert not [d for d in check(project) if d.is_error]
        return compile_project(project)
    finally:
        os.chdir(before)


_COMPILED: dict[tuple[str, str], str] = {}  # (file name, flow text) -> compiled module: compile once per session


def run_both(flow: Path, *args: str, stdin: str | None = None, env: dict[str, str] | None = None,
             memory: int | None = None) -> Both:
    """Run `flow` with `flowlang run` and as a compiled module (separate state files); they must agree."""
    cwd = flow.parent
    module = flow.with_suffix(".py")
    key = (flow.name, flow.read_text(encoding="utf-8"))
    if key not in _COMPILED:
        _COMPILED[key] = _compile(flow)
    module.write_text(_COMPILED[key], encoding="utf-8")
    with ThreadPoolExecutor(2) as pool:  # both at once: the suite stays fast on two cores
        running = pool.submit(flowlang, "run", flow.name, "--state", "interpreted.db", *args, cwd=cwd, stdin=stdin,
                              env=env, memory=memory)
        compiled = run_command([sys.executable, module.name, "--state", "compiled.db", *args], cwd, stdin=stdin,
                               env=env, memory=memory)
        interpreted = running.result()
    assert compiled.comparable() == interpreted.comparable()
    return Both(interpreted, compiled)


Write = Callable[[str, str], Path]  # the `write` fixture: write(name, text) -> path
