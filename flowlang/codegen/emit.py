"""Statements -> lines of Python for flow and func bodies, each under a `# file:LINE: source` comment."""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterable
from dataclasses import replace

from flowlang import nodes
from flowlang.codegen import names
from flowlang.codegen.exprs import (
    ExprEmitter,
    Hoisted,
    Scope,
    Temps,
    is_boolean,
    is_state,
    plain_path,
)
from flowlang.codegen.layout import INDENT, LINE_LENGTH, Doc, Text, call, flat, lines_of, seq
from flowlang.codegen.sites import Sites
from flowlang.diagnostics import source_lines

PARALLEL = "parallel"
LOOP = "loop"


def bound_names(stmts: Iterable[nodes.Node]) -> set[str]:
    """Names a block binds with `=`, `for` or `catch`, outside nested parallel loop bodies."""
    found: set[str] = set()
    for stmt in stmts:
        if isinstance(stmt, nodes.Assign) and isinstance(stmt.target, nodes.Name) and stmt.op == "=":
            found.add(stmt.target.name)
        elif isinstance(stmt, nodes.For):
            if stmt.parallel is None:
                found.update(i.name for i in stmt.names)
                found |= bound_names(stmt.body.stmts)
        elif isinstance(stmt, nodes.Try):
            if stmt.err is not None:
                found.add(stmt.err.name)
            found |= bound_names(stmt.body.stmts) | bound_names(stmt.handler.stmts)
        elif isinstance(stmt, nodes.If):
            found |= bound_names(stmt.body.stmts)
            if stmt.orelse is not None:
                found |= bound_names([stmt.orelse] if isinstance(stmt.orelse, nodes.If) else stmt.orelse.stmts)
        elif isinstance(stmt, nodes.While):
            found |= bound_names(stmt.body.stmts)
    return found


def augmented_names(stmts: Iterable[nodes.Node]) -> set[str]:
    """Names a block changes with `+=`/`-=`, outside nested parallel loop bodies."""
    found: set[str] = set()
    for stmt in stmts:
        if isinstance(stmt, nodes.Assign) and isinstance(stmt.target, nodes.Name) and stmt.op != "=":
            found.add(stmt.target.name)
        elif (isinstance(stmt, nodes.For) and stmt.parallel is None) or isinstance(stmt, nodes.While):
            found |= augmented_names(stmt.body.stmts)
        elif isinstance(stmt, nodes.Try):
            found |= augmented_names(stmt.body.stmts) | augmented_names(stmt.handler.stmts)
        elif isinstance(stmt, nodes.If):
            found |= augmented_names(stmt.body.stmts)
            if stmt.orelse is not None:
                found |= augmented_names([stmt.orelse] if isinstance(stmt.orelse, nodes.If) else stmt.orelse.stmts)
    return found


