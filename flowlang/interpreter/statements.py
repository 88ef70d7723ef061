"""Compilers of statements: assignment, control flow, loops (plain and parallel), try, log, wait."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flowlang import nodes
from flowlang.interpreter.access import is_state, undefined
from flowlang.interpreter.core import (
    BREAK,
    CONTINUE,
    OUTER,
    RETURN,
    RETURNED,
    RUN,
    Ctx,
    Eval,
    Exec,
    Frame,
    Signal,
    compile_node,
    compiles,
    where_of,
)
from flowlang.runtime.errors import FlowError, UserError, Where
from flowlang.runtime.values import (
    Stream,
    augment,
    get_attr,
    get_index,
    iterate,
    iterate_pairs,
    set_item,
    to_text,
    truthy,
)


def _nothing(frame: Frame) -> Signal | None:
    return None


@compiles
def compile_Block(node: nodes.Block, ctx: Ctx) -> Exec:
    """block: "{" statement* "}"  — stops at the first break/continue/return signal"""
    stmts = tuple(_compile_stmt(stmt, ctx) for stmt in node.stmts)
    if not stmts:
        return _nothing
    if len(stmts) == 1:
        return stmts[0]

    def block(frame: Frame) -> Signal | None:
        for stmt in stmts:
            signal = stmt(frame)
            if signal is not None:
                return signal
        return None

    return block


def _compile_stmt(node: nodes.Node, ctx: Ctx) -> Exec:
    """One statement; compiled for counting, it first reports that it began (loops count iterations)."""
    stmt: Exec = compile_node(node, ctx)
    if not ctx.counting or isinstance(node, nodes.For | nodes.While):
        return stmt
    where = where_of(node)

    def counted(frame: Frame) -> Signal | None:
        frame[RUN].hit(where)
        return stmt(frame)

    return counted


# ---------------------------------------------------------------- assignment


@compiles
def compile_Assign(node: nodes.Assign, ctx: Ctx) -> Exec:
    """assign: target ("=" | "+=" | "-=") expr  with target: NAME | expr "." NAME | expr "[" expr "]"

    Order of evaluation: the target's container and key (left to right), then the value, then (for
    `+=`/`-=`) the current value; the code generator follows the same order.
    """
    value, where, target = compile_node(node.value, ctx), where_of(node), node.target
    if isinstance(target, nodes.Name):
        if node.op == "=":
            return _set_name(target.name, value)
        if ctx.parallel:
            return _augment_shared_name(target.name, node.op, value, where)
        return _augment_name(target.name, node.op, value, where)
    if isinstance(target, nodes.Attr) and is_state(target.obj, ctx):
        return _set_state(lambda frame: target.name, node.op, value, where)
    if isinstance(target, nodes.Index) and is_state(target.obj, ctx):
        return _set_state(compile_node(target.index, ctx), node.op, value, where)
    if isinstance(target, nodes.Attr):
        name = target.name
        key: Eval = lambda frame: name  # noqa: E731
    elif isinstance(target, nodes.Index):
        key = compile_node(target.index, ctx)
    else:

        def cannot(frame: Frame) -> None:
            raise FlowError("data", "cannot assign to this expression", where)

        return cannot
    obj, path = compile_node(target.obj, ctx), nodes.describe(target.obj)
    if node.op == "=":

        def set_field(frame: Frame) -> None:
            container, k = obj(frame), key(frame)
            set_item(container, k, value(frame), where, path)

        return set_field
    op, read = node.op, get_attr if isinstance(target, nodes.Attr) else get_index
    shared = ctx.parallel

    def augment_field(frame: Frame) -> None:
        container, k = obj(frame), key(frame)
        addend = value(frame)
        if shared:
            with frame[RUN].lock:
                current = read(container, k, where, path)
                set_item(container, k, augment(op, current, addend, where), where, path)
        else:
            current = read(container, k, where, path)
            set_item(container, k, augment(op, current, addend, where), where, path)

    return augment_field


def _set_name(name: str, value: Eval) -> Exec:
    def assign(frame: Frame) -> None:
        frame[name] = value(frame)

    return assign


def _augment_name(name: str, op: str, value: Eval, where: Where) -> Exec:
    plus = op == "+="

    def augment_name(frame: Frame) -> None:
        addend = value(frame)
        try:
            current = frame[name]
        except KeyError:
            raise undefined(name, where) from None
        if type(current) is int and type(addend) is int:
            frame[name] = current + addend if plus else current - addend
        elif plus and type(current) is list and type(addend) is list:
            current.extend(addend)  # in place, as augment() does
        else:
            frame[name] = augment(op, current, addend, where)

    return augment_name


def _augment_shared_name(name: str, op: str, value: Eval, where: Where) -> Exec:
    """`x += e` in a parallel body: x lives in the scope the loop was copied from; update it under the lock."""

    def augment_outer(frame: Frame) -> None:
        addend = value(frame)
        with frame[RUN].lock:
            scopes = [frame]
            while OUTER in scopes[-1] and name in scopes[-1][OUTER]:
                scopes.append(scopes[-1][OUTER])
            try:
                current = scopes[-1][name]
            except KeyError:
                raise undefined(name, where) from None
            result = augment(op, current, addend, where)
            for scope in scopes:
                scope[name] = result

    return augment_outer


def _set_state(key: Eval, op: str, value: Eval, where: Where) -> Exec:
    """`state.key = e` (and `+=`/`-=`): the flow's persisted state, committed by the run."""

    def assign_state(frame: Frame) -> None:
        k = key(frame)
        if not isinstance(k, str):
            raise FlowError("data", "state keys are strings", where)
        result = value(frame)
        state = frame[RUN].state
        if op != "=":
            result = augment(op, state.get(k), result, where)
        state[k] = result

    return assign_state


