"""The flowlang AST: frozen dataclasses with a Span on every node, and dump() for snapshots."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Any

from flowlang.diagnostics import Span


@dataclass(frozen=True, slots=True, eq=False)
class Node:
    """Base of every AST node; `span` covers the node's source text."""

    span: Span


# ---------------------------------------------------------------- expressions


@dataclass(frozen=True, slots=True, eq=False)
class Literal(Node):
    """`null`, `true`, `false` or a number (int or float)."""

    value: bool | int | float | None


@dataclass(frozen=True, slots=True, eq=False)
class Duration(Node):
    """`250ms 2s 5m 1h`: a number of seconds; `text` keeps what was written."""

    seconds: float
    text: str


@dataclass(frozen=True, slots=True, eq=False)
class String(Node):
    """A string literal; `parts` alternate text and interpolated expressions ("a {x} b")."""

    parts: tuple[str | Expr, ...]


@dataclass(frozen=True, slots=True, eq=False)
class ListLit(Node):
    """`[a, b]`"""

    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True, eq=False)
class Entry(Node):
    """`key: value` inside an object literal; `key_span` covers the key only."""

    key: str
    key_span: Span
    value: Expr


@dataclass(frozen=True, slots=True, eq=False)
class ObjectLit(Node):
    """`{key: v, "any key": v}`"""

    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True, eq=False)
class Name(Node):
    """A variable, `source`, `state`, or a parameter."""

    name: str


@dataclass(frozen=True, slots=True, eq=False)
class Attr(Node):
    """`obj.name`, or `obj?.name` when `optional`."""

    obj: Expr
    name: str
    name_span: Span
    optional: bool = False


@dataclass(frozen=True, slots=True, eq=False)
class Index(Node):
    """`obj[index]`"""

    obj: Expr
    index: Expr


@dataclass(frozen=True, slots=True, eq=False)
class Arg(Node):
    """A call argument: positional when `name` is None, else `name: value`."""

    name: str | None
    value: Expr


@dataclass(frozen=True, slots=True, eq=False)
class Call(Node):
    """`f(args…)`: a builtin or a func, always called by name."""

    func: str
    func_span: Span
    args: tuple[Arg, ...]


@dataclass(frozen=True, slots=True, eq=False)
class ApiCall(Node):
    """`call sys.op(args…)` (mode "call") or `each sys.op(args…)` (mode "each")."""

    mode: str
    system: str
    system_span: Span
    operation: str
    operation_span: Span
    args: tuple[Arg, ...]


@dataclass(frozen=True, slots=True, eq=False)
class Unary(Node):
    """`-x` or `not x`."""

    op: str
    operand: Expr


@dataclass(frozen=True, slots=True, eq=False)
class Binary(Node):
    """`a OP b` for + - * / % == != < <= > >= in, "not in", and, or, ??."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True, eq=False)
class Conditional(Node):
    """`if cond then a else b`"""

    cond: Expr
    then: Expr
    orelse: Expr


@dataclass(frozen=True, slots=True, eq=False)
class Ident(Node):
    """A bare identifier that declares a name (loop variable, lambda or func parameter)."""

    name: str


@dataclass(frozen=True, slots=True, eq=False)
class Lambda(Node):
    """`x => e` or `(a, b) => e` (argument position only)."""

    params: tuple[Ident, ...]
    body: Expr


Expr = (
    Literal | Duration | String | ListLit | ObjectLit | Name | Attr | Index | Call | ApiCall
    | Unary | Binary | Conditional | Lambda
)

# ---------------------------------------------------------------- statements


@dataclass(frozen=True, slots=True, eq=False)
class Block(Node):
    """`{ statements }`; the span runs from `{` to `}`."""

    stmts: tuple[Stmt, ...]


@dataclass(frozen=True, slots=True, eq=False)
class Assign(Node):
    """`target = e`, `target += e`, `target -= e`; target is a Name, Attr or Index."""

    target: Expr
    op: str
    value: Expr


@dataclass(frozen=True, slots=True, eq=False)
class If(Node):
    """`if c { } else if c { } else { }`: `orelse` is a Block, a nested If, or None."""

    cond: Expr
    body: Block
    orelse: Block | If | None


@dataclass(frozen=True, slots=True, eq=False)
class For(Node):
    """`for x in e [parallel N] { }` or `for i, x in e { }`: `names` holds one or two Idents."""

    names: tuple[Ident, ...]
    iterable: Expr
    parallel: Expr | None
    body: Block


@dataclass(frozen=True, slots=True, eq=False)
class While(Node):
    """`while c { }`"""

    cond: Expr
    body: Block


@dataclass(frozen=True, slots=True, eq=False)
class Break(Node):
    """`break`"""


@dataclass(frozen=True, slots=True, eq=False)
class Continue(Node):
    """`continue`"""


@dataclass(frozen=True, slots=True, eq=False)
class Return(Node):
    """`return [e]`"""

    value: Expr | None


@dataclass(frozen=True, slots=True, eq=False)
class Try(Node):
    """`try { } catch err { }`; `err` may be omitted (`catch { }`)."""

    body: Block
    err: Ident | None
    handler: Block


@dataclass(frozen=True, slots=True, eq=False)
class Fail(Node):
    """`fail e`"""

    value: Expr


@dataclass(frozen=True, slots=True, eq=False)
class Log(Node):
    """`log LEVEL e` with LEVEL one of debug info warn error success failure."""

    level: str
    value: Expr


@dataclass(frozen=True, slots=True, eq=False)
class Wait(Node):
    """`wait e` (seconds)."""

    value: Expr


@dataclass(frozen=True, slots=True, eq=False)
class Checkpoint(Node):
    """`checkpoint`: commit the flow's state now."""


