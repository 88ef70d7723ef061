"""Where each name of a file is defined and used: variables per flow, func, test and lambda; funcs, systems,
operations, flows and imports by name across the project. Hover, go-to-definition, references and rename
read it. Variables come from the checker's own scope walk (flowlang/checker/scopes.py), so the editor and
`flowlang check` agree on what is in scope."""

from __future__ import annotations

import bisect
import os
import typing
from dataclasses import dataclass, field

from flowlang import nodes
from flowlang.checker.context import Context
from flowlang.checker.scopes import ScopeChecker, State
from flowlang.checker.tests import TestWalk
from flowlang.checker.traverse import expr_nodes, program_exprs
from flowlang.diagnostics import Span


@dataclass(frozen=True)
class Occurrence:
    """One name in the source: `key` identifies what it names (`var:…`, `func:f`, `op:sys.op`, …)."""

    span: Span
    key: str
    name: str
    kind: str  # variable parameter func builtin system operation flow import
    definition: bool = False


@dataclass
class Scope:
    """A flow, func, test or lambda: the variables it binds, each at its first binding."""

    key: str
    span: Span
    kind: str
    name: str
    bindings: dict[str, Span] = field(default_factory=dict)
    parent: Scope | None = None


@dataclass
class FileIndex:
    """Every occurrence of one file in source order, and its scopes."""

    file: str
    occurrences: list[Occurrence] = field(default_factory=list)
    scopes: list[Scope] = field(default_factory=list)
    _starts: list[tuple[int, int]] = field(default_factory=list)

    def finish(self) -> None:
        self.occurrences.sort(key=lambda o: (o.span.line, o.span.column))
        self._starts = [(o.span.line, o.span.column) for o in self.occurrences]

    def at(self, line: int, column: int) -> Occurrence | None:
        """The occurrence under 1-based (line, column), the column just after a name included."""
        i = bisect.bisect_right(self._starts, (line, column)) - 1
        if i >= 0:
            occ = self.occurrences[i]
            s = occ.span
            if s.line == line and s.column <= column <= s.end_column:
                return occ
        return None

    def scope_at(self, line: int, column: int) -> list[Scope]:
        """The scopes around a position, innermost last."""
        found = [s for s in self.scopes if _contains(s.span, line, column)]
        return sorted(found, key=lambda s: (s.span.line, s.span.column))


def _contains(span: Span, line: int, column: int) -> bool:
    return (span.line, span.column) <= (line, column) <= (span.end_line, span.end_column)


def name_span(span: Span, name: str) -> Span:
    """The span of `name` at the start of `span` (a parameter's span may cover its default too)."""
    return Span(span.file, span.line, span.column, span.line, span.column + len(name))