# ---------------------------------------------------------------- control flow


@compiles
def compile_If(node: nodes.If, ctx: Ctx) -> Exec:
    """if: "if" expr block ["else" (if | block)]"""
    cond, body = compile_node(node.cond, ctx), compile_Block(node.body, ctx)
    orelse = node.orelse
    orelse_exec = _nothing if orelse is None else (
        _compile_stmt(orelse, ctx) if isinstance(orelse, nodes.If) else compile_node(orelse, ctx))

    def if_(frame: Frame) -> Signal | None:
        c = cond(frame)  # a comparison gives True or False: no call of truthy() for those
        if c is True or (c is not False and truthy(c)):
            return body(frame)
        return orelse_exec(frame)

    return if_


@compiles
def compile_For(node: nodes.For, ctx: Ctx) -> Exec:
    """for: "for" ident ["," ident] "in" expr ["parallel" expr] block"""
    names = tuple(compile_node(ident, ctx) for ident in node.names)
    iterable, where = compile_node(node.iterable, ctx), where_of(node)
    if node.parallel is not None:
        return _parallel_for(names, iterable, compile_node(node.parallel, ctx), node.body, ctx, where)
    body = compile_Block(node.body, ctx.in_loop())
    loop = _loop(names, body, where)
    if not ctx.outermost:
        return lambda frame: loop(frame, iterable(frame))

    def outermost_loop(frame: Frame) -> Signal | None:
        value = iterable(frame)
        run = frame[RUN]
        if run.show_progress and type(value) is list and len(value) > 1:
            return loop(frame, _with_progress(value, run.progress))
        return loop(frame, value)

    return outermost_loop


def _loop(names: tuple[str, ...], body: Exec, where: Where) -> Any:
    """The loop itself, given the evaluated iterable: one or two loop variables."""
    if len(names) == 1:
        (name,) = names

        def for_each(frame: Frame, value: Any) -> Signal | None:
            items = iterate(value, where)
            step = frame[RUN].step
            for item in items:
                step(where)
                frame[name] = item
                signal = body(frame)
                if signal is not None and signal is not CONTINUE:
                    if signal is BREAK:
                        break
                    return signal
            return None

        return for_each
    first, second = names

    def for_pairs(frame: Frame, value: Any) -> Signal | None:
        pairs = iterate_pairs(value, where)
        step = frame[RUN].step
        for key, item in pairs:
            step(where)
            frame[first] = key
            frame[second] = item
            signal = body(frame)
            if signal is not None and signal is not CONTINUE:
                if signal is BREAK:
                    break
                return signal
        return None

    return for_pairs


def _with_progress(items: list[Any], report: Any) -> Stream:
    """The items of a list, reporting `done/total` to the run's progress bar as the loop walks them."""

    def walk() -> Iterator[Any]:
        total = len(items)
        for done, item in enumerate(items):
            report(done, total)
            yield item
        report(total, total)

    return Stream(walk, "progress")


