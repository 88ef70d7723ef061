"""Following API responses through variables, loops and lambdas to check field reads against schemas."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from flowlang import nodes
from flowlang.diagnostics import WARNING, Diagnostic, did_you_mean
from flowlang.openapi.schema import SchemaViews
from flowlang.openapi.spec import SpecOperation
from flowlang.openapi.values import constant

ENVELOPE = ("status", "ok", "headers", "body")
# Builtins whose first argument is a list and whose lambda's first parameter is one of its items.
ITEM_LAMBDAS = frozenset({"map", "filter", "find", "any", "all", "count", "sort_by", "group_by", "index_by", "sum_by"})
# Builtins that return one item of their list argument, or a list of the same items.
ITEM_OF = frozenset({"find", "first", "last"})
SAME_LIST = frozenset({"filter", "sort_by", "unique", "reverse"})
MAX_ROUNDS = 6  # rounds of following assignments of assignments


@dataclass(frozen=True)
class Held:
    """What the checker knows a value is: a whole response ("response") or a body value ("value")."""

    kind: str
    schemas: tuple[Any, ...]
    label: str

    def same_as(self, other: Held) -> bool:
        return self.kind == other.kind and len(self.schemas) == len(other.schemas) and all(
            a is b for a, b in zip(self.schemas, other.schemas, strict=True)
        )


class ResponseFollower:
    """Warns about field reads that a response schema rules out (W313, W314) in one flow or func."""

    def __init__(
        self,
        views: SchemaViews,
        operation_of: Callable[[nodes.ApiCall], SpecOperation | None],
        records_of: Callable[[nodes.ApiCall], list[Any] | None],
    ) -> None:
        self.views = views
        self.operation_of = operation_of
        self.records_of = records_of
        self.diags: list[Diagnostic] = []

    def check(self, decl: nodes.Flow | nodes.Func, every: list[nodes.Node]) -> list[Diagnostic]:
        bound = self._bindings(decl, every)
        skip: set[int] = set()
        lambda_lists: dict[int, nodes.Node] = {}  # lambda -> the list its first parameter walks
        for node in every:
            if isinstance(node, nodes.Assign) and not isinstance(node.target, nodes.Name):
                skip |= {id(n) for n in walk_nodes(node.target)}
            elif isinstance(node, nodes.Call) and node.func in ITEM_LAMBDAS and node.args:
                if node.args[0].name in (None, "items"):
                    for arg in node.args[1:]:
                        lambda_lists[id(arg.value)] = node.args[0].value
        if not bound and not any(isinstance(n, nodes.ApiCall) for n in every):
            return self.diags
        if any(isinstance(n, nodes.Lambda) for n in every):
            self._visit(decl.body, bound, skip, lambda_lists)
        else:  # no lambda scopes: one pass over the nodes already walked
            for node in self._outermost(every, skip):
                self.follow(node, bound, report=True)
        return self.diags

    def _outermost(self, candidates: list[nodes.Node], skip: set[int]) -> list[nodes.Node]:
        """The Attr/Index nodes that end a chain (`r.body.data` but not `r.body` inside it)."""
        inner = {id(n.obj) for n in candidates if isinstance(n, nodes.Attr | nodes.Index)}
        return [
            n for n in candidates
            if isinstance(n, nodes.Attr | nodes.Index) and id(n) not in inner and id(n) not in skip
        ]

    def _visit(self, root: nodes.Node, bound: Mapping[str, Held], skip: set[int],
               lambda_lists: Mapping[int, nodes.Node]) -> None:
        """Check the field reads below `root`; a lambda's body with its parameters bound anew."""
        own = _outside_lambdas(root)
        for node in self._outermost(own, skip):
            self.follow(node, bound, report=True)
        for node in own:
            if isinstance(node, nodes.Lambda):
                params = {p.name for p in node.params}
                inner = {k: v for k, v in bound.items() if k not in params}
                items = lambda_lists.get(id(node))
                held = self.follow(items, bound, report=False) if items is not None else None
                if held is not None and held.kind == "value" and node.params:
                    element = self.views.element(list(held.schemas))
                    if element:
                        inner[node.params[0].name] = Held("value", tuple(element), node.params[0].name)
                self._visit(node.body, inner, skip, lambda_lists)

    # ---------------------------------------------------------- what variables hold

    def _bindings(self, decl: nodes.Flow | nodes.Func, every: list[nodes.Node]) -> dict[str, Held]:
        """Variables whose every assignment holds a known response or body value.

        `r = call s.op(…)`, `data = r.body.data`, `x = find(data, …)`, `for x in data`, and
        `for x in each s.op(…)` (with `items`). A name assigned anything else, augmented, written into
        (`r.body.note = …`), or used as a func or catch parameter is left out (lambda parameters are
        bound in their lambda only).
        """
        sources: dict[str, list[tuple[str, nodes.Node]]] = {}
        shadowed: set[str] = set()
        if isinstance(decl, nodes.Func):
            shadowed |= {p.name for p in decl.params}
        for node in every:
            if isinstance(node, nodes.Assign) and isinstance(node.target, nodes.Name):
                if node.op == "=":
                    sources.setdefault(node.target.name, []).append(("value", node.value))
                else:
                    shadowed.add(node.target.name)
            elif isinstance(node, nodes.Assign):  # `r.body.extra = …`: r may then have any field
                root = next(_chain(node.target))
                if isinstance(root, nodes.Name):
                    shadowed.add(root.name)
            elif isinstance(node, nodes.For):
                if len(node.names) == 1:
                    sources.setdefault(node.names[0].name, []).append(("item", node.iterable))
                else:
                    shadowed |= {i.name for i in node.names}
            elif isinstance(node, nodes.Try) and node.err is not None:
                shadowed.add(node.err.name)
        bound: dict[str, Held] = {}
        for _ in range(MAX_ROUNDS):
            changed = False
            for name, found in sources.items():
                if name in shadowed or name in bound:
                    continue
                held = [self._source(kind, expr, bound, name) for kind, expr in found]
                first = held[0]
                if first is not None and all(h is not None and h.same_as(first) for h in held):
                    bound[name] = first
                    changed = True
            if not changed:
                break
        return bound

    def _source(self, kind: str, expr: nodes.Node, bound: Mapping[str, Held], name: str) -> Held | None:
        if isinstance(expr, nodes.ApiCall):
            if expr.mode == "call" and kind == "value":
                op = self.operation_of(expr)
                return Held("response", tuple(op.success_schemas), name) if op is not None else None
            if expr.mode == "each" and kind == "item":
                records = self.records_of(expr)
                return Held("value", tuple(records), name) if records else None
            return None
        if isinstance(expr, nodes.Call) and expr.func in ITEM_OF | SAME_LIST and expr.args:
            inner = self.follow(expr.args[0].value, bound, report=False)
            if inner is None or inner.kind != "value":
                return None
            if expr.func in ITEM_OF:  # one item of the list
                items = self.views.element(list(inner.schemas))
                if not items:
                    return None
                held = Held("value", tuple(items), name)
            else:  # the same items
                held = inner
        else:
            followed = self.follow(expr, bound, report=False)
            if followed is None:
                return None
            held = followed
        if kind == "value":
            return Held(held.kind, held.schemas, name)
        if held.kind != "value":  # `for x in r` over a whole response
            return None
        items = self.views.element(list(held.schemas))
        return Held("value", tuple(items), name) if items else None

    # ---------------------------------------------------------- reading fields

    def follow(self, expr: nodes.Node, bound: Mapping[str, Held], *, report: bool) -> Held | None:
        """What `expr` (a chain like `r.body.data[0].name`) holds; None when unknown.

        With `report`, a step that the schema rules out is a warning.
        """
        steps = list(_chain(expr))
        root = steps.pop(0)
        if isinstance(root, nodes.ApiCall) and root.mode == "call":
            op = self.operation_of(root)
            if op is None:
                return None
            held = Held("response", tuple(op.success_schemas), f"the response of {root.system}.{op.name}")
        elif isinstance(root, nodes.Name) and root.name in bound:
            held = bound[root.name]
        else:
            return None
        for step in steps:
            if held.kind == "response":
                if not isinstance(step, nodes.Attr):
                    return None
                if step.name != "body":
                    if report and step.name not in ENVELOPE:
                        self._warn("W314", step.name_span,
                                   f"a response has no field '{step.name}' (it has status, ok, headers, body)",
                                   did_you_mean(step.name, ENVELOPE))
                    return None
                held = Held("value", held.schemas, f"{held.label}.body")
                continue
            if not held.schemas:
                return None
            if isinstance(step, nodes.Index) and not isinstance(constant(step.index), str):
                items = self.views.element(list(held.schemas))
                if items is None:
                    return None
                held = Held("value", tuple(items), f"{held.label}[…]")
                continue
            if isinstance(step, nodes.Index):
                name, span = str(constant(step.index)), step.index.span
            elif isinstance(step, nodes.Attr):
                name, span = step.name, step.name_span
            else:
                return None
            status, found, extra = self.views.field(list(held.schemas), name)
            if status == "missing" and report:
                hint = did_you_mean(name, extra) or (f"its fields: {', '.join(extra[:12])}" if extra else None)
                self._warn("W313", span, f"{held.label} has no field '{name}' in the response schema", hint)
            elif status == "not_object" and report:
                self._warn("W313", span,
                           f"{held.label} is {' or '.join(extra)} in the response schema: it has no field '{name}'")
            if status != "ok":
                return None
            held = Held("value", tuple(found), f"{held.label}.{name}")
        return held

    def _warn(self, code: str, span: Any, message: str, hint: str | None = None) -> None:
        self.diags.append(Diagnostic(code, WARNING, message, span, hint))


