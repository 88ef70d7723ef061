"""The flowlang AST: frozen, slotted node classes with a Span on every node, and dump() for snapshots."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, dataclass_transform

from flowlang.diagnostics import Span


@dataclass_transform(eq_default=False, frozen_default=True)
class _NodeType(type):
    """Makes each node class what `@dataclass(frozen=True, slots=True, eq=False)` would, in one step.

    Its annotated fields become `__slots__` and, in order after the base's, the parameters of a
    generated `__init__`; instances refuse later assignment. dataclasses spends ~1 ms per class
    generating and exec-ing several methods and then rebuilding the class for slots: with ~40 node
    classes that was a fifth of the start-up of every `flowlang check`. Here each class costs one
    small `exec`.
    """

    __node_fields__: tuple[str, ...]  # every field, `span` first, in declaration order
    __node_defaults__: dict[str, Any]

    def __new__(mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any]) -> _NodeType:
        own = tuple(namespace.get("__annotations__", {}))
        defaults = {field: namespace.pop(field) for field in own if field in namespace}
        base = next((b for b in bases if isinstance(b, _NodeType)), None)
        fields = (base.__node_fields__ if base else ()) + own
        defaults = {**(base.__node_defaults__ if base else {}), **defaults}
        namespace.update(__slots__=own, __node_fields__=fields, __node_defaults__=defaults,
                         __init__=_make_init(fields, defaults))
        cls: _NodeType = super().__new__(mcs, name, bases, namespace)
        return cls


def _make_init(names: tuple[str, ...], defaults: dict[str, Any]) -> Any:
    """`__init__(self, span, …)` setting each field through object.__setattr__ (as a frozen dataclass does)."""
    params = ", ".join(f"{n}=_defaults[{n!r}]" if n in defaults else n for n in names)
    body = "".join(f"\n    _set(self, {n!r}, {n})" for n in names) or "\n    pass"
    scope: dict[str, Any] = {"_defaults": defaults, "_set": object.__setattr__}
    exec(f"def __init__(self, {params}):{body}", scope)
    return scope["__init__"]


class Node(metaclass=_NodeType):
    """Base of every AST node; `span` covers the node's source text."""

    span: Span

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: {type(self).__name__} nodes are frozen")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}: {type(self).__name__} nodes are frozen")

    def __repr__(self) -> str:
        inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in node_fields(self))
        return f"{type(self).__name__}({inner})"


def node_fields(node: Node) -> tuple[str, ...]:
    """The names of a node's fields, `span` first, in declaration order."""
    return type(node).__node_fields__


# ---------------------------------------------------------------- expressions


class Literal(Node):
    """`null`, `true`, `false` or a number (int or float)."""

    value: bool | int | float | None


class Duration(Node):
    """`250ms 2s 5m 1h`: a number of seconds; `text` keeps what was written."""

    seconds: float
    text: str


class String(Node):
    """A string literal; `parts` alternate text and interpolated expressions ("a {x} b")."""

    parts: tuple[str | Expr, ...]


class ListLit(Node):
    """`[a, b]`"""

    items: tuple[Expr, ...]


class Entry(Node):
    """`key: value` inside an object literal; `key_span` covers the key only."""

    key: str
    key_span: Span
    value: Expr


class ObjectLit(Node):
    """`{key: v, "any key": v}`"""

    entries: tuple[Entry, ...]


class Name(Node):
    """A variable, `source`, `state`, or a parameter."""

    name: str


class Attr(Node):
    """`obj.name`, or `obj?.name` when `optional`."""

    obj: Expr
    name: str
    name_span: Span
    optional: bool = False


class Index(Node):
    """`obj[index]`, or `obj?[index]` when `optional`."""

    obj: Expr
    index: Expr
    optional: bool = False


class Arg(Node):
    """A call argument: positional when `name` is None, else `name: value`."""

    name: str | None
    value: Expr


class Call(Node):
    """`f(args…)`: a builtin or a func, always called by name."""

    func: str
    func_span: Span
    args: tuple[Arg, ...]


