"""Compilers of calls: builtins, user funcs, setting functions, `call`/`each` requests and lambdas."""

from __future__ import annotations

from typing import Any

from flowlang import nodes
from flowlang.interpreter.access import PATH
from flowlang.interpreter.core import (
    PARENT,
    RETURN,
    RETURNED,
    RUN,
    Ctx,
    Eval,
    Frame,
    FuncDef,
    compile_node,
    compiles,
    where_of,
)
from flowlang.keysites import KEY_ARGUMENT, call_site_form
from flowlang.runtime.config import SETTING_FUNCTIONS, call_key, call_setting_function
from flowlang.runtime.errors import FlowError, Where


@compiles
def compile_Arg(node: nodes.Arg, ctx: Ctx) -> tuple[str | None, Eval]:
    """arg: expr | NAME ":" expr"""
    return node.name, compile_node(node.value, ctx)


@compiles
def compile_Ident(node: nodes.Ident, ctx: Ctx) -> str:
    """ident: NAME  (a loop variable, or a lambda or func parameter)"""
    return node.name


def _split_args(args: tuple[nodes.Arg, ...], ctx: Ctx) -> tuple[tuple[Eval, ...], tuple[tuple[str, Eval], ...]]:
    compiled = [compile_Arg(arg, ctx) for arg in args]
    positional = tuple(fn for name, fn in compiled if name is None)
    named = tuple((name, fn) for name, fn in compiled if name is not None)
    return positional, named


def builtin_failure(name: str, exc: Exception, where: Where) -> FlowError:
    """A Python exception escaping a builtin becomes a data error at the call."""
    return FlowError("data", f"{name}(): {exc}", where)


@compiles
def compile_Call(node: nodes.Call, ctx: Ctx) -> Eval:
    """call: NAME "(" [arg ("," arg)* [","]] ")"  — a func, a builtin, or (in settings) a setting function"""
    name, where = node.func, where_of(node)
    positional, named = _split_args(node.args, ctx)
    if ctx.settings and name in SETTING_FUNCTIONS:
        return _setting_call(name, positional, named, where)
    func = ctx.funcs.get(name)
    if func is not None:
        return _func_call(func, positional, named, where)
    builtin = ctx.builtins.get(name)
    if builtin is None:
        return _raiser(f"unknown function '{name}'", where)
    return _builtin_call(name, builtin.fn, positional, named, where)


def _raiser(message: str, where: Where) -> Eval:
    """A call the checker would have rejected: a data error each time it is evaluated."""

    def fail(frame: Frame) -> Any:
        raise FlowError("data", message, where)

    return fail


def _builtin_call(
    name: str, fn: Any, positional: tuple[Eval, ...], named: tuple[tuple[str, Eval], ...], where: Where
) -> Eval:
    if not named and len(positional) == 1:
        return _builtin_call1(name, fn, positional[0], where)
    if not named and len(positional) == 2:
        first, second = positional

        def call2(frame: Frame) -> Any:
            a, b = first(frame), second(frame)
            try:
                return fn(a, b)
            except FlowError as e:
                raise e.located(where) from None
            except RecursionError:
                raise
            except Exception as e:
                raise builtin_failure(name, e, where) from None

        return call2

    def call(frame: Frame) -> Any:
        args = [arg(frame) for arg in positional]
        kwargs = {key: arg(frame) for key, arg in named}
        try:
            return fn(*args, **kwargs)
        except FlowError as e:
            raise e.located(where) from None
        except RecursionError:
            raise
        except Exception as e:
            raise builtin_failure(name, e, where) from None

    return call


BUILTIN1 = "flow_builtin1"  # attribute of a one-argument builtin call: (fn, argument, name, where)


def _builtin_call1(name: str, fn: Any, first: Eval, where: Where) -> Eval:
    """`f(x)`: the most common call. A data-path argument is read inline, and `f(g(x))` is one closure."""
    path = getattr(first, PATH, None)
    if path is not None and len(path[1]) == 1:
        var, (k0,), slow = path

        def call_of_field(frame: Frame) -> Any:
            try:
                arg = frame[var][k0]
            except (KeyError, IndexError, TypeError):
                arg = slow(frame)
            try:
                return fn(arg)
            except FlowError as e:
                raise e.located(where) from None
            except RecursionError:
                raise
            except Exception as e:
                raise builtin_failure(name, e, where) from None

        return _tag_call1(call_of_field, fn, first, name, where)
    if path is not None and len(path[1]) == 2:
        var, (k0, k1), slow = path

        def call_of_path(frame: Frame) -> Any:
            try:
                arg = frame[var][k0][k1]
            except (KeyError, IndexError, TypeError):
                arg = slow(frame)
            try:
                return fn(arg)
            except FlowError as e:
                raise e.located(where) from None
            except RecursionError:
                raise
            except Exception as e:
                raise builtin_failure(name, e, where) from None

        return _tag_call1(call_of_path, fn, first, name, where)
    inner = getattr(first, BUILTIN1, None)
    if inner is not None:
        inner_fn, inner_arg, inner_name, inner_where = inner

        def call_of_call(frame: Frame) -> Any:
            arg = inner_arg(frame)
            try:
                arg = inner_fn(arg)
            except FlowError as e:
                raise e.located(inner_where) from None
            except RecursionError:
                raise
            except Exception as e:
                raise builtin_failure(inner_name, e, inner_where) from None
            try:
                return fn(arg)
            except FlowError as e:
                raise e.located(where) from None
            except RecursionError:
                raise
            except Exception as e:
                raise builtin_failure(name, e, where) from None

        return call_of_call

    def call1(frame: Frame) -> Any:
        arg = first(frame)
        try:
            return fn(arg)
        except FlowError as e:
            raise e.located(where) from None
        except RecursionError:
            raise
        except Exception as e:
            raise builtin_failure(name, e, where) from None

    return _tag_call1(call1, fn, first, name, where)