class StmtEmitter:
    """Writes the Python lines of one flow or func body; `lines` collects them."""

    def __init__(self, exprs: ExprEmitter, sources: dict[str, str], scope: Scope, bound: set[str]) -> None:
        self.x = exprs
        self.sources = sources
        self.scope = scope
        self.lines: list[str] = []
        self.loops: list[tuple[str, nodes.For | None]] = []  # enclosing loops, innermost last
        self.bound: list[set[str]] = [bound]  # names bound by each enclosing Python function
        self.outermost = False  # in a flow body, outside loops: a loop here may draw the progress bar
        self._dispatch: dict[type, Callable[[nodes.Node, str], None]] = {}
        for cls in typing.get_args(nodes.Stmt):
            method = getattr(self, f"emit_{cls.__name__}", None)
            if method is None:
                raise TypeError(f"StmtEmitter has no emit_{cls.__name__}")
            self._dispatch[cls] = method

    # ---------------------------------------------------------------- helpers

    def rt(self, module: str, name: str) -> str:
        return self.x.rt(module, name)

    def expr(self, node: nodes.Node) -> Doc:
        return self.x.expr(node, self.scope)

    def arg(self, node: nodes.Node) -> Doc:
        return self.x.nested(node, self.scope)

    def put(self, doc: Doc | str, indent: str) -> None:
        self.lines.extend(lines_of(Text(doc) if isinstance(doc, str) else doc, indent))

    def comment(self, node: nodes.Node, indent: str) -> None:
        span = node.span
        text = source_lines(self.sources.get(span.file, ""))
        line = text[span.line - 1].strip() if 0 < span.line <= len(text) else ""
        head = f"# {names.comment(span.file, 80)}:{span.line}"
        room = LINE_LENGTH - len(indent) - len(head) - 2
        if line and room > 10:
            head += ": " + names.comment(line, room)
        self.lines.append(indent + head)

    def block(self, stmts: tuple[nodes.Node, ...], indent: str) -> None:
        if not stmts:
            self.lines.append(indent + "pass")
        for stmt in stmts:
            self.statement(stmt, indent)

    def statement(self, node: nodes.Node, indent: str) -> None:
        """The comment, the defs of the statement's lambdas (see ExprEmitter.emit_Lambda), its code."""
        frame = Hoisted(indent)
        self.x.hoisted.append(frame)
        self.comment(node, indent)
        after_comment = len(self.lines)
        if self.x.counting and not isinstance(node, nodes.For | nodes.While):  # loops count iterations
            self.lines.append(f"{indent}rt.hit({self.x.where(node)})")
        self._dispatch[type(node)](node, indent)
        self.x.hoisted.pop()
        self.lines[after_comment:after_comment] = frame.lines

    def with_fast_copy(self, head: str, value: nodes.Node, indent: str) -> None:
        """`head value` (`x = …`, `return …`). When the value reads fields and may run twice, a fast copy
        (`o["id"]`, `s.strip()`) runs first; if it raises a LookupError, TypeError or AttributeError (a
        missing field, a value of another type), the value is computed again the interpreter's way,
        which raises the error a user should see. Both copies evaluate in the same order, so a
        FlowError from the fast copy is the one the slow copy would raise."""
        if not self.x.fast_path_pays(value, self.scope):
            self.put(seq(head, self.expr(value)), indent)
            return
        fast, slow = seq(head, self.x.fast_copy(value, self.scope)), seq(head, self.expr(value))
        if Sites.erased(flat(fast)) == Sites.erased(flat(slow)):  # fields are read only inside lambdas
            self.put(slow, indent)
            return
        self.lines.append(f"{indent}try:")
        self.put(fast, indent + INDENT)
        self.lines.append(f"{indent}except (LookupError, TypeError, AttributeError):")
        self.put(slow, indent + INDENT)

    def value_of(self, value: nodes.Node, indent: str) -> Doc:
        """The value a statement uses once (`+=`'s, a condition, a loop's items): when it reads fields,
        computed first into a temporary by a fast copy (see with_fast_copy); else the expression."""
        if not self.x.fast_path_pays(value, self.scope):
            return self.arg(value)
        temp = self.x.temps.new()
        self.with_fast_copy(f"{temp} = ", value, indent)
        return Text(temp)

    # ---------------------------------------------------------------- assignment

    def emit_Assign(self, node: nodes.Assign, indent: str) -> None:
        """assign: target ("=" | "+=" | "-=") expr — container and key, then value, then current value"""
        target, where, op = node.target, self.x.where(node), node.op
        augment = self.rt("values", "augment")
        if isinstance(target, nodes.Name):
            var = names.variable(target.name)
            if op == "=":
                self.with_fast_copy(f"{var} = ", node.value, indent)
            elif self.scope.parallel:
                # The value is computed before the lock is taken (a plain name or literal needs no temp).
                value: Doc | str = self.arg(node.value)
                if not isinstance(node.value, nodes.Literal | nodes.Name | nodes.Duration):
                    temp = self.x.temps.new()
                    self.put(seq(f"{temp} = ", self.expr(node.value)), indent)
                    value = temp
                self.lines.append(f"{indent}with rt.lock:")
                self.put(seq(f"{var} = ", call(augment, names.string(op), var, value, where)), indent + INDENT)
            else:
                value = self.value_of(node.value, indent)
                self.put(seq(f"{var} = ", call(augment, names.string(op), var, value, where)), indent)
            return
        if isinstance(target, nodes.Attr | nodes.Index) and is_state(target.obj, self.scope):
            key = Text(names.string(target.name)) if isinstance(target, nodes.Attr) else self.arg(target.index)
            self.put(call("state_set", "rt", key, names.string(op), self.arg(node.value), where), indent)
            return
        if not isinstance(target, nodes.Attr | nodes.Index):
            self.put(call("fail_now", names.string("data"), names.string("cannot assign to this expression"), where), indent)
            return
        obj = self.arg(target.obj)
        key = Text(names.string(target.name)) if isinstance(target, nodes.Attr) else self.arg(target.index)
        path = names.string(nodes.describe(target.obj))
        set_item = self.rt("values", "set_item")
        if op == "=":
            self.put(call(set_item, obj, key, self.arg(node.value), where, path), indent)
            return
        c, k, v = self.x.temps.new(), self.x.temps.new(), self.x.temps.new()
        if isinstance(target, nodes.Attr) and not self.scope.parallel and plain_path(target.obj, self.scope):
            self._fast_field_update(target, node, c, indent)
            indent += INDENT  # the slow copy, under the fast copy's `except`
        self.put(seq(f"{c}, {k}, {v} = ", obj, ", ", key, ", ", self.arg(node.value)), indent)
        read = self.rt("values", "get_attr" if isinstance(target, nodes.Attr) else "get_index")
        update = call(set_item, c, k, call(augment, names.string(op), call(read, c, k, where, path), v, where), where, path)
        if self.scope.parallel:
            self.lines.append(f"{indent}with rt.lock:")
            self.put(update, indent + INDENT)
        else:
            self.put(update, indent)

    def _fast_field_update(self, target: nodes.Attr, node: nodes.Assign, temp: str, indent: str) -> None:
        """The fast copy of `row.n += x` (`row` a variable or a field path of one): the field read and
        written in place, as hand-written Python would. Anything else (no such field, not an object)
        raises a LookupError or TypeError before the write, and the slow copy that follows under
        `except` reports it. The current value is read before the value is computed, which the slow
        copy does the other way round; both are reads, so only an error could tell, and when the read
        fails the slow copy computes the value first, as the interpreter does."""
        key = names.string(target.name)
        self.lines.append(f"{indent}try:")
        if isinstance(target.obj, nodes.Name):  # a variable: subscripted as it is
            field = f"{flat(self.x.fast_copy(target.obj, self.scope))}[{key}]"
        else:
            self.put(seq(f"{temp} = ", self.x.fast_copy(target.obj, self.scope)), indent + INDENT)
            field = f"{temp}[{key}]"
        value = self.x.fast_copy(node.value, self.scope)
        update = call(self.rt("values", "augment"), names.string(node.op), Text(field), value, self.x.where(node))
        self.put(seq(f"{field} = ", update), indent + INDENT)
        self.lines.append(f"{indent}except (LookupError, TypeError, AttributeError):")

    # ---------------------------------------------------------------- control flow

    def emit_If(self, node: nodes.If, indent: str) -> None:
        """if: "if" expr block ["else" (if | block)]"""
        if self.x.fast_path_pays(node.cond, self.scope):
            value = self.value_of(node.cond, indent)
            test = value if is_boolean(node.cond) else call(self.rt("values", "truthy"), value)
        else:
            test = self.x.condition(node.cond, self.scope, top=True)
        self.put(seq("if ", test, ":"), indent)
        self.block(node.body.stmts, indent + INDENT)
        orelse = node.orelse
        while isinstance(orelse, nodes.If):
            cond = self.x.condition(orelse.cond, self.scope, top=True)
            if self.x.counting:  # the `else if` is reached: rt.hit gives None, so the condition decides
                cond = seq(f"rt.hit({self.x.where(orelse)}) or (", cond, ")")
            self.put(seq("elif ", cond, ":"), indent)
            self.block(orelse.body.stmts, indent + INDENT)
            orelse = orelse.orelse
        if orelse is not None:
            self.lines.append(indent + "else:")
            self.block(orelse.stmts, indent + INDENT)

    def _targets(self, node: nodes.For) -> str:
        return ", ".join(names.variable(i.name) for i in node.names)

    def _items(self, node: nodes.For, indent: str) -> Doc:
        fn = self.rt("values", "iterate_pairs" if len(node.names) == 2 else "iterate")
        value = self.arg(node.iterable) if node.parallel is not None else self.value_of(node.iterable, indent)
        if self.outermost:
            value = call("progress", "rt", value)
        return call(fn, value, self.x.where(node))

    def _loop_body(self, stmts: tuple[nodes.Node, ...], indent: str) -> None:
        was, self.outermost = self.outermost, False
        for stmt in stmts:
            self.statement(stmt, indent)
        self.outermost = was

    def emit_For(self, node: nodes.For, indent: str) -> None:
        """for: "for" ident ["," ident] "in" expr ["parallel" expr] block"""
        if node.parallel is not None:
            self._parallel(node, indent)
            return
        where = self.x.where(node)
        self.put(seq(f"for {self._targets(node)} in ", self._items(node, indent), ":"), indent)
        self.lines.append(f"{indent}{INDENT}rt.step({where})")
        self.loops.append((LOOP, node))
        self._loop_body(node.body.stmts, indent + INDENT)
        self.loops.pop()

    def _parallel(self, node: nodes.For, indent: str) -> None:
        """Each iteration is a nested function run by rt.parallel_for; `+=`/`-=` reach outer names."""
        where = self.x.where(node)
        fn = f"_iteration_{node.span.line}_{node.span.column}"
        param = "_item" if len(node.names) == 2 else names.variable(node.names[0].name)
        self.lines.append(f"{indent}def {fn}({param}):")
        inner = indent + INDENT
        own = bound_names(node.body.stmts) | {i.name for i in node.names}
        outer = {n for n in augmented_names(node.body.stmts) - own if any(n in b for b in self.bound)}
        if outer:
            self.lines.append(inner + "nonlocal " + ", ".join(names.variable(n) for n in sorted(outer)))
        self.lines.append(f"{inner}rt.step({where})")
        if len(node.names) == 2:
            self.lines.append(f"{inner}{self._targets(node)} = _item")
        saved_scope = self.scope
        self.scope = replace(self.scope, parallel=True)
        self.loops.append((PARALLEL, node))
        self.bound.append(own)
        self._loop_body(node.body.stmts, inner)
        self.bound.pop()
        self.loops.pop()
        self.scope = saved_scope
        assert node.parallel is not None
        self.put(call("rt.parallel_for", self._items(node, indent), self.arg(node.parallel), fn, where), indent)

    def emit_While(self, node: nodes.While, indent: str) -> None:
        """while: "while" expr block — every iteration counts against the step limit"""
        self.put(seq("while ", self.x.condition(node.cond, self.scope, top=True), ":"), indent)
        self.lines.append(f"{indent}{INDENT}rt.step({self.x.where(node)})")
        self.loops.append((LOOP, None))
        self._loop_body(node.body.stmts, indent + INDENT)
        self.loops.pop()

    def _in_parallel_body(self) -> nodes.For | None:
        if self.loops and self.loops[-1][0] == PARALLEL:
            return self.loops[-1][1]
        return None

    def _not_in_parallel(self, what: str, loop: nodes.For, indent: str) -> None:
        message = names.string(f"{what} is not allowed in a parallel loop")
        self.put(call("fail_now", names.string("data"), message, self.x.where(loop)), indent)

    def emit_Break(self, node: nodes.Break, indent: str) -> None:
        """break"""
        loop = self._in_parallel_body()
        if loop is not None:
            self._not_in_parallel("break", loop, indent)
        else:
            self.lines.append(indent + "break")

    def emit_Continue(self, node: nodes.Continue, indent: str) -> None:
        """continue — in a parallel body, the end of the iteration"""
        self.lines.append(indent + ("return" if self._in_parallel_body() is not None else "continue"))

    def emit_Return(self, node: nodes.Return, indent: str) -> None:
        """return: "return" [expr]"""
        loop = next((n for kind, n in reversed(self.loops) if kind == PARALLEL), None)
        if loop is not None:
            if node.value is not None:
                self.put(self.expr(node.value), indent)
            self._not_in_parallel("return", loop, indent)
            return
        if node.value is None:
            self.lines.append(indent + "return None")
        else:
            self.with_fast_copy("return ", node.value, indent)

    def emit_Try(self, node: nodes.Try, indent: str) -> None:
        """try: "try" block "catch" [ident] block — every FlowError but kind "limit" is caught"""
        self.lines.append(indent + "try:")
        self.block(node.body.stmts, indent + INDENT)
        self.lines.append(indent + "except Exception as caught:")
        inner = indent + INDENT
        if self.x.counting:
            self.lines.append(f"{inner}caught = catchable(caught)")
            self.lines.append(f"{inner}rt.caught(caught, {self.x.where(node.handler)})")
            if node.err is not None:
                self.lines.append(f"{inner}{names.variable(node.err.name)} = caught.to_value()")
        elif node.err is not None:
            self.lines.append(f"{inner}{names.variable(node.err.name)} = catchable(caught).to_value()")
        else:
            self.lines.append(f"{inner}catchable(caught)")
        for stmt in node.handler.stmts:
            self.statement(stmt, inner)

    def emit_Fail(self, node: nodes.Fail, indent: str) -> None:
        """fail: "fail" expr — a user error with the text of the value"""
        text = call(self.rt("values", "to_text"), self.arg(node.value))
        self.put(seq("raise ", call(self.rt("errors", "UserError"), text, self.x.where(node))), indent)

    def emit_Log(self, node: nodes.Log, indent: str) -> None:
        """log: "log" LEVEL expr"""
        self.put(call("rt.log", names.string(node.level), self.arg(node.value), self.x.where(node)), indent)

    def emit_Wait(self, node: nodes.Wait, indent: str) -> None:
        """wait: "wait" expr"""
        self.put(call("rt.wait", self.arg(node.value), self.x.where(node)), indent)

    def emit_Checkpoint(self, node: nodes.Checkpoint, indent: str) -> None:
        """checkpoint"""
        self.lines.append(f"{indent}rt.checkpoint({self.x.where(node)})")

    def emit_ExprStmt(self, node: nodes.ExprStmt, indent: str) -> None:
        """expr_stmt: a call on its own line; its value is dropped"""
        self.put(self.expr(node.expr), indent)


