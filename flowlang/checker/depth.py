"""Nesting the code generator can emit: blocks of loops and `try` (Python allows 20), indentation (100) and
brackets inside one expression (200).

The parser already refuses nesting deeper than 400 levels (E021); this pass reports, at the statement that goes
too deep (E126) or at the sub-expression that does (E127), a flow that the interpreter could run but that would
not compile to a valid Python module, so `flowlang check` (and with it `flowlang run` and `flowlang compile`)
says so at its line and column instead of `flowlang compile` failing.
"""

from __future__ import annotations

import keyword

from flowlang import nodes
from flowlang.checker.context import Context
from flowlang.checker.traverse import EXPR_CHILDREN, program_exprs

MAX_BLOCKS = 20  # Python's limit of statically nested blocks (for, while, try, with)
MAX_INDENT = 99  # Python's tokenizer allows 100 levels; the generated def takes one
_HINT = "move the inner part into a func: it starts its own nesting"


class _Depth:
    """Walks one flow or func body counting Python's blocks and indentation levels as the generator makes them."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.reported = False

    def block(self, block: nodes.Block, blocks: int, indent: int) -> None:
        for stmt in block.stmts:
            if not self.reported:
                self.stmt(stmt, blocks, indent)

    def _enter(self, stmt: nodes.Node, blocks: int, indent: int) -> bool:
        """Whether a body at this depth can be emitted; reports the statement once when not."""
        if blocks > MAX_BLOCKS:
            self.ctx.report("E126", f"loops and `try` nested more than {MAX_BLOCKS} deep cannot be compiled",
                            stmt.span, _HINT)
        elif indent > MAX_INDENT:
            self.ctx.report("E126", f"blocks nested more than {MAX_INDENT} deep cannot be compiled", stmt.span,
                            _HINT)
        else:
            return True
        self.reported = True
        return False

    def stmt(self, stmt: nodes.Node, blocks: int, indent: int) -> None:
        if isinstance(stmt, nodes.If):
            if self._enter(stmt, blocks, indent + 1):
                self.block(stmt.body, blocks, indent + 1)
                if isinstance(stmt.orelse, nodes.Block):
                    self.block(stmt.orelse, blocks, indent + 1)
                elif stmt.orelse is not None:
                    self.stmt(stmt.orelse, blocks, indent)  # `else if` is an `elif`: no deeper
        elif isinstance(stmt, nodes.For) and stmt.parallel is not None:
            # the body becomes a nested def run by worker threads: its blocks start again
            # counted two deeper (the def and its loop): exact without parallel loops, a level on the safe side
            # with them (the generator's set-up of a worker sometimes takes one more)
            if self._enter(stmt, 1, indent + 2):
                self.block(stmt.body, 1, indent + 2)
        elif isinstance(stmt, nodes.For | nodes.While):
            if self._enter(stmt, blocks + 1, indent + 1):
                self.block(stmt.body, blocks + 1, indent + 1)
        elif isinstance(stmt, nodes.Try):
            if self._enter(stmt, blocks + 1, indent + 1):
                self.block(stmt.body, blocks + 1, indent + 1)
            # the handler's `except … as e:` holds two blocks: the handler's own and the one deleting `e`
            if not self.reported and self._enter(stmt, blocks + 2, indent + 1):
                self.block(stmt.handler, blocks + 2, indent + 1)


# Brackets of the generated Python around one expression: Python's parser allows 199 levels; a statement puts
# its expressions inside at most a few of its own (`if truthy(…):`, `rt.log(…)`), kept below 199 - MAX_BRACKETS.
MAX_BRACKETS = 185
_CHAIN_OPS = ("and", "or", "??")


def _is_chain(node: nodes.Node) -> bool:
    """Emitted as a chain of Python operators, which gets its own parentheses inside another expression."""
    if isinstance(node, nodes.Binary):
        return node.op in _CHAIN_OPS
    if isinstance(node, nodes.String):
        return any(not isinstance(p, str) for p in node.parts)
    return isinstance(node, nodes.Conditional)


def _is_boolean(node: nodes.Node) -> bool:
    """Always a boolean, so a condition uses it as it is (no `truthy(…)` around it)."""
    if isinstance(node, nodes.Binary):
        return node.op in ("and", "or", "==", "!=", "<", "<=", ">", ">=", "in", "not in")
    if isinstance(node, nodes.Unary):
        return node.op == "not"
    return isinstance(node, nodes.Literal) and isinstance(node.value, bool)


def _is_condition(parent: nodes.Node, child: nodes.Node) -> bool:
    if isinstance(parent, nodes.Binary):
        return parent.op in ("and", "or")
    if isinstance(parent, nodes.Unary):
        return parent.op == "not"
    return isinstance(parent, nodes.Conditional) and child is parent.cond


def _brackets(parent: nodes.Node, child: nodes.Node) -> int:
    """How many brackets deeper than `parent` the code generator writes `child` (an upper bound, exact for
    most forms; see codegen/exprs.py): `[child]`, `get_index(child, …)`, `f(child)` are one; a condition is
    `truthy(child)` unless the child is a boolean already; the right side of `a ?? b`, the branches of
    `if c then a else b` and a lambda's body none; an API call's argument two (`rt.call(…, {"k": child}, …)`),
    and so a named argument that is not a Python name (`f(**{"in": child})`) and the list of
    `map(list, x => …)` (`[… for x in as_list(list)]`);
    a chain of operators one more, for its parentheses."""
    if _is_condition(parent, child):
        count = 0 if _is_boolean(child) else 1
    elif isinstance(parent, nodes.ApiCall):
        count = 2
    elif isinstance(parent, nodes.Call):
        arg = next(a for a in parent.args if a.value is child)
        spread = arg.name is not None and (not arg.name.isidentifier() or keyword.iskeyword(arg.name))
        count = 2 if spread or (arg is parent.args[0] and any(isinstance(a.value, nodes.Lambda) for a in parent.args)) else 1
    elif isinstance(parent, nodes.Binary) and parent.op == "??":
        count = 1 if child is parent.left else 0  # `(b if (_t := a) is None else _t)`
    elif isinstance(parent, nodes.Conditional | nodes.Lambda):
        count = 0
    else:
        count = 1
    return count + _is_chain(child)


def too_deep(expr: nodes.Node, limit: int = MAX_BRACKETS) -> nodes.Node | None:
    """The first sub-expression (outermost first) whose generated code would sit more than `limit` brackets
    deep inside the code of `expr`, or None."""
    stack: list[tuple[nodes.Node, int]] = [(expr, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return node
        for child in EXPR_CHILDREN[type(node)](node):
            stack.append((child, depth + _brackets(node, child)))
    return None


def check_depth(ctx: Context) -> None:
    """E126 for the first statement of each flow or func nested deeper than a compiled module can be; E127 for
    each expression that is."""
    for program in ctx.project.programs.values():
        for body in [f.body for f in program.funcs] + [f.body for f in program.flows]:
            _Depth(ctx).block(body, 0, 1)
        for expr, _where in program_exprs(program):
            node = too_deep(expr)
            if node is not None:
                ctx.report("E127", "this expression is nested too deeply to compile", node.span,
                           "put the inner part in a variable (or a func) and use that")
