"""Compilers of names and data access: variables, `source`/`state`, `a.b`, `a?.b`, `a[i]` with fast paths."""

from __future__ import annotations

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
    where_of,
)
from flowlang.runtime.errors import FlowError, Where
from flowlang.runtime.values import get_attr, get_attr_optional, get_index, get_index_optional

RUNTIME_NAMES = ("source", "state")


def undefined(name: str, where: Where) -> FlowError:
    return FlowError("data", f"'{name}' is not defined here", where)



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

    def attr(frame: Frame) -> Any:
        value = obj(frame)
        if type(value) is dict:
            try:
                return value[name]
            except KeyError:
                pass
        return get_attr(value, name, where, path)

    return _fast_path(node, ctx, attr)


def _data_path(node: nodes.Node, ctx: Ctx) -> tuple[str, tuple[str | int, ...]] | None:
    """`x.a[0]."b"` as (x, ("a", 0, "b")) when it only reads a variable of this frame with constant keys."""
    keys: list[str | int] = []
    while True:
        if isinstance(node, nodes.Attr) and not node.optional:
            keys.append(node.name)
            node = node.obj
        elif isinstance(node, nodes.Index) and not node.optional and isinstance(node.index, nodes.Literal | nodes.String):
            key = _constant_key(node.index)
            if key is None:
                return None
            keys.append(key)
            node = node.obj
        elif isinstance(node, nodes.Name):
            if node.name in RUNTIME_NAMES or _lambda_depth(node.name, ctx) != 0:
                return None
            return node.name, tuple(reversed(keys))
        else:
            return None


def _constant_key(index: nodes.Literal | nodes.String) -> str | int | None:
    if isinstance(index, nodes.Literal):
        value = index.value
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if all(isinstance(p, str) for p in index.parts):
        return "".join(p for p in index.parts if isinstance(p, str))
    return None


PATH = "flow_path"  # attribute of a fast data-path closure: (variable, keys, slow closure)


def tag_path(fn: Eval, var: str, keys: tuple[str | int, ...], slow: Eval) -> Eval:
    """Mark `fn` as reading `var[keys…]`, so that a call of it can read the path inline."""
    setattr(fn, PATH, (var, keys, slow))
    return fn


def _fast_path(node: nodes.Node, ctx: Ctx, slow: Eval) -> Eval:
    """Read `x.a.b` with plain look-ups; anything unusual (a missing key, a wrong type) takes `slow`,
    which evaluates the same reads step by step and raises the error with its data path."""
    found = _data_path(node, ctx)
    if found is None:
        return slow
    var, keys = found
    if len(keys) == 1:
        (k0,) = keys

        def path1(frame: Frame) -> Any:
            try:
                return frame[var][k0]
            except (KeyError, IndexError, TypeError):
                return slow(frame)

        return tag_path(path1, var, keys, slow)
    if len(keys) == 2:
        k0, k1 = keys

        def path2(frame: Frame) -> Any:
            try:
                return frame[var][k0][k1]
            except (KeyError, IndexError, TypeError):
                return slow(frame)

        return tag_path(path2, var, keys, slow)
    if len(keys) == 3:
        k0, k1, k2 = keys

        def path3(frame: Frame) -> Any:
            try:
                return frame[var][k0][k1][k2]
            except (KeyError, IndexError, TypeError):
                return slow(frame)

        return path3
    return slow


@compiles
def compile_Index(node: nodes.Index, ctx: Ctx) -> Eval:
    """index: expr "[" expr "]" | expr "?[" expr "]"  — a list position, an object key or a character"""
    where, path, key_text = where_of(node), nodes.describe(node.obj), nodes.describe_key(node.index)
    index = compile_node(node.index, ctx)
    if is_state(node.obj, ctx):

        def state_item(frame: Frame) -> Any:
            key = index(frame)
            if not isinstance(key, str):
                raise FlowError("data", "state keys are strings", where)
            return frame[RUN].state.get(key)

        return state_item
    obj = compile_node(node.obj, ctx)
    if node.optional:
        return lambda frame: get_index_optional(obj(frame), index(frame), where, path)

    def item(frame: Frame) -> Any:
        value = obj(frame)
        key = index(frame)
        kind = type(value)
        if (kind is list and type(key) is int) or (kind is dict and type(key) is str):
            try:
                return value[key]
            except (IndexError, KeyError):
                pass
        return get_index(value, key, where, path, key_text)

    return _fast_path(node, ctx, item)


