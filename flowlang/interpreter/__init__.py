"""The interpreter: runs a checked project by compiling its AST once into Python closures.

Public API: `run_project` (what `flowlang run` calls), `compile_project`, `eval_expression`,
`compile_expression` (what `flowlang test` evaluates `expect` with).

Design: every node becomes a closure `(frame) -> value` (one `compile_<Node>` per node class, checked at
import). A frame is a dict of variables per flow or func call; lambdas get a small frame linked to their
parent; a parallel iteration gets a copy whose `+=`/`-=` reach the scope it was copied from, under
`run.lock`. `break`/`continue`/`return` are values returned by statements, not exceptions. All value
semantics come from runtime/values.py and the stdlib, so the code generator behaves the same; the
closures only add fast paths that give the same results (plain look-ups for `x.a.b`, int arithmetic).
Decisions: `and`/`or`/`not` give booleans; `try` catches every FlowError except kind "limit".
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TextIO

from flowlang import nodes
from flowlang.interpreter import access, calls, expressions, program, statements
from flowlang.interpreter.core import RUN, Ctx, check_complete, compile_node
from flowlang.interpreter.program import CompiledFlow, CompiledProgram, CompiledSystem
from flowlang.runtime.config import SystemConfig
from flowlang.runtime.errors import FlowError, Where

__all__ = [
    "CompiledFlow",
    "CompiledProject",
    "DetachedRun",
    "compile_expression",
    "compile_project",
    "eval_expression",
    "run_project",
]

_ = (access, calls, expressions, statements)  # importing them registers their compile_<Node> functions
check_complete()

EXIT_USAGE = 2
STACK_LIMIT = 10_000  # as the launcher sets for a run


class DetachedRun:
    """The run seen by expressions evaluated outside a flow (eval_expression, system settings)."""

    def __init__(self, source: Any = None, state: dict[str, Any] | None = None) -> None:
        self.source = source
        self.state: dict[str, Any] = state if state is not None else {}
        self.lock = threading.Lock()

    def _outside(self, what: str, where: Where) -> FlowError:
        return FlowError("data", f"{what} needs a running flow", where)

    def call(self, system: str, operation: str, args: dict[str, Any], where: Where) -> Any:
        raise self._outside(f"call {system}.{operation}", where)

    def each(self, system: str, operation: str, args: dict[str, Any], where: Where) -> Any:
        raise self._outside(f"each {system}.{operation}", where)

    def log(self, level: str, value: Any, where: Where) -> None:
        raise self._outside("log", where)

    def wait(self, seconds: Any, where: Where) -> None:
        raise self._outside("wait", where)

    def checkpoint(self, where: Where) -> None:
        raise self._outside("checkpoint", where)

    def step(self, where: Where) -> None:
        return None

    def enter_call(self, name: str, where: Where) -> None:
        return None

    def exit_call(self) -> None:
        return None


@dataclass
class CompiledProject:
    """Every file of a project compiled: the root file's flows, and all systems and funcs."""

    root: str
    programs: list[CompiledProgram]

    @property
    def flows(self) -> list[CompiledFlow]:
        """The flows of the root file, the ones `flowlang run` may select."""
        return [f for p in self.programs if p.file == self.root for f in p.flows]

    @property
    def systems(self) -> list[CompiledSystem]:
        return [s for p in self.programs for s in p.systems]

    def build_systems(self) -> dict[str, SystemConfig]:
        """Evaluate every system's settings (at run start, with the run's env and secrets active)."""
        frame = {RUN: DetachedRun()}
        built: dict[str, SystemConfig] = {}
        for system in self.systems:
            built.setdefault(system.name, system.build(frame))
        return built

    def select_flow(self, name: str | None) -> CompiledFlow:
        """The flow called `name` (identifier, slug or `name:` setting), or the root file's only flow.

        Raises LookupError with a message that lists the flows.
        """
        flows = self.flows
        listing = ", ".join(f.name for f in flows) or "none"
        if name is None:
            if len(flows) == 1:
                return flows[0]
            if not flows:
                raise LookupError(f"{self.root} declares no flow")
            raise LookupError(f"{self.root} declares several flows; choose one with --flow: {listing}")
        for key in ("name", "slug", "title"):
            for flow in flows:
                if getattr(flow, key) == name:
                    return flow
        raise LookupError(f"{self.root} has no flow '{name}'; its flows: {listing}")