class _Silent:
    """The checker context of the index's walks: their diagnostics are the checker's to report, not its."""

    def report(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        pass


_SILENT = typing.cast(Context, _Silent())


class _Walk(ScopeChecker):
    """The checker's scope walk of one flow, func or test, recording where each variable is bound and read:
    the index follows exactly the scoping rules the checker follows (flowlang/checker/scopes.py)."""

    def __init__(self, indexer: _Indexer, scope: Scope) -> None:
        super().__init__(_SILENT, scope.span.file, scope.kind)
        self.indexer = indexer
        self.scope = scope
        self.read_names: list[nodes.Name] = []
        self.bound_at: set[tuple[int, int]] = set()
        self.lambdas: dict[int, Scope] = {}

    def bind(self, name: str, span: Span, kind: str, state: set[str]) -> None:
        first = name not in self.bindings
        super().bind(name, span, kind, state)
        if name not in self.bindings:  # `for state in …` (E108) binds nothing
            return
        if kind == "parameter":
            span = name_span(span, name)
        self.bound_at.add((span.line, span.column))
        self.indexer.add(span, f"{self.scope.key}:{name}", name,
                         "parameter" if kind == "parameter" else "variable", first)

    def use(self, name: nodes.Name, state: set[str], count_as_read: bool = True) -> None:
        super().use(name, state, count_as_read)
        self.read_names.append(name)

    def enter_lambda(self, node: nodes.Lambda) -> None:
        inner = self.indexer.scope(node.span, "lambda", "lambda", self.scope)
        self.lambdas[id(node)] = inner
        for ident in node.params:
            first = ident.name not in inner.bindings
            inner.bindings.setdefault(ident.name, ident.span)
            self.indexer.add(ident.span, f"{inner.key}:{ident.name}", ident.name, "parameter", first)

    def use_param(self, name: nodes.Name, owner: nodes.Lambda) -> None:
        self.indexer.add(name.span, f"{self.lambdas[id(owner)].key}:{name.name}", name.name, "variable")

    def done(self) -> None:
        """Record the reads of bound names (a read before the assignment in a loop is that variable too)."""
        for name in self.read_names:
            span = name.span
            if name.name in self.bindings and (span.line, span.column) not in self.bound_at:
                self.indexer.add(span, f"{self.scope.key}:{name.name}", name.name, "variable")
        self.scope.bindings.update((n, self.bound_span(n, b.span, b.kind)) for n, b in self.bindings.items())

    @staticmethod
    def bound_span(name: str, span: Span, kind: str) -> Span:
        return name_span(span, name) if kind == "parameter" else span


class _Indexer:
    def __init__(self, program: nodes.Program, funcs: set[str], import_targets: dict[str, str]) -> None:
        self.index = FileIndex(program.file)
        self.program = program
        self.funcs = funcs
        self.import_targets = import_targets

    def add(self, span: Span, key: str, name: str, kind: str, definition: bool = False) -> None:
        self.index.occurrences.append(Occurrence(span, key, name, kind, definition))

    def run(self) -> FileIndex:
        p = self.program
        for imp in p.imports:
            target = self.import_targets.get(imp.path, imp.path)
            self.add(imp.path_span, f"import:{target}", imp.path, "import")
        for system in p.systems:
            self.add(system.name_span, f"system:{system.name}", system.name, "system", True)
            for op in system.operations:
                self.add(op.name_span, f"op:{system.name}.{op.name}", op.name, "operation", True)
        for expr, _where in program_exprs(p):
            self.calls(expr)
        for func in p.funcs:
            self.add(func.name_span, f"func:{func.name}", func.name, "func", True)
            walk = _Walk(self, self.scope(func.span, "func", func.name, None))
            walk.check_func(func)
            walk.done()
        for flow in p.flows:
            self.add(flow.name_span, f"flow:{flow.name}", flow.name, "flow", True)
            walk = _Walk(self, self.scope(flow.span, "flow", flow.name, None))
            walk.block(flow.body, set())
            walk.done()
        for test in p.tests:
            self.test(test)
        self.index.finish()
        return self.index

    def scope(self, span: Span, kind: str, name: str, parent: Scope | None) -> Scope:
        scope = Scope(f"var:{span.file}:{span.line}:{span.column}", span, kind, name, parent=parent)
        self.index.scopes.append(scope)
        return scope

    def calls(self, root: nodes.Node) -> None:
        """The funcs, builtins, systems and operations an expression calls."""
        for node in expr_nodes(root):
            if isinstance(node, nodes.Call):
                kind = "func" if node.func in self.funcs else "builtin"
                self.add(node.func_span, f"{kind}:{node.func}", node.func, kind)
            elif isinstance(node, nodes.ApiCall):
                self.add(node.system_span, f"system:{node.system}", node.system, "system")
                self.add(node.operation_span, f"op:{node.system}.{node.operation}", node.operation, "operation")

    def test(self, test: nodes.Test) -> None:
        walk = _Walk(self, self.scope(test.span, "test", test.name, None))
        _TestWalk(walk, self).walk(test)
        walk.done()


class _TestWalk(TestWalk):
    """The checker's walk of a test (flowlang/checker/tests.py) with its expressions read by a scope walk
    (for lambdas) and, for the index, its systems, operations, flows and calls recorded."""

    def __init__(self, walk: ScopeChecker, indexer: _Indexer | None = None) -> None:
        self.scopes = walk
        self.indexer = indexer

    def bind(self, target: nodes.Name, defined: set[str]) -> None:
        self.scopes.bind(target.name, target.span, "variable", defined)

    def expression(self, expr: nodes.Node, defined: set[str]) -> None:
        if self.indexer is not None:
            self.indexer.calls(expr)
        self.scopes.read(expr, defined)

    def given(self, given: nodes.Given) -> None:
        if self.indexer is not None:
            self.indexer.add(given.system_span, f"system:{given.system}", given.system, "system")
            self.indexer.add(given.operation_span, f"op:{given.system}.{given.operation}", given.operation,
                             "operation")
            for expr in [*(a.value for a in given.args), *given.responses]:
                self.indexer.calls(expr)

    def given_value(self, given: nodes.GivenValue) -> None:
        if self.indexer is not None:
            self.indexer.calls(given.value)

    def run_flow(self, run: nodes.RunFlow) -> None:
        if self.indexer is not None:
            self.indexer.add(run.flow_span, f"flow:{run.flow}", run.flow, "flow")


# ---------------------------------------------------------------------- the names visible at a position


class _Reached(Exception):
    """The walk has passed the position: what it found there is final."""


class _Visible(ScopeChecker):
    """The checker's scope walk of one flow, func or test up to a position, keeping the names it may read
    there: the state (assigned on every path) of the innermost statement or block around it, and the
    parameters of the lambdas around it."""

    def __init__(self, file: str, kind: str, line: int, column: int) -> None:
        super().__init__(_SILENT, file, kind)
        self.at = (line, column)
        self.found: set[str] = set()
        self.lambdas: dict[str, str] = {}

    def block(self, block: nodes.Block, state: State) -> State:
        if state is not None and _contains(block.span, *self.at):
            self.found = set(state)
        return super().block(block, state)

    def stmt(self, stmt: nodes.Node, state: set[str]) -> State:
        if self.around(stmt.span):
            self.found = set(state)  # a copy: the statement may bind names into `state`
            return super().stmt(stmt, state)
        after = super().stmt(stmt, state)
        # no copy (a 5,000-statement flow would copy its names 5,000 times): what changes this set next is
        # the next statement of the block, and it ends before the position (and replaces `found`) or it
        # holds it (and copies it first) or it starts after it (and stops the walk)
        self.found = state if after is None else after
        return after

    def read(self, expr: nodes.Node, state: set[str]) -> None:
        if _contains(expr.span, *self.at):  # a func parameter's default sees the parameters before it
            self.found = set(state)
        super().read(expr, state)

    def around(self, span: Span) -> bool:
        """Whether the statement (or test item) at `span` holds the position; one after it stops the walk."""
        if (span.line, span.column) > self.at:
            raise _Reached
        return (span.end_line, span.end_column) >= self.at

    def enter_lambda(self, node: nodes.Lambda) -> None:
        if _contains(node.span, *self.at):
            self.lambdas.update((p.name, "lambda parameter") for p in node.params)

    def names(self) -> dict[str, str]:
        """Each visible name -> what it is ("variable", "loop variable", "catch variable", "parameter" or
        "lambda parameter")."""
        found = {n: self.bindings[n].kind for n in self.found if n in self.bindings}
        found.update(self.lambdas)
        return found


class _VisibleTest(_TestWalk):
    """A test's walk up to a position: its items are its statements (as _Visible.stmt)."""

    def __init__(self, walk: _Visible) -> None:
        super().__init__(walk)
        self.visible = walk

    def item(self, item: nodes.TestItem, defined: set[str]) -> None:
        if self.visible.around(item.span):
            self.visible.found = set(defined)
            super().item(item, defined)
        else:
            super().item(item, defined)
            self.visible.found = defined


def visible_names(decl: nodes.Flow | nodes.Func | nodes.Test, line: int, column: int) -> dict[str, str]:
    """The variables and parameters that code at 1-based (line, column) inside `decl` may read, by the
    checker's scoping rules -> what each is (see _Visible.names); `source`, `state` and funcs not included."""
    kind = "flow" if isinstance(decl, nodes.Flow) else "func" if isinstance(decl, nodes.Func) else "test"
    walk = _Visible(decl.span.file, kind, line, column)
    try:
        if isinstance(decl, nodes.Func):
            walk.check_func(decl)
        elif isinstance(decl, nodes.Flow):
            walk.block(decl.body, set())
        else:
            _VisibleTest(walk).walk(decl)
    except _Reached:
        pass
    return walk.names()


def index_program(program: nodes.Program, funcs: set[str], imports: dict[str, str]) -> FileIndex:
    """The index of one file; `funcs`: the func names it sees; `imports`: import path -> loaded file."""
    return _Indexer(program, funcs, imports).run()


def import_targets(program: nodes.Program) -> dict[str, str]:
    """Each import string of a program -> the path of the file it names (as the loader names it)."""
    base = os.path.dirname(program.file)
    return {imp.path: os.path.normpath(os.path.join(base, imp.path)) for imp in program.imports}