_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}  # a memo of node fields; never needs resetting


def _child_fields(node: nodes.Node) -> tuple[str, ...]:
    """The fields of a node that may hold nodes (not its spans)."""
    known = _CHILD_FIELDS.get(type(node))
    if known is None:
        names = nodes.node_fields(node)
        known = _CHILD_FIELDS[type(node)] = tuple(n for n in names if n != "span" and not n.endswith("_span"))
    return known


def walk_nodes(root: nodes.Node, *, into_lambdas: bool = True) -> list[nodes.Node]:
    """`root` and every node below it, depth first in source order (like nodes.walk, but faster).

    Without `into_lambdas`, a lambda is listed but not what is inside it.
    """
    found: list[nodes.Node] = []
    stack: list[Any] = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, nodes.Node):
            found.append(item)
            if not into_lambdas and isinstance(item, nodes.Lambda):
                continue
            stack.extend(reversed([getattr(item, name) for name in _child_fields(item)]))
        elif isinstance(item, tuple):
            stack.extend(reversed(item))
    return found


def _outside_lambdas(root: nodes.Node) -> list[nodes.Node]:
    return walk_nodes(root, into_lambdas=False)


def _chain(node: nodes.Node) -> Iterator[nodes.Node]:
    """`r.body.data[0].name` -> r, .body, .data, [0], .name (the root first)."""
    steps: list[nodes.Node] = []
    current: nodes.Node = node
    while isinstance(current, nodes.Attr | nodes.Index):
        steps.append(current)
        current = current.obj
    steps.append(current)
    return reversed(steps)