class ApiCall(Node):
    """`call sys.op(args…)` (mode "call") or `each sys.op(args…)` (mode "each")."""

    mode: str
    system: str
    system_span: Span
    operation: str
    operation_span: Span
    args: tuple[Arg, ...]


class Unary(Node):
    """`-x` or `not x`."""

    op: str
    operand: Expr


class Binary(Node):
    """`a OP b` for + - * / % == != < <= > >= in, "not in", and, or, ??."""

    op: str
    left: Expr
    right: Expr


class Conditional(Node):
    """`if cond then a else b`"""

    cond: Expr
    then: Expr
    orelse: Expr


class Ident(Node):
    """A bare identifier that declares a name (loop variable, lambda or func parameter)."""

    name: str


class Lambda(Node):
    """`x => e` or `(a, b) => e` (argument position only)."""

    params: tuple[Ident, ...]
    body: Expr


Expr = (
    Literal | Duration | String | ListLit | ObjectLit | Name | Attr | Index | Call | ApiCall
    | Unary | Binary | Conditional | Lambda
)

# ---------------------------------------------------------------- statements


class Block(Node):
    """`{ statements }`; the span runs from `{` to `}`."""

    stmts: tuple[Stmt, ...]


class Assign(Node):
    """`target = e`, `target += e`, `target -= e`; target is a Name, Attr or Index."""

    target: Expr
    op: str
    value: Expr


class If(Node):
    """`if c { } else if c { } else { }`: `orelse` is a Block, a nested If, or None."""

    cond: Expr
    body: Block
    orelse: Block | If | None


class For(Node):
    """`for x in e [parallel N] { }` or `for i, x in e { }`: `names` holds one or two Idents."""

    names: tuple[Ident, ...]
    iterable: Expr
    parallel: Expr | None
    body: Block


class While(Node):
    """`while c { }`"""

    cond: Expr
    body: Block


class Break(Node):
    """`break`"""


class Continue(Node):
    """`continue`"""


class Return(Node):
    """`return [e]`"""

    value: Expr | None


class Try(Node):
    """`try { } catch err { }`; `err` may be omitted (`catch { }`)."""

    body: Block
    err: Ident | None
    handler: Block


class Fail(Node):
    """`fail e`"""

    value: Expr


class Log(Node):
    """`log LEVEL e` with LEVEL one of debug info warn error success failure."""

    level: str
    value: Expr


class Wait(Node):
    """`wait e` (seconds)."""

    value: Expr


class Checkpoint(Node):
    """`checkpoint`: commit the flow's state now."""


class ExprStmt(Node):
    """A call on its own line: `call sys.op(…)` or `f(…)`."""

    expr: Expr


Stmt = (
    Assign | If | For | While | Break | Continue | Return | Try | Fail | Log | Wait | Checkpoint
    | ExprStmt
)

# ---------------------------------------------------------------- declarations


class Setting(Node):
    """`key: expression` in a system, operation options, or a flow header."""

    key: str
    key_span: Span
    value: Expr


class Operation(Node):
    """`VERB name "path" [{ options }]` inside a system block."""

    method: str
    name: str
    name_span: Span
    path: str
    path_span: Span
    options: tuple[Setting, ...]


class System(Node):
    """`system NAME { settings… operations… }`"""

    name: str
    name_span: Span
    settings: tuple[Setting, ...]
    operations: tuple[Operation, ...]


class Param(Node):
    """A func parameter, with an optional default."""

    name: str
    default: Expr | None


class Func(Node):
    """`func NAME(a, b = default) { … }`"""

    name: str
    name_span: Span
    params: tuple[Param, ...]
    body: Block


class Flow(Node):
    """`flow NAME { settings… statements… }`"""

    name: str
    name_span: Span
    settings: tuple[Setting, ...]
    body: Block


class Import(Node):
    """`import "relative/path.flow"`; `path_span` covers the string."""

    path: str
    path_span: Span


