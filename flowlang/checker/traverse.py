"""What the checker passes share to read nodes: iterative traversals (no deep recursion), literal kinds."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from flowlang import nodes

ChildrenFn = Callable[[nodes.Node], tuple[nodes.Node, ...]]


def _none(_node: nodes.Node) -> tuple[nodes.Node, ...]:
    return ()


def _string(node: nodes.Node) -> tuple[nodes.Node, ...]:
    assert isinstance(node, nodes.String)
    return tuple(p for p in node.parts if not isinstance(p, str))


def _call_args(node: nodes.Node) -> tuple[nodes.Node, ...]:
    assert isinstance(node, nodes.Call | nodes.ApiCall)
    return tuple(a.value for a in node.args)


# Direct sub-expressions of each expression class, in source order.
EXPR_CHILDREN: dict[type, ChildrenFn] = {
    nodes.Literal: _none,
    nodes.Duration: _none,
    nodes.Name: _none,
    nodes.String: _string,
    nodes.ListLit: lambda n: n.items,  # type: ignore[attr-defined]
    nodes.ObjectLit: lambda n: tuple(e.value for e in n.entries),  # type: ignore[attr-defined]
    nodes.Attr: lambda n: (n.obj,),  # type: ignore[attr-defined]
    nodes.Index: lambda n: (n.obj, n.index),  # type: ignore[attr-defined]
    nodes.Call: _call_args,
    nodes.ApiCall: _call_args,
    nodes.Unary: lambda n: (n.operand,),  # type: ignore[attr-defined]
    nodes.Binary: lambda n: (n.left, n.right),  # type: ignore[attr-defined]
    nodes.Conditional: lambda n: (n.cond, n.then, n.orelse),  # type: ignore[attr-defined]
    nodes.Lambda: lambda n: (n.body,),  # type: ignore[attr-defined]
}


def expr_nodes(expr: nodes.Node) -> Iterator[nodes.Node]:
    """`expr` and every expression below it, parents before children, in source order."""
    stack: list[nodes.Node] = [expr]
    children = EXPR_CHILDREN
    while stack:
        node = stack.pop()
        yield node
        kids = children.get(type(node), _none)(node)
        if kids:
            stack.extend(reversed(kids))


def stmt_exprs(stmt: nodes.Node) -> tuple[nodes.Node, ...]:
    """The expressions a statement holds directly (not those of nested blocks)."""
    if isinstance(stmt, nodes.Assign):
        return (stmt.target, stmt.value)
    if isinstance(stmt, nodes.If | nodes.While):
        return (stmt.cond,)
    if isinstance(stmt, nodes.For):
        return (stmt.iterable,) if stmt.parallel is None else (stmt.iterable, stmt.parallel)
    if isinstance(stmt, nodes.Return):
        return () if stmt.value is None else (stmt.value,)
    if isinstance(stmt, nodes.Fail | nodes.Log | nodes.Wait):
        return (stmt.value,)
    if isinstance(stmt, nodes.ExprStmt):
        return (stmt.expr,)
    return ()


def stmt_blocks(stmt: nodes.Node) -> tuple[nodes.Block, ...]:
    """The blocks nested directly in a statement (an `else if` counts as a block holding one If)."""
    if isinstance(stmt, nodes.If):
        if stmt.orelse is None:
            return (stmt.body,)
        if isinstance(stmt.orelse, nodes.If):
            return (stmt.body, nodes.Block(stmt.orelse.span, (stmt.orelse,)))
        return (stmt.body, stmt.orelse)
    if isinstance(stmt, nodes.For | nodes.While):
        return (stmt.body,)
    if isinstance(stmt, nodes.Try):
        return (stmt.body, stmt.handler)
    return ()


def statements(block: nodes.Block) -> Iterator[nodes.Node]:
    """Every statement in a block and the blocks nested in it, in source order."""
    stack: list[nodes.Node] = list(reversed(block.stmts))
    while stack:
        stmt = stack.pop()
        yield stmt
        for inner in reversed(stmt_blocks(stmt)):
            stack.extend(reversed(inner.stmts))


def block_exprs(block: nodes.Block) -> Iterator[nodes.Node]:
    """Every top-level expression of every statement in a block (recursively), in source order."""
    for stmt in statements(block):
        yield from stmt_exprs(stmt)


def program_exprs(program: nodes.Program) -> Iterator[tuple[nodes.Node, str]]:
    """Every top-level expression of a program with where it stands: "setting", "flow" or "func"."""
    for system in program.systems:
        for setting in system.settings:
            yield setting.value, "setting"
        for op in system.operations:
            for option in op.options:
                yield option.value, "setting"
    for func in program.funcs:
        for param in func.params:
            if param.default is not None:
                yield param.default, "func"
        for expr in block_exprs(func.body):
            yield expr, "func"
    for flow in program.flows:
        for setting in flow.settings:
            yield setting.value, "setting"
        for expr in block_exprs(flow.body):
            yield expr, "flow"


# ---------------------------------------------------------------- constants


def const_number(expr: nodes.Node) -> tuple[float, bool] | None:
    """(value, written as a duration) of a numeric constant such as `3`, `-2`, `250ms`; else None."""
    negate = False
    while isinstance(expr, nodes.Unary) and expr.op == "-":
        negate, expr = not negate, expr.operand
    if isinstance(expr, nodes.Duration):
        return (-expr.seconds if negate else expr.seconds), True
    if isinstance(expr, nodes.Literal) and isinstance(expr.value, int | float) and not isinstance(expr.value, bool):
        return (-expr.value if negate else expr.value), False
    return None


def describe_kind(expr: nodes.Node) -> str | None:
    """What a literal is ("a string", "a duration" …); None when only a run can tell."""
    if isinstance(expr, nodes.String):
        return "a string"
    number = const_number(expr)
    if number is not None:
        return "a duration" if number[1] else "a number"
    if isinstance(expr, nodes.Literal):
        return "null" if expr.value is None else "a boolean"
    if isinstance(expr, nodes.ListLit):
        return "a list"
    if isinstance(expr, nodes.ObjectLit):
        return "an object"
    if isinstance(expr, nodes.Lambda):
        return "a lambda"
    return None
