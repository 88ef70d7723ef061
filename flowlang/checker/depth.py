"""Nesting the code generator can emit: blocks of loops and `try` (Python allows 20) and indentation (100).

The parser already refuses nesting deeper than 400 levels (E021); this pass reports, at the statement that goes
too deep, a flow that the interpreter could run but that would not compile to a valid Python module (E126), so
`flowlang check` says so before `flowlang compile` fails.
"""

from __future__ import annotations

from flowlang import nodes
from flowlang.checker.context import Context

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


def check_depth(ctx: Context) -> None:
    """E126 for the first statement of each flow or func nested deeper than a compiled module can be."""
    for program in ctx.project.programs.values():
        for body in [f.body for f in program.funcs] + [f.body for f in program.flows]:
            _Depth(ctx).block(body, 0, 1)
