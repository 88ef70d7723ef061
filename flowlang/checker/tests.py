"""Test blocks: `given` targets, `run FLOW`, the names and calls of `expect`, checked like flows are."""

from __future__ import annotations

import re
from typing import Any

from flowlang import nodes
from flowlang.checker.calls import CallChecker
from flowlang.checker.context import Context
from flowlang.checker.samples import UNKNOWN, load_sample
from flowlang.checker.traverse import EXPR_CHILDREN
from flowlang.diagnostics import Span, did_you_mean
from flowlang.systems import SystemModel

LOG_LEVELS = ("debug", "info", "warn", "error", "success", "failure")
# The functions only tests have: calls(SYSTEM.OPERATION) and logs([LEVEL]).
TEST_FUNCTIONS = ("calls", "logs")
# Names a test sees without assigning them: the state after the last run.
TEST_NAMES = ("state",)
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?)?(Z|[+-]\d\d:?\d\d)?")


def operation_ref(expr: nodes.Node) -> tuple[str, str] | None:
    """(system, operation) of the `SYSTEM.OPERATION` argument of calls(); None for anything else."""
    if isinstance(expr, nodes.Attr) and not expr.optional and isinstance(expr.obj, nodes.Name):
        return expr.obj.name, expr.name
    return None


def log_level_ref(expr: nodes.Node) -> str | None:
    """The level named by the argument of logs(): a bare name (`logs(failure)`) or a plain string."""
    if isinstance(expr, nodes.Name):
        return expr.name
    if isinstance(expr, nodes.String) and all(isinstance(p, str) for p in expr.parts):
        return "".join(p for p in expr.parts if isinstance(p, str))
    return None


class TestWalk:
    """The scoping rules of a test block, one item after the other: `state` is there from the start; `run`
    and assignments bind names for the items after them; `given` values see none of them (given() reads
    them). TestChecker checks each part; the language server's index (flowlang/tools/lsp/index.py)
    overrides the same hooks to record where names are bound and read."""

    def walk(self, test: nodes.Test) -> None:
        defined: set[str] = set(TEST_NAMES)
        for item in test.items:
            self.item(item, defined)

    def item(self, item: nodes.TestItem, defined: set[str]) -> None:
        if isinstance(item, nodes.Given):
            self.given(item)
        elif isinstance(item, nodes.GivenValue):
            self.given_value(item)
        elif isinstance(item, nodes.RunFlow):
            if item.source is not None:
                self.expression(item.source, defined)
            self.run_flow(item)
            if isinstance(item.target, nodes.Name):
                self.bind(item.target, defined)
        elif isinstance(item, nodes.Expect):
            self.expression(item.value, defined)
            if item.message is not None:
                self.expression(item.message, defined)
        elif isinstance(item, nodes.Assign):
            self.expression(item.value, defined)
            if isinstance(item.target, nodes.Name):
                if item.op != "=":
                    self.expression(item.target, defined)
                self.bind(item.target, defined)
            else:
                self.expression(item.target, defined)

    def bind(self, target: nodes.Name, defined: set[str]) -> None:
        defined.add(target.name)

    def given(self, given: nodes.Given) -> None:
        """A `given SYSTEM.OPERATION(…) returns …`: its values are read with no test variable defined."""

    def given_value(self, given: nodes.GivenValue) -> None:
        """A `given state|env|now|cassette|secret …` (read as given())."""

    def run_flow(self, run: nodes.RunFlow) -> None:
        """A `run FLOW`, after its source was read and before its target is bound."""

    def expression(self, expr: nodes.Node, defined: set[str]) -> None:
        """An expression read with the names `defined` so far."""


