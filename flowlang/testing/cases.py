"""Running one `test` block on one engine: its `given` lines, its runs, and its expectations with their diffs."""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flowlang import nodes
from flowlang.diagnostics import source_lines
from flowlang.interpreter import compile_expression
from flowlang.runtime.values import to_json, truthy
from flowlang.testing.engines import Engines, FlowRun, Setup, run_flow
from flowlang.testing.mocks import Canned

CALLS_PREFIX, LOGS_PREFIX = "calls:", "logs:"
SHOWN_LINES = 8  # of a test line written over several lines, the lines a failure shows
SHORT = 60  # values whose JSON is no longer are shown without a diff
_INTERNAL = re.compile(r"\b(calls|logs):([\w.]*)")  # the names `rewrite` gives calls(…) and logs(…)


@dataclass
class Failure:
    """One failed expectation (or a run that could not count): where, the source text, and what was seen."""

    where: nodes.Span
    text: str
    details: list[str] = field(default_factory=list)


@dataclass
class CaseResult:
    """One test on one engine."""

    engine: str
    failures: list[Failure]
    runs: list[FlowRun]
    observed: list[Any]  # what each expectation saw, to compare the engines


class TestError(Exception):
    """A `given` or `with source:` value that cannot be used (evaluated wrongly, a bad cassette)."""


def rewrite(node: Any) -> Any:
    """calls(SYS.OP) and logs([LEVEL]) as names the test frame holds ("calls:sys.op", "logs:failure")."""
    if isinstance(node, nodes.Call) and node.func in ("calls", "logs"):
        arg = node.args[0].value if node.args else None
        if node.func == "calls" and isinstance(arg, nodes.Attr) and isinstance(arg.obj, nodes.Name):
            return nodes.Name(node.span, f"{CALLS_PREFIX}{arg.obj.name}.{arg.name}")
        if node.func == "logs":
            if arg is None:
                return nodes.Name(node.span, LOGS_PREFIX)
            if isinstance(arg, nodes.Name):
                return nodes.Name(node.span, LOGS_PREFIX + arg.name)
            if isinstance(arg, nodes.String) and all(isinstance(p, str) for p in arg.parts):
                return nodes.Name(node.span, LOGS_PREFIX + "".join(p for p in arg.parts if isinstance(p, str)))
    if isinstance(node, nodes.Node):
        values = {name: rewrite(getattr(node, name)) for name in nodes.node_fields(node)}
        return type(node)(**values)
    if type(node) is tuple:  # not a Span (a named tuple)
        return tuple(rewrite(item) for item in node)
    return node


class Evaluator:
    """Evaluates the expressions of one test, each compiled once (shared by both engines)."""

    def __init__(self) -> None:
        self._compiled: dict[int, Any] = {}

    def __call__(self, expr: nodes.Node, frame: dict[str, Any]) -> Any:
        fn = self._compiled.get(id(expr))
        if fn is None:
            fn = self._compiled[id(expr)] = (expr, compile_expression(rewrite(expr)))
        return fn[1](frame)


def show(value: Any) -> str:
    try:
        return to_json(value)
    except (TypeError, ValueError):
        return repr(value)


def diff(expected: Any, actual: Any) -> list[str]:
    """A line diff of two values as indented JSON (- expected, + actual); [] when both fit on a short line."""
    if len(show(expected)) <= SHORT and len(show(actual)) <= SHORT:
        return []
    left, right = _pretty(expected), _pretty(actual)
    lines = difflib.unified_diff(left.splitlines(), right.splitlines(), "expected", "actual", lineterm="", n=3)
    return [line for line in list(lines)[2:] if not line.startswith("@@")]


def _pretty(value: Any) -> str:
    try:
        return json.dumps(json.loads(to_json(value)), indent=2, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError):
        return repr(value)


