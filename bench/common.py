"""Shared helpers of the benchmarks: timing, medians, subprocesses, flows loaded in process, tables."""

from __future__ import annotations

import gc
import importlib.util
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"  # generated data and modules (git-ignored)


@dataclass
class Row:
    """One line of a result table: a label, its measured cells, and whether it met its target."""

    label: str
    cells: dict[str, str]
    verdict: str = ""  # "met", "MISSED" or "" (no target)


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, label: str, *cells: str, verdict: str = "") -> None:
        """A row: its cells in the order of the columns."""
        self.rows.append(Row(label, dict(zip(self.columns, cells, strict=False)), verdict))

    def render(self, markdown: bool = False) -> str:
        headers = ["", *self.columns, "target"]
        body = [[r.label, *(r.cells.get(c, "") for c in self.columns), r.verdict] for r in self.rows]
        if markdown:
            lines = [f"### {self.title}", "", "| " + " | ".join(headers) + " |",
                     "|" + "---|" * len(headers)]
            lines += ["| " + " | ".join(row) + " |" for row in body]
            lines += [""] + [f"- {n}" for n in self.notes]
            return "\n".join(lines) + "\n"
        widths = [max(len(str(x)) for x in column) for column in zip(headers, *body, strict=True)]
        fmt = "  ".join(f"{{:<{w}}}" for w in widths)
        lines = [self.title, "=" * len(self.title), fmt.format(*headers)]
        lines += [fmt.format(*row) for row in body]
        lines += [f"  * {n}" for n in self.notes]
        return "\n".join(lines) + "\n"


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def median_of(samples: Sequence[float]) -> float:
    return statistics.median(samples)


def timed(fn: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    """Seconds of each of `repeat` calls of `fn` (a full GC before each), and the last result."""
    times: list[float] = []
    result: Any = None
    for _ in range(repeat):
        result = None
        gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result


def run_command(args: Sequence[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run a command, raising with its stderr when it fails."""
    done = subprocess.run(list(args), capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {done.returncode}: {done.stderr[-2000:]}")
    return done


def time_command(args: Sequence[str], repeat: int, **kwargs: Any) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU (user + system) seconds of `repeat` runs of a command (each must exit 0)."""
    walls, cpus = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        process = subprocess.Popen(list(args), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kwargs)
        _, status, usage = os.wait4(process.pid, 0)
        walls.append(time.perf_counter() - start)
        process.returncode = os.waitstatus_to_exitcode(status)
        errors = process.stderr.read().decode(errors="replace") if process.stderr else ""
        if process.stderr:
            process.stderr.close()
        if process.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} exited {process.returncode}: {errors[-2000:]}")
        cpus.append(usage.ru_utime + usage.ru_stime)
    return walls, cpus


def calibration() -> float:
    """CPU seconds of a fixed pure-Python loop: how fast this machine runs Python right now."""
    start = time.process_time()
    total = 0
    for i in range(5_000_000):
        total += i
    return time.process_time() - start


def flowlang_command() -> list[str]:
    """The installed `flowlang` console script (next to this Python), else `python -m flowlang.cli`."""
    script = Path(sys.executable).with_name("flowlang")
    if script.exists():
        return [str(script)]
    found = shutil.which("flowlang")
    return [found] if found else [sys.executable, "-c", "from flowlang.cli import main; main()"]


def out_dir() -> Path:
    OUT.mkdir(exist_ok=True)
    return OUT


def load_module(path: Path, name: str) -> ModuleType:
    """Import a Python file (a compiled flow) as a fresh module."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def checked_project(path: Path) -> Any:
    """Load and check a .flow file; raise when it has errors."""
    from flowlang.checker import check
    from flowlang.loader import load_project

    project = load_project(str(path))
    errors = [d for d in check(project) if d.is_error]
    if errors:
        raise RuntimeError(f"{path} has check errors: {errors}")
    return project


class BodyTimer:
    """Wraps a launcher's `run_flow` so that only the flow body is timed (not state, logs, result JSON).

    A full collection runs right before the body, as before every timed hand-written run: otherwise
    the run would inherit the garbage of the launcher's start and of the previous implementation.
    """

    def __init__(self, run_flow: Callable[..., Any]) -> None:
        self._run_flow = run_flow
        self.seconds: list[float] = []
        self.state_dir = tempfile.mkdtemp(prefix="flowlang-bench-")

    def __call__(self, **kwargs: Any) -> Any:
        body = kwargs["body"]

        def timed_body(run: Any) -> Any:
            gc.collect()  # as `timed` does before hand-written code: every run starts with the same heap
            start = time.perf_counter()
            result = body(run)
            self.seconds.append(time.perf_counter() - start)
            return result

        kwargs["body"] = timed_body
        kwargs["stderr"] = io.StringIO()
        kwargs["state_path"] = os.path.join(self.state_dir, "state.db")
        return self._run_flow(**kwargs)


def interpreter_runner(flow_file: Path) -> tuple[BodyTimer, Callable[[Any], Any]]:
    """Run `flow_file`'s only flow in process with the interpreter: (timer, run(source) -> result)."""
    from flowlang.interpreter import compile_project
    from flowlang.runtime.launcher import run_flow

    compiled = compile_project(checked_project(flow_file))
    flow = compiled.select_flow(None)
    timer = BodyTimer(run_flow)

    def run(source: Any) -> Any:
        return timer(flow_name=flow.name, slug=flow.slug, build_systems=compiled.build_systems,
                     body=flow.run, source=source)

    return timer, run


def compile_flow(flow_file: Path, module_path: Path) -> None:
    """`flowlang compile` (in process) into `module_path`."""
    from flowlang.codegen import compile_project

    module_path.write_text(compile_project(checked_project(flow_file)), encoding="utf-8")


def compiled_runner(flow_file: Path, module_path: Path) -> tuple[BodyTimer, Callable[[Any], Any]]:
    """Compile `flow_file`, import the module and run it in process: (timer, run(source) -> result)."""
    compile_flow(flow_file, module_path)
    module = load_module(module_path, f"bench_compiled_{module_path.stem}")
    timer = BodyTimer(module.run_flow)
    module.run_flow = timer  # type: ignore[attr-defined]  # the module's run() calls run_flow(...) by its global name

    def run(source: Any) -> Any:
        return module.run(source)

    return timer, run


@contextmanager
def environment(**values: str) -> Iterator[None]:
    """Set environment variables for the duration of a block (flows read base URLs with env())."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} (1 min), {five:.2f} (5 min)"