def function_lines(
    exprs: ExprEmitter,
    sources: dict[str, str],
    params: list[nodes.Param],
    body: nodes.Block,
    scope: Scope,
    body_indent: str = INDENT,
    flow: bool = False,
) -> tuple[list[str], list[str]]:
    """The lines of a flow or func function: defaults of its parameters, and its body at `body_indent`."""
    exprs.temps = Temps()
    emitter = StmtEmitter(exprs, sources, scope, bound_names(body.stmts) | {p.name for p in params})
    for param in params:
        if param.default is None:
            continue
        var = names.variable(param.name)
        emitter.lines.append(f"{INDENT}if {var} is NOT_GIVEN:")
        emitter.put(seq(f"{var} = ", emitter.expr(param.default)), INDENT * 2)
    prologue, emitter.lines = emitter.lines, []
    emitter.outermost = flow
    emitter.block(body.stmts, body_indent)
    return prologue, space_nested_defs(emitter.lines)


def space_nested_defs(lines: list[str]) -> list[str]:
    """As ruff formats them: an empty line before a nested def (and the comments right above it),
    unless it opens its block, and an empty line after its body."""
    blank_before: set[int] = set()
    for i, line in enumerate(lines):
        if not line.lstrip().startswith("def ") or i == 0:
            continue
        start = i
        while start > 0 and lines[start - 1].lstrip().startswith("#"):
            start -= 1
        before = lines[start - 1] if start > 0 else ""
        if before.strip() and not (before.rstrip().endswith(":") and not before.lstrip().startswith("#")):
            blank_before.add(start)
        end = i + 1
        while end < len(lines) and (not lines[end].strip() or _depth(lines[end]) > _depth(line)):
            end += 1
        if end < len(lines):
            blank_before.add(end)
    out: list[str] = []
    for i, line in enumerate(lines):
        if i in blank_before and out and out[-1].strip():
            out.append("")
        out.append(line)
    return out


def _depth(line: str) -> int:
    return len(line) - len(line.lstrip())
