"""Shared pieces of the closure compiler: frames, control signals, the compile context and registry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from flowlang import nodes
from flowlang.runtime.errors import FlowError, Where

# A frame is a plain dict: variable name -> value. Keys starting with a space can never be flowlang
# names, so the frame also carries the run and the links between scopes.
RUN = " run"  # the Run (or a DetachedRun) every frame can reach
PARENT = " parent"  # a lambda's frame -> the frame it was created in
OUTER = " outer"  # a parallel-loop iteration's frame copy -> the frame it was copied from
RETURNED = " ret"  # where `return e` leaves its value for the func or flow that ran it

Frame = dict[str, Any]
Eval = Callable[[Frame], Any]  # a compiled expression
Exec = Callable[[Frame], "Signal | None"]  # a compiled statement: None means "carry on"


class Signal:
    """`break`, `continue` and `return` travel as return values of compiled statements."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name}>"


BREAK = Signal("break")
CONTINUE = Signal("continue")
RETURN = Signal("return")


class FuncDef:
    """A user func: its parameters are known before its body is compiled, so calls can recurse."""

    __slots__ = ("body", "defaults", "name", "params", "where")

    def __init__(self, name: str, params: tuple[str, ...], where: Where) -> None:
        self.name = name
        self.params = params
        self.where = where
        self.defaults: dict[str, Eval] = {}
        self.body: Exec = _not_compiled


def _not_compiled(frame: Frame) -> Signal | None:
    raise FlowError("data", "internal error: func called before it was compiled")


@dataclass(frozen=True)
class Ctx:
    """What compiling one node needs to know about its surroundings."""

    funcs: dict[str, FuncDef]
    builtins: dict[str, Any]  # name -> stdlib Builtin
    lambdas: tuple[frozenset[str], ...] = ()  # parameters of the enclosing lambdas, innermost last
    parallel: bool = False  # inside the body of a `parallel` loop
    settings: bool = False  # a system setting or operation option: setting functions are callable
    params: frozenset[str] = frozenset()  # the enclosing func's parameters (they may shadow `source`)
    systems: dict[str, Any] = field(default_factory=dict)  # name -> systems.SystemModel (spec operations)
    outermost: bool = False  # not inside a loop or func: a loop here may draw the progress bar
    counting: bool = False  # report each statement begun to `run.hit` (runtime/counts.py)
    key_sites: dict[tuple[str, int, int], str] = field(default_factory=dict)  # keysites.key_sites()

    def in_loop(self) -> Ctx:
        return replace(self, outermost=False) if self.outermost else self

    def in_lambda(self, params: frozenset[str]) -> Ctx:
        return replace(self, lambdas=(*self.lambdas, params))

    def in_parallel(self) -> Ctx:
        return replace(self, parallel=True, outermost=False)


def where_of(node: nodes.Node) -> Where:
    span = node.span
    return (span.file, span.line, span.column)


# ---------------------------------------------------------------- the registry

COMPILERS: dict[type, Callable[[Any, Ctx], Any]] = {}


def compiles(fn: Callable[[Any, Ctx], Any]) -> Callable[[Any, Ctx], Any]:
    """Register `compile_<Node>` as the compiler of nodes.<Node> (the name says which class)."""
    prefix = "compile_"
    if not fn.__name__.startswith(prefix):
        raise TypeError(f"{fn.__name__}: a compiler must be named compile_<Node>")
    cls = getattr(nodes, fn.__name__[len(prefix):], None)
    if not (isinstance(cls, type) and issubclass(cls, nodes.Node)):
        raise TypeError(f"{fn.__name__}: nodes has no node class of that name")
    if cls in COMPILERS:
        raise TypeError(f"{fn.__name__}: compiled twice")
    COMPILERS[cls] = fn
    return fn


def node_classes() -> list[type]:
    """Every concrete node class of flowlang/nodes.py that flows are made of (test blocks are not)."""
    return [
        cls
        for cls in vars(nodes).values()
        if isinstance(cls, type) and issubclass(cls, nodes.Node) and cls is not nodes.Node
        and cls not in nodes.TEST_NODES
    ]


def check_complete() -> None:
    """Fail at import when a node class has no compiler (house rule 3)."""
    missing = sorted(cls.__name__ for cls in node_classes() if cls not in COMPILERS)
    if missing:
        raise ImportError(f"flowlang.interpreter has no compile_<Node> for: {', '.join(missing)}")


def compile_node(node: nodes.Node, ctx: Ctx) -> Any:
    return COMPILERS[type(node)](node, ctx)


# ---------------------------------------------------------------- constants

_CONST = "flow_constant"


def constant(value: Any) -> Eval:
    """An expression whose value is known at compile time (immutable values only)."""

    def const(frame: Frame) -> Any:
        return value

    setattr(const, _CONST, (value,))
    return const


def constant_value(fn: Eval) -> tuple[Any] | None:
    """`(value,)` when `fn` came from `constant()`, else None."""
    got: tuple[Any] | None = getattr(fn, _CONST, None)
    return got