class TestCase:
    """A test block with what it needs to run: its file's source, and the projects of the flows it runs."""

    def __init__(self, test: nodes.Test, file: str, source: str, projects: dict[str, Any],
                 base_dir: str, evaluate: Evaluator, cassettes: Any = None) -> None:
        self.test = test
        self.file = file
        self.source_lines = source_lines(source)
        self.projects = projects  # flow name -> the project rooted at the file declaring it
        self.base_dir = base_dir
        self.evaluate = evaluate
        self.cassettes = cassettes  # testing.cassettes, imported by the runner when a test replays one

    @property
    def name(self) -> str:
        return self.test.name

    def text(self, node: nodes.Node) -> str:
        """The source of a test line; one over several lines keeps its layout (up to SHOWN_LINES lines)."""
        span = node.span
        if span.line == span.end_line:
            return self.source_lines[span.line - 1][span.column - 1:span.end_column - 1]
        indent = span.column - 1
        lines = [line[indent:] if line[:indent].isspace() else line.strip()
                 for line in self.source_lines[span.line - 1:span.end_line]]
        if len(lines) > SHOWN_LINES:
            lines = [*lines[:SHOWN_LINES - 1], "…"]
        return "\n".join(lines)

    def run(self, engines: Engines, engine: str) -> CaseResult:
        frame: dict[str, Any] = {"state": {}}
        setup = Setup()
        failures: list[Failure] = []
        runs: list[FlowRun] = []
        observed: list[Any] = []
        for item in self.test.items:
            try:
                if isinstance(item, nodes.Given):
                    setup.canned.append(self.canned(item, frame))
                elif isinstance(item, nodes.GivenValue):
                    self.given_value(item, frame, setup)
                elif isinstance(item, nodes.RunFlow):
                    run = self.run_flow(engines, engine, item, frame, setup)
                    runs.append(run)
                    if run.problems:
                        failures.append(Failure(item.span, self.text(item), run.problems))
                        break
                elif isinstance(item, nodes.Expect):
                    failure, seen = self.expect(item, frame)
                    observed.append(seen)
                    if failure is not None:
                        failures.append(failure)
                elif isinstance(item, nodes.Assign) and isinstance(item.target, nodes.Name):
                    frame[item.target.name] = self.evaluate(item.value, frame)
                    observed.append(frame[item.target.name])
            except TestError as exc:
                failures.append(Failure(item.span, self.text(item), [str(exc)]))
                break
            except Exception as exc:  # a FlowError of either engine: evaluating a test expression failed
                message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
                message = _INTERNAL.sub(lambda m: f"{m[1]}({m[2]})", message)
                failures.append(Failure(item.span, self.text(item), [f"error: {message}"]))
                break
        return CaseResult(engine, failures, runs, observed)

    def canned(self, given: nodes.Given, frame: dict[str, Any]) -> Canned:
        args = {a.name: self.evaluate(a.value, frame) for a in given.args if a.name is not None}
        responses = []
        for expr in given.responses:
            value = self.evaluate(expr, frame)
            if not isinstance(value, dict) or not isinstance(value.get("status"), int):
                raise TestError(f"a canned response is {{status, headers?, body?}} with a whole-number status, "
                                f"not {show(value)}")
            responses.append(value)
        return Canned(given.system, given.operation, args, responses, given.fault, given.span.line)

    def given_value(self, given: nodes.GivenValue, frame: dict[str, Any], setup: Setup) -> None:
        value = self.evaluate(given.value, frame)
        if given.kind in ("state", "env"):
            if not isinstance(value, dict):
                raise TestError(f"`given {given.kind}` takes an object, not {show(value)}")
            if given.kind == "state":
                setup.state.update(value)
            else:
                setup.env.update({str(k): v if isinstance(v, str) else show(v) for k, v in value.items()})
        elif given.kind == "secret":
            if not isinstance(value, str):
                raise TestError(f"`given secret {given.name}` takes a string")
            setup.secrets[str(given.name)] = value
        elif given.kind == "now":
            try:
                moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
            except ValueError:
                raise TestError(f"`given now` needs an ISO 8601 timestamp, not {show(value)}") from None
            setup.now = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        elif given.kind == "cassette":
            if self.cassettes is None:
                raise TestError("cassettes are not available")
            setup.cassette = self.cassettes.load(str(value), self.base_dir)

    def run_flow(self, engines: Engines, engine: str, item: nodes.RunFlow, frame: dict[str, Any],
                 setup: Setup) -> FlowRun:
        source = self.evaluate(item.source, frame) if item.source is not None else None
        project = self.projects[item.flow]
        transport = setup.cassette.transport() if setup.cassette is not None else None
        run = run_flow(engines, engine, project, item.flow, setup, source, transport)
        if isinstance(item.target, nodes.Name):
            frame[item.target.name] = run.result
        frame["state"] = run.state
        for key in [k for k in frame if k.startswith((CALLS_PREFIX, LOGS_PREFIX))]:
            del frame[key]
        for operation in self.operations():
            frame[CALLS_PREFIX + operation] = run.calls.get(operation, [])
        frame[LOGS_PREFIX] = [r["message"] for r in run.logs]
        for level in ("debug", "info", "warn", "error", "success", "failure"):
            frame[LOGS_PREFIX + level] = [r["message"] for r in run.logs if r["level"] == level]
        return run

    def operations(self) -> set[str]:
        found = set()
        for item in self.test.items:
            for node in nodes.walk(item):
                if isinstance(node, nodes.Call) and node.func == "calls" and node.args:
                    arg = node.args[0].value
                    if isinstance(arg, nodes.Attr) and isinstance(arg.obj, nodes.Name):
                        found.add(f"{arg.obj.name}.{arg.name}")
        return found

    def expect(self, item: nodes.Expect, frame: dict[str, Any]) -> tuple[Failure | None, Any]:
        value = item.value
        if isinstance(value, nodes.Binary) and value.op in ("==", "!=", "<", "<=", ">", ">=", "in", "not in"):
            left, right = self.evaluate(value.left, frame), self.evaluate(value.right, frame)
            passed = truthy(self.evaluate(value, frame))
            if passed:
                return None, [left, right]
            details = [f"left:  {show(left)}", f"right: {show(right)}"]
            if value.op in ("in", "not in"):
                details = [f"{show(left)} is {'not ' if value.op == 'in' else ''}in {show(right)}"]
            if value.op == "==":
                details = [f"expected: {show(right)}", f"actual:   {show(left)}", *diff(right, left)]
        else:
            seen = self.evaluate(value, frame)
            if truthy(seen):
                return None, seen
            details = [f"value: {show(seen)}"]
        if item.message is not None:
            details.insert(0, str(self.evaluate(item.message, frame)))
        return Failure(item.span, self.text(item), details), None