def _tag_call1(closure: Eval, fn: Any, arg: Eval, name: str, where: Where) -> Eval:
    setattr(closure, BUILTIN1, (fn, arg, name, where))
    return closure


def _setting_call(
    name: str, positional: tuple[Eval, ...], named: tuple[tuple[str, Eval], ...], where: Where
) -> Eval:
    def setting(frame: Frame) -> Any:
        args = [arg(frame) for arg in positional]
        kwargs = {key: arg(frame) for key, arg in named}
        try:
            return call_setting_function(name, args, kwargs)
        except FlowError as e:
            raise e.located(where) from None

    return setting


def _func_call(
    func: FuncDef, positional: tuple[Eval, ...], named: tuple[tuple[str, Eval], ...], where: Where
) -> Eval:
    """Bind the arguments to parameters now; defaults are evaluated per call, in the new frame."""
    params = func.params
    if len(positional) > len(params):
        return _raiser(f"{func.name}() takes {len(params)} arguments, got {len(positional)}", where)
    bound: list[tuple[str, Eval]] = list(zip(params, positional, strict=False))
    for key, arg in named:
        if key not in params:
            return _raiser(f"{func.name}() has no parameter '{key}'", where)
        if any(key == done for done, _ in bound):
            return _raiser(f"{func.name}(): '{key}' given twice", where)
        bound.append((key, arg))
    given = {key for key, _ in bound}
    missing = tuple(p for p in params if p not in given)
    arguments = tuple(bound)
    name = func.name

    def call_func(frame: Frame) -> Any:
        run = frame[RUN]
        inner: Frame = {RUN: run}
        for key, arg in arguments:
            inner[key] = arg(frame)
        for key in missing:
            default = func.defaults.get(key)
            if default is None:
                raise FlowError("data", f"{name}() is missing '{key}'", where)
            inner[key] = default(inner)
        run.enter_call(name, where)  # exit_call() adds this frame to the stack of an error unwinding
        try:
            signal = func.body(inner)
        except RecursionError:
            raise FlowError("limit", f"recursion too deep in {name}()", where) from None
        finally:
            run.exit_call()
        return inner.get(RETURNED) if signal is RETURN else None

    return call_func


@compiles
def compile_ApiCall(node: nodes.ApiCall, ctx: Ctx) -> Eval:
    """api_call: ("call" | "each") NAME "." NAME "(" [arg ("," arg)*] ")"  — named arguments only"""
    system, operation, where = node.system, node.operation, where_of(node)
    positional, named = _split_args(node.args, ctx)
    if positional:
        return _raiser(f"{system}.{operation}(): arguments must be named", where)
    site = ctx.key_sites.get(where or ("", 0, 0), f"{system}.{operation}")
    named = tuple((key, _key_source(arg.value, site, where, ctx) if key == KEY_ARGUMENT else fn)
                  for (key, fn), arg in zip(named, (a for a in node.args if a.name is not None), strict=True))
    if node.mode == "each":

        def each(frame: Frame) -> Any:
            args = {key: arg(frame) for key, arg in named}
            return frame[RUN].each(system, operation, args, where)

        return each

    def call(frame: Frame) -> Any:
        args = {key: arg(frame) for key, arg in named}
        return frame[RUN].call(system, operation, args, where)

    return call


def _key_source(value: nodes.Node, site: str, where: Where, ctx: Ctx) -> Eval:
    """`idempotency_key: e` or `idempotency_key: header("Idempotency-Key", e)`: a KeySource for the runtime."""
    form = call_site_form(value)
    if form is None:
        source = compile_node(value, ctx)
        return lambda frame: call_key(site, where, source(frame))
    location, name_node, source_node = form
    name, source = compile_node(name_node, ctx), compile_node(source_node, ctx)
    return lambda frame: call_key(site, where, source(frame), location, name(frame))


@compiles
def compile_Lambda(node: nodes.Lambda, ctx: Ctx) -> Eval:
    """lambda: NAME "=>" expr | "(" NAME ("," NAME)* ")" "=>" expr  — a child scope reading its parent"""
    params = tuple(compile_Ident(p, ctx) for p in node.params)
    body = compile_node(node.body, ctx.in_lambda(frozenset(params)))
    if len(params) == 1:
        (param,) = params

        def make1(frame: Frame) -> Any:
            run = frame[RUN]

            def fn1(arg: Any = None, *_: Any) -> Any:
                return body({RUN: run, PARENT: frame, param: arg})

            return fn1

        return make1

    def make(frame: Frame) -> Any:
        run = frame[RUN]

        def fn(*args: Any) -> Any:
            inner: Frame = {RUN: run, PARENT: frame}
            for i, param in enumerate(params):
                inner[param] = args[i] if i < len(args) else None
            return body(inner)

        return fn

    return make