def _parallel_for(
    names: tuple[str, ...], iterable: Eval, limit: Eval, block: nodes.Block, ctx: Ctx, where: Where
) -> Exec:
    """Each iteration runs in its own copy of the frame; `+=`/`-=` reach the outer scope (statements)."""
    body = compile_Block(block, ctx.in_parallel())
    pairs, outermost = len(names) == 2, ctx.outermost

    def parallel(frame: Frame) -> Signal | None:
        value = iterable(frame)
        run = frame[RUN]
        if outermost and run.show_progress and type(value) is list and len(value) > 1:
            value = _with_progress(value, run.progress)  # counts the iterations started
        items = iterate_pairs(value, where) if pairs else iterate(value, where)

        def one(item: Any) -> None:
            run.step(where)
            local = dict(frame)
            local[OUTER] = frame
            if pairs:
                local[names[0]], local[names[1]] = item
            else:
                local[names[0]] = item
            signal = body(local)
            if signal is BREAK or signal is RETURN:
                raise FlowError("data", f"{signal.name} is not allowed in a parallel loop", where)

        run.parallel_for(items, limit(frame), one, where)
        return None

    return parallel


@compiles
def compile_While(node: nodes.While, ctx: Ctx) -> Exec:
    """while: "while" expr block  — every iteration counts against the run's step limit"""
    cond, body, where = compile_node(node.cond, ctx), compile_Block(node.body, ctx.in_loop()), where_of(node)

    def while_(frame: Frame) -> Signal | None:
        step = frame[RUN].step
        while truthy(cond(frame)):
            step(where)
            signal = body(frame)
            if signal is not None and signal is not CONTINUE:
                if signal is BREAK:
                    break
                return signal
        return None

    return while_


@compiles
def compile_Break(node: nodes.Break, ctx: Ctx) -> Exec:
    """break: "break" """
    return lambda frame: BREAK


@compiles
def compile_Continue(node: nodes.Continue, ctx: Ctx) -> Exec:
    """continue: "continue" """
    return lambda frame: CONTINUE


@compiles
def compile_Return(node: nodes.Return, ctx: Ctx) -> Exec:
    """return: "return" [expr]"""
    value = compile_node(node.value, ctx) if node.value is not None else None

    def return_(frame: Frame) -> Signal:
        frame[RETURNED] = value(frame) if value is not None else None
        return RETURN

    return return_


@compiles
def compile_Try(node: nodes.Try, ctx: Ctx) -> Exec:
    """try: "try" block "catch" [ident] block

    Catches every FlowError except kind "limit" (a runaway flow must end, not loop on in a handler);
    `err` is `FlowError.to_value()`: kind, message, status, body, system, operation, line.
    """
    body, handler = compile_Block(node.body, ctx), compile_Block(node.handler, ctx)
    err = compile_node(node.err, ctx) if node.err is not None else None
    counting, handler_where = ctx.counting, where_of(node.handler)

    def try_(frame: Frame) -> Signal | None:
        try:
            return body(frame)
        except FlowError as e:
            if e.kind == "limit":
                raise
            if counting:
                frame[RUN].caught(e, handler_where)
            if err is not None:
                frame[err] = e.to_value()
        return handler(frame)

    return try_


@compiles
def compile_Fail(node: nodes.Fail, ctx: Ctx) -> Exec:
    """fail: "fail" expr  — a user error (kind "user") with the text of the value"""
    value, where = compile_node(node.value, ctx), where_of(node)

    def fail(frame: Frame) -> None:
        raise UserError(to_text(value(frame)), where)

    return fail


@compiles
def compile_Log(node: nodes.Log, ctx: Ctx) -> Exec:
    """log: "log" LEVEL expr  with LEVEL one of debug info warn error success failure"""
    level, value, where = node.level, compile_node(node.value, ctx), where_of(node)

    def log(frame: Frame) -> None:
        frame[RUN].log(level, value(frame), where)

    return log


@compiles
def compile_Wait(node: nodes.Wait, ctx: Ctx) -> Exec:
    """wait: "wait" expr  (seconds)"""
    value, where = compile_node(node.value, ctx), where_of(node)

    def wait(frame: Frame) -> None:
        frame[RUN].wait(value(frame), where)

    return wait


@compiles
def compile_Checkpoint(node: nodes.Checkpoint, ctx: Ctx) -> Exec:
    """checkpoint: "checkpoint"  — commit the flow's state now"""
    where = where_of(node)

    def checkpoint(frame: Frame) -> None:
        frame[RUN].checkpoint(where)

    return checkpoint


@compiles
def compile_ExprStmt(node: nodes.ExprStmt, ctx: Ctx) -> Exec:
    """expr_stmt: call | api_call  — on its own line, its value is dropped"""
    expr = compile_node(node.expr, ctx)

    def evaluate(frame: Frame) -> None:
        expr(frame)

    return evaluate
