"""Names and control flow: undefined names, definite assignment, unused variables, loops and
unreachable code.

One linear walk per flow or func; the language server's index (flowlang/tools/lsp/index.py) runs the
same walk through its hooks (bind, use, use_param, enter_lambda, block, stmt), so both follow one
set of scoping rules. The state at each point is the set of variables assigned on every path that
reaches it (None: no path reaches it). Statements nest by recursion; expressions are walked with a
stack, so long expressions never hit the recursion limit.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Mapping

from flowlang import nodes
from flowlang.checker.context import FLOW_NAMES, Context
from flowlang.checker.traverse import EXPR_CHILDREN
from flowlang.diagnostics import Span, did_you_mean

State = set[str] | None
Handler = Callable[..., State]  # (checker, statement, state) -> state after it
Params = Mapping[str, nodes.Lambda]  # the lambda parameters in scope -> the lambda of each
_NO_PARAMS: Params = {}


# Plain classes, not dataclasses: each dataclass costs ~1.7 M instructions of `flowlang check` start-up.
class Loop:
    """An enclosing loop: parallel loops remember the variables that existed before them."""

    __slots__ = ("breaks", "outer", "parallel")

    def __init__(self, parallel: bool, outer: frozenset[str] = frozenset()) -> None:
        self.parallel = parallel
        self.breaks: list[set[str]] = []
        self.outer = outer


class Binding:
    """A name bound in a scope: where, and as what."""

    __slots__ = ("kind", "span")

    def __init__(self, span: Span, kind: str) -> None:
        self.span = span
        self.kind = kind  # "variable", "loop variable", "catch variable" or "parameter"


def _meet(a: State, b: State) -> State:
    """The state after two paths join: what both assigned (an unreachable path assigns everything)."""
    if a is None:
        return b
    if b is None:
        return a
    return a & b


def _root_name(expr: nodes.Node) -> nodes.Name | None:
    while isinstance(expr, nodes.Attr | nodes.Index):
        expr = expr.obj
    return expr if isinstance(expr, nodes.Name) else None


class ScopeChecker:
    """Checks one flow (kind "flow") or func (kind "func") body."""

    def __init__(self, ctx: Context, file: str, kind: str) -> None:
        self.ctx = ctx
        self.file = file
        self.kind = kind
        self.bindings: dict[str, Binding] = {}
        self.seen: set[str] = set()  # names assigned earlier in the text (and still there)
        self.parallel_only: set[str] = set()  # names assigned earlier, but only inside parallel loops
        self.reads: set[str] = set()
        self.pending: list[tuple[str, Span, str]] = []  # (name, span, "some"/"parallel"/"later")
        self.loops: list[Loop] = []
        self.parallel: list[Loop] = []

    # ------------------------------------------------------------------ entry points

    def check_flow(self, flow: nodes.Flow) -> None:
        self.block(flow.body, set())
        self.finish()

    def check_func(self, func: nodes.Func) -> None:
        state: set[str] = set()
        for param in func.params:
            if param.default is not None:
                self.read(param.default, state)
            self.bind(param.name, param.span, "parameter", state)
        self.block(func.body, state)
        self.finish()

    # ------------------------------------------------------------------ statements

    def block(self, block: nodes.Block, state: State) -> State:
        live: set[str] = state if state is not None else set()
        current: State = state
        for i, stmt in enumerate(block.stmts):
            if current is None:
                rest = block.stmts[-1].span
                self.ctx.report("W103", "unreachable code", stmt.span.to(rest),
                                "nothing after `return`, `break`, `continue` or `fail` runs")
                for dead in block.stmts[i:]:  # still walk it, so that its names count as used
                    self.stmt(dead, set(live))
                return None
            live = current
            current = self.stmt(stmt, current)
        return current

    def stmt(self, stmt: nodes.Node, state: set[str]) -> State:
        return _HANDLERS[type(stmt)](self, stmt, state)

    def visit_Assign(self, stmt: nodes.Assign, state: set[str]) -> State:
        """assign: postfix (EQUALS | PLUS_ASSIGN | MINUS_ASSIGN) expr"""
        self.read(stmt.value, state)
        target = stmt.target
        if isinstance(target, nodes.Name):
            name = target.name
            if name in FLOW_NAMES and name not in self.bindings:
                self.ctx.report("E108", f"cannot assign to '{name}' itself",
                                target.span, f"assign to a field instead: {name}.key = …")
                return state
            if stmt.op != "=":
                self.use(target, state, count_as_read=False)
            elif self.parallel and name in self.parallel[-1].outer:
                self.ctx.report(
                    "E105", f"cannot assign to outer variable '{name}' inside a parallel loop", target.span,
                    "only `+=` and `-=` may change outer variables here; use a new name for a loop-local value",
                )
            self.bind(name, target.span, "variable", state)
            return state
        root = _root_name(target)
        self.read(target, state)
        if (
            root is not None and stmt.op == "=" and self.parallel
            and root.name in self.parallel[-1].outer and root.name not in FLOW_NAMES
        ):
            self.ctx.report(
                "E105", f"cannot change outer variable '{root.name}' inside a parallel loop", target.span,
                "only `+=` and `-=` may change outer variables here",
            )
        return state

    def visit_If(self, stmt: nodes.If, state: set[str]) -> State:
        """if_stmt: IF expr block (ELSE (block | if_stmt))?"""
        self.read(stmt.cond, state)
        then = self.block(stmt.body, set(state))
        if stmt.orelse is None:
            other: State = state
        elif isinstance(stmt.orelse, nodes.If):
            other = self.visit_If(stmt.orelse, set(state))
        else:
            other = self.block(stmt.orelse, set(state))
        return _meet(then, other)

    def visit_For(self, stmt: nodes.For, state: set[str]) -> State:
        """for_stmt: FOR NAME ("," NAME)? IN expr (PARALLEL expr)? block"""
        self.read(stmt.iterable, state)
        if stmt.parallel is not None:
            self.read(stmt.parallel, state)
        loop = Loop(stmt.parallel is not None, outer=frozenset(self.seen))
        body_state = set(state)
        for ident in stmt.names:
            self.bind(ident.name, ident.span, "loop variable", body_state)
        self.loops.append(loop)
        if loop.parallel:
            self.parallel.append(loop)
        self.block(stmt.body, body_state)
        if loop.parallel:
            # each iteration works on a copy of the scope: what it assigns is gone after the loop
            self.parallel_only |= self.seen - loop.outer
            self.seen = set(loop.outer)
            self.parallel.pop()
        self.loops.pop()
        return state  # the body may run no time at all

    def visit_While(self, stmt: nodes.While, state: set[str]) -> State:
        """while_stmt: WHILE expr block"""
        self.read(stmt.cond, state)
        loop = Loop(False)
        self.loops.append(loop)
        self.block(stmt.body, set(state))
        self.loops.pop()
        if isinstance(stmt.cond, nodes.Literal) and stmt.cond.value is True:
            after: State = None  # `while true` ends only through `break`
            for left in loop.breaks:
                after = _meet(after, left) if after is not None else set(left)
            return after
        return state

    def visit_Break(self, stmt: nodes.Break, state: set[str]) -> State:
        """break_stmt: BREAK"""
        if not self.loops:
            self.ctx.report("E103", "'break' outside a loop", stmt.span)
            return None
        if self.loops[-1].parallel:
            self.ctx.report("E104", "'break' is not supported inside a parallel loop", stmt.span,
                            "use `continue` to skip an item, or a plain `for` loop")
        self.loops[-1].breaks.append(set(state))
        return None

    def visit_Continue(self, stmt: nodes.Continue, state: set[str]) -> State:
        """continue_stmt: CONTINUE"""
        if not self.loops:
            self.ctx.report("E103", "'continue' outside a loop", stmt.span)
        return None

    def visit_Return(self, stmt: nodes.Return, state: set[str]) -> State:
        """return_stmt: RETURN expr?"""
        if stmt.value is not None:
            self.read(stmt.value, state)
        if self.parallel:
            self.ctx.report("E104", "'return' is not supported inside a parallel loop", stmt.span,
                            "collect results with `+=` and return after the loop")
        return None

    def visit_Fail(self, stmt: nodes.Fail, state: set[str]) -> State:
        """fail_stmt: FAIL expr"""
        self.read(stmt.value, state)
        return None

    def visit_Try(self, stmt: nodes.Try, state: set[str]) -> State:
        """try_stmt: TRY block CATCH NAME? block"""
        body = self.block(stmt.body, set(state))
        handler_state = set(state)  # the error may come before anything in the body ran
        if stmt.err is not None:
            self.bind(stmt.err.name, stmt.err.span, "catch variable", handler_state)
        handler = self.block(stmt.handler, handler_state)
        return _meet(body, handler)

    def visit_Log(self, stmt: nodes.Log, state: set[str]) -> State:
        """log_stmt: LOG NAME expr"""
        self.read(stmt.value, state)
        return state

    def visit_Wait(self, stmt: nodes.Wait, state: set[str]) -> State:
        """wait_stmt: WAIT expr"""
        self.read(stmt.value, state)
        return state

    def visit_ExprStmt(self, stmt: nodes.ExprStmt, state: set[str]) -> State:
        """expr_stmt: expr"""
        self.read(stmt.expr, state)
        return state

    def visit_Checkpoint(self, stmt: nodes.Checkpoint, state: set[str]) -> State:
        """checkpoint_stmt: CHECKPOINT"""
        if self.kind == "func":
            self.ctx.report("E107", "'checkpoint' is only allowed in a flow", stmt.span,
                            "funcs do not see the flow's state; checkpoint in the calling flow")
        return state

    # ------------------------------------------------------------------ names

    def bind(self, name: str, span: Span, kind: str, state: set[str]) -> None:
        if name in FLOW_NAMES and kind in ("loop variable", "catch variable"):
            self.ctx.report("E108", f"'{name}' cannot be a {kind}: it names the run's {name}", span,
                            "choose another name")
            return
        state.add(name)
        self.seen.add(name)
        if name not in self.bindings:
            self.bindings[name] = Binding(span, kind)

    def use(self, name: nodes.Name, state: set[str], count_as_read: bool = True) -> None:
        ident = name.name
        if ident in state:
            if count_as_read:
                self.reads.add(ident)
            return
        if ident in FLOW_NAMES and ident not in self.bindings:
            if self.kind == "func":
                self.ctx.report("E107", f"'{ident}' is only available in a flow", name.span,
                                f"pass what the func needs as an argument instead of using '{ident}'")
            return
        self.reads.add(ident)
        # assigned earlier in the text, or later in an enclosing loop: set on some paths only
        if ident in self.seen or self.loops:
            how = "some"
        else:
            how = "parallel" if ident in self.parallel_only else "later"
        self.pending.append((ident, name.span, how))

    def read(self, expr: nodes.Node, state: set[str]) -> None:
        """Walk an expression (without recursion), checking each name it reads."""
        stack: list[tuple[nodes.Node, Params]] = [(expr, _NO_PARAMS)]
        children = EXPR_CHILDREN
        while stack:
            node, params = stack.pop()
            kind = type(node)
            if kind is nodes.Name:
                assert isinstance(node, nodes.Name)
                if node.name not in params:
                    self.use(node, state)
                else:
                    self.use_param(node, params[node.name])
            elif kind is nodes.Lambda:
                assert isinstance(node, nodes.Lambda)
                names = [p.name for p in node.params]
                for i, p in enumerate(node.params):
                    if p.name in names[:i]:
                        self.ctx.report("E116", f"duplicate parameter '{p.name}'", p.span)
                self.enter_lambda(node)
                stack.append((node.body, {**params, **dict.fromkeys(names, node)}))
            else:
                for child in reversed(children[kind](node)):
                    stack.append((child, params))

    def use_param(self, name: nodes.Name, owner: nodes.Lambda) -> None:
        """A read of a parameter of the lambda `owner` (a hook: the language server's index records it)."""

    def enter_lambda(self, node: nodes.Lambda) -> None:
        """A lambda whose body is read next (a hook, as use_param)."""

    def finish(self) -> None:
        """Report reads of names that were not assigned on every path, and unused variables."""
        for name, span, how in self.pending:
            binding = self.bindings.get(name)
            if binding is not None and binding.span == span:  # `x += 1` is the first mention of x
                hint = self.undefined_hint(name) or f"set it first: {name} = …"
                self.ctx.report("E101", f"undefined variable '{name}'", span, hint)
            elif binding is not None and how == "some":
                self.ctx.report(
                    "E102", f"'{name}' may be undefined here: it is not assigned on every path before this",
                    span, f"assign it before the branch or loop that sets it (first set at line {binding.span.line})",
                )
            elif binding is not None and how == "parallel":
                self.ctx.report(
                    "E101", f"'{name}' is only assigned inside a parallel loop, whose iterations keep their "
                    "own variables", span, "assign it before the loop and collect values with `+=`",
                )
            elif binding is not None:
                self.ctx.report("E101", f"'{name}' is used before it is assigned", span,
                                f"it is first assigned at line {binding.span.line}")
            else:
                self.ctx.report("E101", f"undefined variable '{name}'", span, self.undefined_hint(name))
        for name, binding in self.bindings.items():
            if name in self.reads or name.startswith("_") or binding.kind == "parameter":
                continue
            if binding.kind == "variable":
                self.ctx.report("W102", f"'{name}' is assigned but never read", binding.span,
                                f"remove it, or name it '_{name}' if that is deliberate")
            else:
                self.ctx.report("W101", f"unused {binding.kind} '{name}'", binding.span,
                                f"name it '_{name}' if it is not needed")

    def undefined_hint(self, name: str) -> str | None:
        candidates = [b for b in self.bindings if b != name]
        if self.kind == "flow":
            candidates.extend(FLOW_NAMES)
        hint = did_you_mean(name, candidates)
        if hint:
            return hint
        if name in self.ctx.builtins or name in self.ctx.funcs:
            return f"'{name}' is a function: call it as {name}(…)"
        return did_you_mean(name, [*self.ctx.funcs, *self.ctx.builtins])


STATEMENTS: tuple[type, ...] = typing.get_args(nodes.Stmt)


def _handlers() -> dict[type, Handler]:
    """visit_<Node> for every statement class; a missing one fails at import (house rule 3)."""
    table: dict[type, Handler] = {}
    for cls in STATEMENTS:
        method = getattr(ScopeChecker, f"visit_{cls.__name__}", None)
        if method is None:
            raise TypeError(f"ScopeChecker has no visit_{cls.__name__}")
        table[cls] = method
    return table


_HANDLERS = _handlers()


def check_scopes(ctx: Context) -> None:
    for file, program in ctx.project.programs.items():
        for func in program.funcs:
            ScopeChecker(ctx, file, "func").check_func(func)
        for flow in program.flows:
            ScopeChecker(ctx, file, "flow").check_flow(flow)
