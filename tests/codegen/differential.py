"""Running one flow through both engines: the interpreter in process, the compiled module as a script."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flowlang.codegen import compile_project
from flowlang.interpreter import run_project
from flowlang.loader import load_project
from flowlang.runtime.state import StateStore

_TIME = re.compile(r"^\d\d:\d\d:\d\d ", re.MULTILINE)
_DURATION = re.compile(r" in \d+(\.\d+)?m?s\b")


@dataclass
class Outcome:
    """What one run did, as the user and the servers saw it."""

    exit: int
    stdout: str
    log: list[str]
    requests: list[str]
    state: dict[str, Any]


def normalize_log(stderr: str) -> list[str]:
    """Log lines without their timestamps, and the closing summary without its duration."""
    text = _DURATION.sub(" in <time>", _TIME.sub("", stderr))
    return [line for line in text.splitlines() if line.strip()]


@contextmanager
def environment(cwd: Path, env: dict[str, str]) -> Iterator[None]:
    """Run in `cwd` with `env` added to os.environ, restoring both afterwards."""
    old_cwd, old_env = os.getcwd(), dict(os.environ)
    os.chdir(cwd)
    os.environ.update(env)
    try:
        yield
    finally:
        os.chdir(old_cwd)
        os.environ.clear()
        os.environ.update(old_env)


def compile_to(cwd: Path, file: str, flow: str | None, out: Path) -> None:
    """Compile `file` (relative to `cwd`, as a user would) into `out`."""
    with environment(cwd, {}):
        out.write_text(compile_project(load_project(file), flow), encoding="utf-8")


def run_interpreted(
    cwd: Path, file: str, flow: str | None, env: dict[str, str], input_file: str | None, state: Path
) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    with environment(cwd, env):
        code = run_project(
            load_project(file), flow, input_path=input_file, state_path=str(state),
            stdin=io.StringIO(""), stdout=stdout, stderr=stderr,
        )
    return code, stdout.getvalue(), stderr.getvalue()


def run_compiled(
    cwd: Path, module: Path, env: dict[str, str], input_file: str | None, state: Path
) -> tuple[int, str, str]:
    args = [sys.executable, str(module), "--state", str(state)]
    if input_file is not None:
        args += ["--input", input_file]
    done = subprocess.run(
        args, cwd=cwd, env={**os.environ, **env}, capture_output=True, text=True, timeout=60,
        stdin=subprocess.DEVNULL, check=False,
    )
    return done.returncode, done.stdout, done.stderr


def saved_state(state: Path, slug: str) -> dict[str, Any]:
    if not state.exists():
        return {}
    with StateStore(str(state)) as store:
        loaded: dict[str, Any] = store.load(slug)
        return loaded


def outcome(
    ran: tuple[int, str, str], requests: list[str], state: Path, slug: str
) -> Outcome:
    code, stdout, stderr = ran
    result = json.loads(stdout) if stdout.strip() else None
    return Outcome(code, json.dumps(result), normalize_log(stderr), requests, saved_state(state, slug))


def both(
    cwd: Path,
    file: str,
    flow: str | None,
    env: dict[str, str],
    input_file: str | None,
    work: Path,
    take_requests: Callable[[], list[str]],
    slug: str,
) -> tuple[Outcome, Outcome]:
    """The outcomes of the interpreter and of the compiled module; `take_requests` empties the server log."""
    module = work / "compiled.py"
    compile_to(cwd, file, flow, module)
    take_requests()
    interpreted = run_interpreted(cwd, file, flow, env, input_file, work / "interpreted.db")
    first = outcome(interpreted, take_requests(), work / "interpreted.db", slug)
    compiled = run_compiled(cwd, module, env, input_file, work / "compiled.db")
    second = outcome(compiled, take_requests(), work / "compiled.db", slug)
    return first, second