class TestChecker(TestWalk):
    """Checks the tests of one file."""

    def __init__(self, ctx: Context, file: str) -> None:
        self.ctx = ctx
        self.file = file
        self.calls = CallChecker(ctx, file)
        self.systems = ctx.systems_for(file)
        self.flows = {f.name: (f, path) for path, p in ctx.project.programs.items()
                      if path in ctx.visible.get(file, {file}) for f in p.flows}
        self.samples: dict[str, Any] = {}

    def check(self, test: nodes.Test) -> None:
        self.walk(test)
        if not any(isinstance(item, nodes.RunFlow) for item in test.items):
            self.ctx.report("E121", f"test \"{test.name}\" runs no flow", test.name_span,
                            "add `result = run FLOW` before its expectations")

    # ------------------------------------------------------------------ given

    def system(self, name: str, span: Span) -> SystemModel | None:
        system = self.systems.get(name)
        if system is None and not self.ctx.incomplete:
            hint = did_you_mean(name, self.systems)
            if hint is None and name in self.ctx.systems:
                hint = f"'{name}' is declared in {self.ctx.systems[name].file}: import it"
            self.ctx.report("E200", f"unknown system '{name}'", span, hint)
        return system

    def operation(self, system: str, system_span: Span, operation: str, span: Span) -> Any:
        model = self.system(system, system_span)
        if model is None:
            return None
        op = model.operations.get(operation)
        if op is None and model.complete and not self.ctx.incomplete:
            hint = did_you_mean(operation, model.operations) or self.calls.operations_hint(model)
            self.ctx.report("E201", f"system '{system}' has no operation '{operation}'", span, hint)
        return op

    def given(self, given: nodes.Given) -> None:
        op = self.operation(given.system, given.system_span, given.operation, given.operation_span)
        label = f"{given.system}.{given.operation}"
        for arg in given.args:
            if arg.name is None:
                self.ctx.report("E209", f"arguments of {label}() must be named", arg.span,
                                "match on them by name: given sys.op(id: \"C1\") returns …")
            elif op is not None and arg.name not in op.argument_names and not op.from_spec:
                hint = did_you_mean(arg.name, op.argument_names)
                self.ctx.report("E210", f"{label}() has no argument '{arg.name}'", arg.span, hint)
            self.expression(arg.value, set())
        for response in given.responses:
            self.expression(response, set())
            if isinstance(response, nodes.ObjectLit):
                keys = {e.key: e for e in response.entries}
                for key, entry in keys.items():
                    if key not in ("status", "headers", "body"):
                        self.ctx.report("E122", f"a canned response has no field '{key}'", entry.key_span,
                                        did_you_mean(key, ("status", "headers", "body"))
                                        or "a response is {status, headers?, body?}")
                if "status" not in keys:
                    self.ctx.report("E122", "a canned response needs a `status`", response.span,
                                    "write {status: 200, body: …}")
            elif not isinstance(response, nodes.Name | nodes.Attr | nodes.Index | nodes.Call):
                self.ctx.report("E122", "a canned response is an object {status, headers?, body?}", response.span)

    def given_value(self, given: nodes.GivenValue) -> None:
        self.expression(given.value, set())
        value = given.value
        if given.kind in ("state", "env") and not isinstance(value, nodes.ObjectLit | nodes.Name | nodes.Call):
            self.ctx.report("E122", f"`given {given.kind}` takes an object", value.span,
                            f"given {given.kind} {{key: value}}")
        elif given.kind in ("now", "cassette", "secret"):
            text = _plain(value)
            if text is None and isinstance(value, nodes.Literal | nodes.ListLit | nodes.ObjectLit):
                self.ctx.report("E122", f"`given {given.kind}` takes a string", value.span)
            elif given.kind == "now" and text is not None and not _TIMESTAMP.fullmatch(text):
                self.ctx.report("E122", f"`given now` needs an ISO 8601 timestamp, not \"{text}\"", value.span,
                                'given now "2025-01-15T12:00:00Z"')

    # ------------------------------------------------------------------ run

    def run_flow(self, run: nodes.RunFlow) -> None:
        if run.source is not None:
            self.source_fields(run)
        if run.flow not in self.flows and not self.ctx.incomplete:
            hint = did_you_mean(run.flow, self.flows) or (
                "its flows: " + ", ".join(sorted(self.flows)) if self.flows else "import the file that declares it")
            self.ctx.report("E120", f"unknown flow '{run.flow}'", run.flow_span, hint)

    def source_fields(self, run: nodes.RunFlow) -> None:
        """Fields of a literal `with source: {…}` that the flow's `source:` sample does not have (W202)."""
        entry = self.flows.get(run.flow)
        if entry is None or not isinstance(run.source, nodes.ObjectLit):
            return
        flow, path = entry
        sample = load_sample(self.ctx, flow, path, self.samples)
        if sample is UNKNOWN or not isinstance(sample, dict):
            return
        for item in run.source.entries:
            if item.key not in sample:
                hint = did_you_mean(item.key, sample) or ("fields there: " + ", ".join(list(sample)[:8]))
                self.ctx.report("W202", f"field '{item.key}' is not in the source sample of flow {run.flow}",
                                item.key_span, hint)

    # ------------------------------------------------------------------ expressions

    def expression(self, expr: nodes.Node, defined: set[str]) -> None:
        """Names, builtin calls and object keys of a test expression; calls() and logs() are the test's own."""
        stack: list[tuple[nodes.Node, frozenset[str]]] = [(expr, frozenset())]
        while stack:
            node, bound = stack.pop()
            if isinstance(node, nodes.Call) and node.func in TEST_FUNCTIONS and node.func not in self.calls.funcs:
                self.test_function(node)
                continue
            if isinstance(node, nodes.Name):
                if node.name not in defined and node.name not in bound:
                    self.undefined(node, defined)
            elif isinstance(node, nodes.Call) and node.func in self.calls.funcs:
                self.ctx.report("E124", f"a test calls builtins, calls() and logs(), not the func '{node.func}'",
                                node.func_span, "run a flow that calls it, and expect on its result")
            elif isinstance(node, nodes.Call):
                self.calls.call(node)
            elif isinstance(node, nodes.ApiCall):
                self.ctx.report("E123", "a test does not call systems itself", node.span,
                                "mock the operation with `given`, run the flow, and look at calls(SYSTEM.OPERATION)")
                continue
            elif isinstance(node, nodes.ObjectLit):
                self.calls.object_keys(node)
            elif isinstance(node, nodes.Lambda):
                stack.append((node.body, bound | {p.name for p in node.params}))
                continue
            stack.extend((child, bound) for child in reversed(EXPR_CHILDREN[type(node)](node)))

    def undefined(self, name: nodes.Name, defined: set[str]) -> None:
        hint = did_you_mean(name.name, sorted(defined))
        if name.name == "result":
            hint = "assign it: `result = run FLOW`"
        elif name.name == "source":
            hint = "a test gives the flow its input with `run FLOW with source: …`"
        self.ctx.report("E101", f"undefined variable '{name.name}'", name.span, hint)

    def test_function(self, call: nodes.Call) -> None:
        args = call.args
        if call.func == "calls":
            ref = operation_ref(args[0].value) if len(args) == 1 and args[0].name is None else None
            if ref is None:
                self.ctx.report("E124", "calls() takes one SYSTEM.OPERATION", call.span,
                                "calls(p21.list_customers)")
                return
            value = args[0].value
            assert isinstance(value, nodes.Attr) and isinstance(value.obj, nodes.Name)
            self.operation(ref[0], value.obj.span, ref[1], value.name_span)
            return
        if len(args) > 1 or any(a.name is not None for a in args):
            self.ctx.report("E124", "logs() takes at most one log level", call.span, "logs(failure)")
            return
        if args:
            level = log_level_ref(args[0].value)
            if level is None:
                self.ctx.report("E124", "logs() takes a log level: " + ", ".join(LOG_LEVELS), args[0].span)
            elif level not in LOG_LEVELS:
                self.ctx.report("E124", f"unknown log level '{level}'", args[0].span,
                                did_you_mean(level, LOG_LEVELS) or "use one of: " + ", ".join(LOG_LEVELS))


def _plain(expr: nodes.Node) -> str | None:
    if isinstance(expr, nodes.String) and all(isinstance(p, str) for p in expr.parts):
        return "".join(p for p in expr.parts if isinstance(p, str))
    return None


def check_tests(ctx: Context) -> None:
    """Every test of the project; a test name used twice in one file is E125."""
    for file, program in ctx.project.programs.items():
        if not program.tests:
            continue
        checker = TestChecker(ctx, file)
        seen: dict[str, nodes.Test] = {}
        for test in program.tests:
            if test.name in seen:
                self_line = seen[test.name].name_span.line
                ctx.report("E125", f"duplicate test \"{test.name}\"", test.name_span, f"first declared at line {self_line}")
            seen.setdefault(test.name, test)
            checker.check(test)
