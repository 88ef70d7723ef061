"""Where each name of a file is defined and used: variables per flow, func, test and lambda; funcs, systems,
operations, flows and imports by name across the project. Hover, go-to-definition, references and rename
read it."""

from __future__ import annotations

import bisect
import os
from dataclasses import dataclass, field

from flowlang import nodes
from flowlang.checker.context import FLOW_NAMES
from flowlang.checker.traverse import EXPR_CHILDREN
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
            for setting in system.settings:
                self.expr(setting.value, None)
            for op in system.operations:
                for setting in op.options:
                    self.expr(setting.value, None)
        for func in p.funcs:
            self.add(func.name_span, f"func:{func.name}", func.name, "func", True)
            scope = self.scope(func.span, "func", func.name, None)
            for param in func.params:
                span = name_span(param.span, param.name)
                self.bind(scope, param.name, span, "parameter")
                if param.default is not None:
                    self.expr(param.default, None)
            self.block(func.body, scope)
        for flow in p.flows:
            self.add(flow.name_span, f"flow:{flow.name}", flow.name, "flow", True)
            scope = self.scope(flow.span, "flow", flow.name, None)
            for setting in flow.settings:
                self.expr(setting.value, scope)
            self.block(flow.body, scope)
        for test in p.tests:
            scope = self.scope(test.span, "test", test.name, None)
            for item in test.items:
                self.test_item(item, scope)
        self.index.finish()
        return self.index

    def scope(self, span: Span, kind: str, name: str, parent: Scope | None) -> Scope:
        scope = Scope(f"var:{span.file}:{span.line}:{span.column}", span, kind, name, parent=parent)
        self.index.scopes.append(scope)
        return scope

    def bind(self, scope: Scope, name: str, span: Span, kind: str = "variable") -> None:
        first = name not in scope.bindings
        if first:
            scope.bindings[name] = span
        self.add(span, f"{scope.key}:{name}", name, kind, first)

    def lookup(self, scope: Scope | None, name: str) -> Scope | None:
        while scope is not None and name not in scope.bindings:
            scope = scope.parent
        return scope

    def block(self, block: nodes.Block, scope: Scope) -> None:
        for stmt in block.stmts:
            self.stmt(stmt, scope)

    def stmt(self, stmt: nodes.Node, scope: Scope) -> None:
        if isinstance(stmt, nodes.Assign):
            self.expr(stmt.value, scope)
            target = stmt.target
            if isinstance(target, nodes.Name) and target.name not in FLOW_NAMES:
                owner = self.lookup(scope, target.name) if stmt.op != "=" else None
                self.bind(owner or scope, target.name, target.span)
            else:
                self.expr(target, scope)
        elif isinstance(stmt, nodes.If):
            self.expr(stmt.cond, scope)
            self.block(stmt.body, scope)
            if isinstance(stmt.orelse, nodes.If):
                self.stmt(stmt.orelse, scope)
            elif stmt.orelse is not None:
                self.block(stmt.orelse, scope)
        elif isinstance(stmt, nodes.For):
            self.expr(stmt.iterable, scope)
            if stmt.parallel is not None:
                self.expr(stmt.parallel, scope)
            for ident in stmt.names:
                self.bind(scope, ident.name, ident.span)
            self.block(stmt.body, scope)
        elif isinstance(stmt, nodes.While):
            self.expr(stmt.cond, scope)
            self.block(stmt.body, scope)
        elif isinstance(stmt, nodes.Try):
            self.block(stmt.body, scope)
            if stmt.err is not None:
                self.bind(scope, stmt.err.name, stmt.err.span)
            self.block(stmt.handler, scope)
        elif isinstance(stmt, nodes.Return):
            if stmt.value is not None:
                self.expr(stmt.value, scope)
        elif isinstance(stmt, nodes.Fail | nodes.Log | nodes.Wait):
            self.expr(stmt.value, scope)
        elif isinstance(stmt, nodes.ExprStmt):
            self.expr(stmt.expr, scope)

    def test_item(self, item: nodes.Node, scope: Scope) -> None:
        if isinstance(item, nodes.Given):
            self.add(item.system_span, f"system:{item.system}", item.system, "system")
            self.add(item.operation_span, f"op:{item.system}.{item.operation}", item.operation, "operation")
            for arg in item.args:
                self.expr(arg.value, scope)
            for response in item.responses:
                self.expr(response, scope)
        elif isinstance(item, nodes.GivenValue):
            self.expr(item.value, scope)
        elif isinstance(item, nodes.RunFlow):
            self.add(item.flow_span, f"flow:{item.flow}", item.flow, "flow")
            if item.source is not None:
                self.expr(item.source, scope)
            if isinstance(item.target, nodes.Name):
                self.bind(scope, item.target.name, item.target.span)
        elif isinstance(item, nodes.Expect):
            self.expr(item.value, scope)
            if item.message is not None:
                self.expr(item.message, scope)
        else:
            self.stmt(item, scope)

    def expr(self, root: nodes.Node, scope: Scope | None) -> None:
        stack: list[tuple[nodes.Node, Scope | None]] = [(root, scope)]
        while stack:
            node, where = stack.pop()
            if isinstance(node, nodes.Name):
                owner = self.lookup(where, node.name)
                if owner is not None:
                    self.add(node.span, f"{owner.key}:{node.name}", node.name, "variable")
            elif isinstance(node, nodes.Call):
                kind = "func" if node.func in self.funcs else "builtin"
                self.add(node.func_span, f"{kind}:{node.func}", node.func, kind)
            elif isinstance(node, nodes.ApiCall):
                self.add(node.system_span, f"system:{node.system}", node.system, "system")
                self.add(node.operation_span, f"op:{node.system}.{node.operation}", node.operation, "operation")
            elif isinstance(node, nodes.Lambda):
                inner = self.scope(node.span, "lambda", "lambda", where)
                for ident in node.params:
                    self.bind(inner, ident.name, ident.span, "parameter")
                stack.append((node.body, inner))
                continue
            children = EXPR_CHILDREN.get(type(node))
            if children is not None:
                stack.extend((child, where) for child in reversed(children(node)))


def index_program(program: nodes.Program, funcs: set[str], imports: dict[str, str]) -> FileIndex:
    """The index of one file; `funcs`: the func names it sees; `imports`: import path -> loaded file."""
    return _Indexer(program, funcs, imports).run()


def import_targets(program: nodes.Program) -> dict[str, str]:
    """Each import string of a program -> the path of the file it names (as the loader names it)."""
    base = os.path.dirname(program.file)
    return {imp.path: os.path.normpath(os.path.join(base, imp.path)) for imp in program.imports}
