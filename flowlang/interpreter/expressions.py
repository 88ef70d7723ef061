"""Compilers of expressions: literals, strings, lists, objects and operators (names: access.py; calls: calls.py)."""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from typing import Any

from flowlang import nodes
from flowlang.interpreter.core import (
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
    negate,
    to_text,
    truthy,
)


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
    # Alternate text and expressions: texts[i] comes before exprs[i], texts[-1] ends the string.
    texts: list[str] = []
    exprs: list[Eval] = []
    for compiled in parts:
        if isinstance(compiled, str):
            texts.append(compiled)
        else:
            if len(texts) == len(exprs):
                texts.append("")
            exprs.append(compiled)
    if len(texts) == len(exprs):
        texts.append("")
    return _interpolation(tuple(texts), tuple(exprs))


def _interpolation(texts: tuple[str, ...], exprs: tuple[Eval, ...]) -> Eval:
    if len(exprs) == 1:
        (before, after), (only,) = texts, exprs

        def interpolate1(frame: Frame) -> str:
            value = only(frame)
            return before + (value if type(value) is str else to_text(value)) + after

        return interpolate1
    if len(exprs) == 2:
        (before, middle, after), (first, second) = texts, exprs

        def interpolate2(frame: Frame) -> str:
            a, b = first(frame), second(frame)
            a = a if type(a) is str else to_text(a)
            return before + a + middle + (b if type(b) is str else to_text(b)) + after

        return interpolate2

    def interpolate(frame: Frame) -> str:
        out = [texts[0]]
        for expr, text in zip(exprs, texts[1:], strict=True):
            value = expr(frame)
            out.append(value if type(value) is str else to_text(value))
            out.append(text)
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
        a = left(frame)  # a comparison gives True or False: no call of truthy() for those
        if a is not True and (a is False or not truthy(a)):
            return False
        b = right(frame)
        return b is True or (b is not False and truthy(b))

    return both


def _or(left: Eval, right: Eval, where: Where) -> Eval:
    def either(frame: Frame) -> bool:
        a = left(frame)
        if a is True or (a is not False and truthy(a)):
            return True
        b = right(frame)
        return b is True or (b is not False and truthy(b))

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
    """`< <= > >=`: two ints, floats or strings compared in place; everything else through compare()."""
    test = _ORDER[op]

    def make(left: Eval, right: Eval, where: Where) -> Eval:
        def ordered(frame: Frame) -> bool:
            a, b = left(frame), right(frame)
            kind = type(a)
            if kind is type(b) and (kind is int or kind is float or kind is str):
                return test(a, b)
            return compare(op, a, b, where)

        return ordered

    return make


_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


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
        c = cond(frame)
        return then(frame) if c is True or (c is not False and truthy(c)) else orelse(frame)

    return choose