@contextmanager
def _deep_stack() -> Iterator[None]:
    """Room on the Python stack for the deepest nesting the parser accepts (400 levels)."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, STACK_LIMIT))
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def compile_project(project: Any, counting: bool = False) -> CompiledProject:
    """Compile a loaded (and checked) `flowlang.loader.Project` once; run it any number of times.

    `counting`: the statements report to `run.hit` as they begin (the flowchart's per-node counts of a
    run made with `count_locations`); without it they do not, and cost nothing more.
    """
    from flowlang.keysites import key_sites
    from flowlang.stdlib import load_all
    from flowlang.systems import build_systems as system_models

    parsed: list[nodes.Program] = list(project.programs.values())
    models, _ = system_models(parsed)
    ctx = Ctx(funcs=program.declare_funcs(parsed), builtins=load_all(), systems=models, counting=counting,
              key_sites=key_sites(parsed))
    with _deep_stack():
        return CompiledProject(project.root, [program.compile_Program(p, ctx) for p in parsed])


def run_project(
    project: Any,
    flow_name: str | None,
    *,
    input_path: str | None = None,
    state_path: str | None = None,
    env_file: str | None = None,
    log_format: str = "text",
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    max_steps: int | None = None,
    log_level: str = "debug",
    quiet: bool = False,
    wait_lock: bool = False,
    force: bool = False,
    plan: bool = False,
    plan_format: str = "text",
    make_http: Callable[..., Any] | None = None,
) -> int:
    """Run one flow of a checked project, as `flowlang run` does; returns the exit code (0, 2 or 3).

    The streams default to sys.stdin/stdout/stderr as they are when the run starts. The options are those
    of `launcher.launch`; a flow with `enabled: false` runs only with `force`. `make_http` replaces the
    run's HTTP client factory (`--record` wraps the network with it).
    """
    from flowlang.runtime.launcher import launch

    stdin = sys.stdin if stdin is None else stdin
    stdout = sys.stdout if stdout is None else stdout
    stderr = sys.stderr if stderr is None else stderr
    compiled = compile_project(project)
    try:
        flow = compiled.select_flow(flow_name)
    except LookupError as exc:
        stderr.write(f"error: {exc.args[0]}\n")
        return EXIT_USAGE
    return launch(
        file=flow.file,
        flow_name=flow.name,
        slug=flow.slug,
        build_systems=compiled.build_systems,
        body=flow.run,
        input_path=input_path,
        state_path=state_path,
        env_file=env_file,
        log_format=log_format,
        stdin=stdin,
        stdout=stdout,
        stderr=stderr,
        max_steps=max_steps,
        log_level=log_level,
        quiet=quiet,
        wait_lock=wait_lock,
        enabled=flow.enabled,
        force=force,
        plan=plan,
        plan_format=plan_format,
        **({} if make_http is None else {"make_http": make_http}),
    )


def eval_expression(text: str, variables: dict[str, Any] | None = None) -> Any:
    """Evaluate one flowlang expression with the builtins; `variables` become names in scope.

    `source` and `state` among the variables are seen as the run's input and state.
    """
    from flowlang.syntax.parser import parse_expression

    return compile_expression(parse_expression(text, "<expr>"))(variables or {})


def compile_expression(expr: nodes.Node) -> Callable[[dict[str, Any]], Any]:
    """A parsed expression compiled once, with the builtins (no funcs); call it with the names in scope.

    `source` and `state` among the names are seen as the run's input and state.
    """
    from flowlang.stdlib import load_all

    with _deep_stack():
        fn = compile_node(expr, Ctx(funcs={}, builtins=load_all()))

    def evaluate(variables: dict[str, Any]) -> Any:
        values = dict(variables)
        run = DetachedRun(values.pop("source", None), values.pop("state", None))
        with _deep_stack():
            return fn({**values, RUN: run})

    return evaluate
