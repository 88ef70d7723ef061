"""Compilers of expressions: literals, names, field access, operators (calls live in calls.py)."""

from __future__ import annotations

import functools
from typing import Any

from flowlang import nodes
from flowlang.interpreter.core import (
    PARENT,
    RUN,
    Ctx,
    Eval,
    Frame,
    compile_node,
    compiles,
    constant,
    constant_value,
    where_of,
)
from flowlang.runtime.errors import FlowError, Where
from flowlang.runtime.values import (
    add,
    arith,
    compare,
    contains,
    equal,
    get_attr,
    get_attr_optional,
    get_index,
    negate,
    to_text,
    truthy,
)

RUNTIME_NAMES = ("source", "state")


def undefined(name: str, where: Where) -> FlowError:
    return FlowError("data", f"'{name}' is not defined here", where)


@compiles
def compile_Literal(node: nodes.Literal, ctx: Ctx) -> Eval:
    """literal: "null" | "true" | "false" | NUMBER"""
    return constant(node.value)


@compiles
def compile_Duration(node: nodes.Duration, ctx: Ctx) -> Eval:
    """duration: DURATION  (250ms 2s 5m 1h, a number of seconds)"""
    seconds = node.seconds
    return constant(int(seconds) if float(seconds).is_integer() else seconds)


@compiles
def compile_String(node: nodes.String, ctx: Ctx) -> Eval:
    """string: "\\"" (TEXT | "{" expr "}")* "\\""  — interpolation goes through to_text"""
    parts: list[str | Eval] = []
    for part in node.parts:
        piece: str | Eval = part if isinstance(part, str) else compile_node(part, ctx)
        if not isinstance(piece, str):
            known = constant_value(piece)
            if known is not None:
                piece = to_text(known[0])
        if isinstance(piece, str) and parts and isinstance(parts[-1], str):
            parts[-1] = parts[-1] + piece
        else:
            parts.append(piece)
    if not parts:
        return constant("")
    if len(parts) == 1 and isinstance(parts[0], str):
        return constant(parts[0])
    pieces = tuple(parts)

    def interpolate(frame: Frame) -> str:
        out = []
        for p in pieces:
            if isinstance(p, str):
                out.append(p)
            else:
                value = p(frame)
                out.append(value if type(value) is str else to_text(value))
        return "".join(out)

    return interpolate


@compiles
def compile_ListLit(node: nodes.ListLit, ctx: Ctx) -> Eval:
    """list: "[" [expr ("," expr)* [","]] "]"  — a new list every time"""
    items = tuple(compile_node(item, ctx) for item in node.items)
    if not items:
        return lambda frame: []
    if len(items) == 1:
        (only,) = items
        return lambda frame: [only(frame)]
    return lambda frame: [item(frame) for item in items]


@compiles
def compile_Entry(node: nodes.Entry, ctx: Ctx) -> tuple[str, Eval]:
    """entry: (NAME | STRING) ":" expr"""
    return node.key, compile_node(node.value, ctx)


@compiles
def compile_ObjectLit(node: nodes.ObjectLit, ctx: Ctx) -> Eval:
    """object: "{" [entry ("," entry)* [","]] "}"  — a new object every time"""
    entries = tuple(compile_Entry(entry, ctx) for entry in node.entries)
    if not entries:
        return lambda frame: {}
    if len(entries) <= _MAX_DISPLAY:
        return _object_display(len(entries))(*(part for entry in entries for part in entry))
    return lambda frame: {key: value(frame) for key, value in entries}


_MAX_DISPLAY = 64


@functools.cache
def _object_display(size: int) -> Any:
    """A factory of closures that build an object of `size` entries with one dict display.

    The generated source holds only parameter names (k0, v0, …): keys and values arrive as arguments,
    so no text of the flow ever becomes code.
    """
    params = ", ".join(f"k{i}, v{i}" for i in range(size))
    display = ", ".join(f"k{i}: v{i}(frame)" for i in range(size))
    source = f"def make({params}):\n    def build(frame):\n        return {{{display}}}\n    return build\n"
    namespace: dict[str, Any] = {}
    exec(compile(source, f"<object display {size}>", "exec"), namespace)
    return namespace["make"]