@dataclass(frozen=True, slots=True, eq=False)
class ExprStmt(Node):
    """A call on its own line: `call sys.op(…)` or `f(…)`."""

    expr: Expr


Stmt = (
    Assign | If | For | While | Break | Continue | Return | Try | Fail | Log | Wait | Checkpoint
    | ExprStmt
)

# ---------------------------------------------------------------- declarations


@dataclass(frozen=True, slots=True, eq=False)
class Setting(Node):
    """`key: expression` in a system, operation options, or a flow header."""

    key: str
    key_span: Span
    value: Expr


@dataclass(frozen=True, slots=True, eq=False)
class Operation(Node):
    """`VERB name "path" [{ options }]` inside a system block."""

    method: str
    name: str
    name_span: Span
    path: str
    path_span: Span
    options: tuple[Setting, ...]


@dataclass(frozen=True, slots=True, eq=False)
class System(Node):
    """`system NAME { settings… operations… }`"""

    name: str
    name_span: Span
    settings: tuple[Setting, ...]
    operations: tuple[Operation, ...]


@dataclass(frozen=True, slots=True, eq=False)
class Param(Node):
    """A func parameter, with an optional default."""

    name: str
    default: Expr | None


@dataclass(frozen=True, slots=True, eq=False)
class Func(Node):
    """`func NAME(a, b = default) { … }`"""

    name: str
    name_span: Span
    params: tuple[Param, ...]
    body: Block


@dataclass(frozen=True, slots=True, eq=False)
class Flow(Node):
    """`flow NAME { settings… statements… }`"""

    name: str
    name_span: Span
    settings: tuple[Setting, ...]
    body: Block


@dataclass(frozen=True, slots=True, eq=False)
class Import(Node):
    """`import "relative/path.flow"`; `path_span` covers the string."""

    path: str
    path_span: Span


@dataclass(frozen=True, slots=True, eq=False)
class Program(Node):
    """One parsed `.flow` file, its declarations grouped by kind in source order."""

    file: str
    imports: tuple[Import, ...]
    systems: tuple[System, ...]
    funcs: tuple[Func, ...]
    flows: tuple[Flow, ...]


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
        for f in fields(value):
            if f.name == "span" or f.name.endswith("_span"):
                continue
            _dump(getattr(value, f.name), indent + "  ", out, f"{f.name}: ")
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
            children = [getattr(item, f.name) for f in fields(item) if f.name != "span"]
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
        inner = expr.index
        if isinstance(inner, Literal) and not isinstance(inner.value, bool):
            key = repr(inner.value)
        elif isinstance(inner, Name):
            key = inner.name
        elif isinstance(inner, String) and all(isinstance(p, str) for p in inner.parts):
            key = '"' + "".join(p for p in inner.parts if isinstance(p, str)) + '"'
        else:
            key = "…"
        return f"{describe(expr.obj)}[{key}]"
    if isinstance(expr, Call):
        return f"{expr.func}(…)"
    if isinstance(expr, ApiCall):
        return f"{expr.mode} {expr.system}.{expr.operation}(…)"
    return "value"