class Given(Node):
    """`given SYS.OP[(args)] returns R [then R …]`, or `… fails timeout|reset` (`fault` set, no responses).

    `args` are the arguments a call must have to match (empty: any call of the operation).
    """

    system: str
    system_span: Span
    operation: str
    operation_span: Span
    args: tuple[Arg, ...]
    responses: tuple[Expr, ...]
    fault: str | None


class GivenValue(Node):
    """`given state {…}`, `given env {…}`, `given now "…"`, `given cassette "…"` or `given secret NAME = "…"`."""

    kind: str  # state env now cassette secret
    name: str | None  # the secret's name
    value: Expr


class RunFlow(Node):
    """`[target =] run FLOW [with source: e]` inside a test."""

    target: Expr | None
    flow: str
    flow_span: Span
    source: Expr | None


class Expect(Node):
    """`expect e [, "message"]` inside a test."""

    value: Expr
    message: Expr | None


TestItem = Given | GivenValue | RunFlow | Expect | Assign


class Test(Node):
    """`test "description" { given…; run…; expect… }`"""

    name: str
    name_span: Span
    items: tuple[TestItem, ...]


# Test blocks are run by flowlang/testing/, never compiled by the engines.
TEST_NODES = (Test, Given, GivenValue, RunFlow, Expect)


class Program(Node):
    """One parsed `.flow` file, its declarations grouped by kind in source order."""

    file: str
    imports: tuple[Import, ...]
    systems: tuple[System, ...]
    funcs: tuple[Func, ...]
    flows: tuple[Flow, ...]
    tests: tuple[Test, ...] = ()


# ---------------------------------------------------------------- dumping


def dump(node: Any, indent: str = "") -> str:
    """Render a node tree as indented text with positions, for snapshot tests."""
    lines: list[str] = []
    _dump(node, indent, lines)
    return "\n".join(lines)


def _dump(value: Any, indent: str, out: list[str], label: str = "") -> None:
    prefix = f"{indent}{label}"
    if isinstance(value, Node):
        span = value.span
        out.append(f"{prefix}{type(value).__name__} @{span.line}:{span.column}-{span.end_line}:{span.end_column}")
        for name in node_fields(value):
            if name == "span" or name.endswith("_span"):
                continue
            _dump(getattr(value, name), indent + "  ", out, f"{name}: ")
    elif isinstance(value, tuple):
        if not value:
            out.append(f"{prefix}[]")
            return
        out.append(f"{prefix}[")
        for item in value:
            _dump(item, indent + "  ", out)
        out.append(f"{indent}]")
    else:
        out.append(f"{prefix}{value!r}")


def walk(node: Node) -> Iterator[Node]:
    """Yield `node` and every node below it, depth first, in source order."""
    stack: list[Any] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, Node):
            yield item
            children = [getattr(item, name) for name in node_fields(item) if name != "span"]
            stack.extend(reversed(children))
        elif isinstance(item, tuple):
            stack.extend(reversed(item))


def describe(expr: Node) -> str:
    """Source-like text of a data path (`orders[i].lines[0]`), used in runtime error messages."""
    if isinstance(expr, Name):
        return expr.name
    if isinstance(expr, Attr):
        return f"{describe(expr.obj)}{'?.' if expr.optional else '.'}{expr.name}"
    if isinstance(expr, Index):
        return f"{describe(expr.obj)}{'?[' if expr.optional else '['}{describe_key(expr.index)}]"
    if isinstance(expr, Call):
        return f"{expr.func}(…)"
    if isinstance(expr, ApiCall):
        return f"{expr.mode} {expr.system}.{expr.operation}(…)"
    return "value"


def describe_key(inner: Node) -> str:
    """Source-like text of an index (`i`, `0`, `"id"`; `…` for anything longer)."""
    if isinstance(inner, Literal) and not isinstance(inner.value, bool):
        return repr(inner.value)
    if isinstance(inner, Name):
        return inner.name
    if isinstance(inner, String) and all(isinstance(p, str) for p in inner.parts):
        return '"' + "".join(p for p in inner.parts if isinstance(p, str)) + '"'
    return "…"