@compiles
def compile_Name(node: nodes.Name, ctx: Ctx) -> Eval:
    """name: NAME  — a variable, a parameter, `source` or `state`"""
    name, where = node.name, where_of(node)
    depth = _lambda_depth(name, ctx)
    if name in RUNTIME_NAMES and is_runtime_name(name, ctx):
        return _runtime_name(name)
    if depth == 0:

        def variable(frame: Frame) -> Any:
            try:
                return frame[name]
            except KeyError:
                raise undefined(name, where) from None

        return variable
    if depth == 1:

        def outer_variable(frame: Frame) -> Any:
            try:
                return frame[PARENT][name]
            except KeyError:
                raise undefined(name, where) from None

        return outer_variable

    def far_variable(frame: Frame) -> Any:
        for _ in range(depth):
            frame = frame[PARENT]
        try:
            return frame[name]
        except KeyError:
            raise undefined(name, where) from None

    return far_variable


def _lambda_depth(name: str, ctx: Ctx) -> int:
    """How many lambda frames up `name` lives: 0 is the innermost frame."""
    for hops, params in enumerate(reversed(ctx.lambdas)):
        if name in params:
            return hops
    return len(ctx.lambdas)


def _runtime_name(name: str) -> Eval:
    if name == "source":
        return lambda frame: frame[RUN].source
    return lambda frame: frame[RUN].state


def is_runtime_name(name: str, ctx: Ctx) -> bool:
    """Does `name` mean the run's `source`/`state` here (not a lambda or func parameter)?"""
    return _lambda_depth(name, ctx) == len(ctx.lambdas) and name not in ctx.params


def is_state(node: nodes.Node, ctx: Ctx) -> bool:
    """Is `node` the name `state` (the flow's persisted state)?"""
    return isinstance(node, nodes.Name) and node.name == "state" and is_runtime_name("state", ctx)


@compiles
def compile_Attr(node: nodes.Attr, ctx: Ctx) -> Eval:
    """attr: expr "." NAME | expr "?." NAME"""
    name, where = node.name, where_of(node)
    if is_state(node.obj, ctx):
        return lambda frame: frame[RUN].state.get(name)
    obj = compile_node(node.obj, ctx)
    if node.optional:
        return lambda frame: get_attr_optional(obj(frame), name)
    path = nodes.describe(node.obj)
    if isinstance(node.obj, nodes.Name) and node.obj.name not in RUNTIME_NAMES:
        if _lambda_depth(node.obj.name, ctx) == 0:
            return _field_of_variable(node.obj.name, name, obj, where, path)

    def attr(frame: Frame) -> Any:
        value = obj(frame)
        if type(value) is dict:
            try:
                return value[name]
            except KeyError:
                pass
        return get_attr(value, name, where, path)

    return attr


def _field_of_variable(var: str, name: str, obj: Eval, where: Where, path: str) -> Eval:
    """`x.name` for a variable of the current frame: one closure, two dict look-ups when all is well."""

    def field(frame: Frame) -> Any:
        try:
            return frame[var][name]
        except (KeyError, TypeError):
            return get_attr(obj(frame), name, where, path)  # reading a name has no side effects

    return field


@compiles
def compile_Index(node: nodes.Index, ctx: Ctx) -> Eval:
    """index: expr "[" expr "]"  — a list position, an object key or a character"""
    where, path = where_of(node), nodes.describe(node.obj)
    index = compile_node(node.index, ctx)
    if is_state(node.obj, ctx):

        def state_item(frame: Frame) -> Any:
            key = index(frame)
            if not isinstance(key, str):
                raise FlowError("data", "state keys are strings", where)
            return frame[RUN].state.get(key)

        return state_item
    obj = compile_node(node.obj, ctx)

    def item(frame: Frame) -> Any:
        value = obj(frame)
        key = index(frame)
        kind = type(value)
        if (kind is list and type(key) is int) or (kind is dict and type(key) is str):
            try:
                return value[key]
            except (IndexError, KeyError):
                pass
        return get_index(value, key, where, path)

    return item


@compiles
def compile_Unary(node: nodes.Unary, ctx: Ctx) -> Eval:
    """unary: "-" expr | "not" expr"""
    operand, where = compile_node(node.operand, ctx), where_of(node)
    if node.op == "not":

        def negation(frame: Frame) -> bool:
            value = operand(frame)
            return value is False or value is None or not truthy(value)

        return _fold(negation, operand)

    def minus(frame: Frame) -> Any:
        return negate(operand(frame), where)

    return _fold(minus, operand)


@compiles
def compile_Binary(node: nodes.Binary, ctx: Ctx) -> Eval:
    """binary: expr OP expr for + - * / % == != < <= > >= in "not in" and or ??"""
    left, right = compile_node(node.left, ctx), compile_node(node.right, ctx)
    make = _BINARY[node.op]
    return _fold(make(left, right, where_of(node)), left, right)


def _fold(fn: Eval, *operands: Eval) -> Eval:
    """Evaluate now when every operand is a constant (and the result is an immutable value)."""
    if not operands or any(constant_value(op) is None for op in operands):
        return fn
    try:
        value = fn({})
    except FlowError:
        return fn  # leave the error to run time, where it gets reported
    if value is None or isinstance(value, bool | int | float | str):
        return constant(value)
    return fn


def _and(left: Eval, right: Eval, where: Where) -> Eval:
    def both(frame: Frame) -> bool:
        return truthy(left(frame)) and truthy(right(frame))

    return both


def _or(left: Eval, right: Eval, where: Where) -> Eval:
    def either(frame: Frame) -> bool:
        return truthy(left(frame)) or truthy(right(frame))

    return either


def _default(left: Eval, right: Eval, where: Where) -> Eval:
    def coalesce(frame: Frame) -> Any:
        value = left(frame)
        return right(frame) if value is None else value

    return coalesce


def _plus(left: Eval, right: Eval, where: Where) -> Eval:
    def plus(frame: Frame) -> Any:
        a, b = left(frame), right(frame)
        kind = type(a)
        if kind is type(b) and (kind is int or kind is str or kind is float):
            return a + b
        return add(a, b, where)

    return plus


def _arith(op: str) -> Any:
    def make(left: Eval, right: Eval, where: Where) -> Eval:
        if op == "-":

            def minus(frame: Frame) -> Any:
                a, b = left(frame), right(frame)
                if type(a) is int and type(b) is int:
                    return a - b
                return arith("-", a, b, where)

            return minus
        if op == "*":

            def times(frame: Frame) -> Any:
                a, b = left(frame), right(frame)
                if type(a) is int and type(b) is int:
                    return a * b
                return arith("*", a, b, where)

            return times

        def other(frame: Frame) -> Any:
            return arith(op, left(frame), right(frame), where)

        return other

    return make


def _equal(negated: bool) -> Any:
    def make(left: Eval, right: Eval, where: Where) -> Eval:
        def same(frame: Frame) -> bool:
            a, b = left(frame), right(frame)
            kind = type(a)
            if kind is type(b) and (kind is str or kind is int):
                return (a == b) is not negated
            return equal(a, b) is not negated

        return same

    return make


def _compare(op: str) -> Any:
    def make(left: Eval, right: Eval, where: Where) -> Eval:
        def ordered(frame: Frame) -> bool:
            return compare(op, left(frame), right(frame), where)

        return ordered

    return make


def _in(negated: bool) -> Any:
    def make(left: Eval, right: Eval, where: Where) -> Eval:
        def member(frame: Frame) -> bool:
            item = left(frame)
            return contains(right(frame), item, where) is not negated

        return member

    return make


_BINARY: dict[str, Any] = {
    "and": _and,
    "or": _or,
    "??": _default,
    "+": _plus,
    "-": _arith("-"),
    "*": _arith("*"),
    "/": _arith("/"),
    "%": _arith("%"),
    "==": _equal(False),
    "!=": _equal(True),
    "<": _compare("<"),
    "<=": _compare("<="),
    ">": _compare(">"),
    ">=": _compare(">="),
    "in": _in(False),
    "not in": _in(True),
}


@compiles
def compile_Conditional(node: nodes.Conditional, ctx: Ctx) -> Eval:
    """conditional: "if" expr "then" expr "else" expr"""
    cond, then, orelse = (compile_node(n, ctx) for n in (node.cond, node.then, node.orelse))
    known = constant_value(cond)
    if known is not None:
        return then if truthy(known[0]) else orelse

    def choose(frame: Frame) -> Any:
        return then(frame) if truthy(cond(frame)) else orelse(frame)

    return choose


def evaluate_constant(fn: Eval) -> Any:
    """The value of an expression that needs no frame (for tests and settings)."""
    known = constant_value(fn)
    return known[0] if known is not None else fn({RUN: None})


__all__ = ["RUNTIME_NAMES", "evaluate_constant", "is_runtime_name", "is_state", "undefined"]
