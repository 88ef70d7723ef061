"""Checker pass: an operation line's `items:` and `paginate:` paths against its OpenAPI operation (E320–E322)."""

from __future__ import annotations

from typing import Any

from flowlang import nodes
from flowlang.diagnostics import ERROR, Diagnostic, Span, closest, did_you_mean
from flowlang.openapi import SpecOperation
from flowlang.openapi.schema import SchemaViews
from flowlang.openapi.values import constant
from flowlang.systems import PAGINATION_FUNCTIONS

# paginate arguments that read the response, and those that name a request parameter
_RESPONSE_PATHS = ("from", "has_more")
_PARAMS = ("param", "size_param", "limit_param")


def _arguments(call: nodes.Call) -> dict[str, nodes.Arg]:
    """The arguments of a pagination strategy by parameter name (positional ones placed by order)."""
    order = [name for name, _ in PAGINATION_FUNCTIONS.get(call.func, ())]
    found: dict[str, nodes.Arg] = {}
    for index, arg in enumerate(call.args):
        name = arg.name if arg.name is not None else (order[index] if index < len(order) else None)
        if name is not None:
            found.setdefault(name, arg)
    return found


class PagingChecker:
    """`items`, `paginate` and their paths for the operation lines that name a document's operation."""

    def __init__(self, views: SchemaViews) -> None:
        self.views = views
        self.diags: list[Diagnostic] = []

    def check(self, decl: nodes.Operation, op: SpecOperation) -> list[Diagnostic]:
        label = f"{op.name} ({op.method} {op.path})"
        responses = op.success_schemas
        records: list[Any] | None = None
        options = {o.key: o for o in decl.options}
        items = options.get("items")
        if items is not None and isinstance(constant(items.value), str) and responses:
            records = self._items(str(constant(items.value)), responses, items.value.span, label)
        paginate = options.get("paginate")
        if paginate is not None and isinstance(paginate.value, nodes.Call):
            strategy = paginate.value
            for name, arg in _arguments(strategy).items():
                value = constant(arg.value)
                if not isinstance(value, str):
                    continue
                where = f"{strategy.func}({name}: …)"
                if name in _RESPONSE_PATHS and responses:
                    self._path(value, responses, arg.value.span, "E321", f"{where} of {label}", "the response")
                elif name == "key" and records:
                    self._path(value, records, arg.value.span, "E321", f"{where} of {label}", "a record")
                elif name in _PARAMS:
                    self._param(value, op, arg.value.span, where, label)
        return self.diags

    # ---------------------------------------------------------- paths in schemas

    def _walk(self, path: str, schemas: list[Any]) -> tuple[list[Any] | None, str | None, str | None]:
        """(the schemas at `path`, None, None), or (None, the problem, a hint); (None, None, None): unknown."""
        done: list[str] = []
        for part in [p for p in path.split(".") if p]:
            if part.lstrip("-").isdigit():
                element = self.views.element(schemas)
                if element is None:
                    return None, None, None
                schemas = element
                done.append(part)
                continue
            status, inner, known = self.views.field(schemas, part)
            at = f"'{'.'.join(done)}'" if done else "it"
            if status == "missing":
                name = ".".join([*done, part])
                same = [k for k in known if k.lower() == part.lower()]
                match = same[0] if same else closest(part, known)
                hint = f"did you mean '{'.'.join([*done, match])}'?" if match else (
                    f"{at} has: {', '.join(known)}" if known else None)
                return None, f"has no field '{name}'", hint
            if status == "not_object":
                return None, f"has no field '{'.'.join([*done, part])}' ({at} is {' or '.join(known)})", None
            if status != "ok":
                return None, None, None
            schemas = inner
            done.append(part)
        return schemas, None, None

    def _path(self, path: str, schemas: list[Any], span: Span, code: str, where: str, what: str) -> None:
        _found, problem, hint = self._walk(path, schemas)
        if problem:
            self.diags.append(Diagnostic(code, ERROR, f"{where}: {what} {problem}", span, hint))

    def _items(self, path: str, responses: list[Any], span: Span, label: str) -> list[Any] | None:
        """Check `items:`; the schemas of one record when known."""
        found, problem, hint = self._walk(path, responses)
        if problem:
            self.diags.append(Diagnostic("E320", ERROR, f"items: \"{path}\" of {label}: the response {problem}",
                                         span, hint))
            return None
        if found is None:
            return None
        types: set[str] = set()
        for schema in found:
            for shape in self.views.alternatives(schema):
                if shape.types is None or "array" in shape.types:
                    return self.views.element(found)
                types |= shape.types
        parts = [p for p in path.split(".") if p]
        what = f"'{path}' in the response" if parts else "the response"
        parent = self._walk(".".join(parts[:-1]), responses)[0] if parts else found
        self.diags.append(Diagnostic(
            "E320", ERROR, f"items: \"{path}\" of {label}: {what} is {' or '.join(sorted(types))}, not a list",
            span, self._list_hint(parent or []),
        ))
        return None

    def _list_hint(self, schemas: list[Any]) -> str | None:
        """The fields of `schemas` that hold lists, as a hint."""
        lists: list[str] = []
        for schema in schemas:
            for shape in self.views.alternatives(schema):
                for name, inner in shape.properties.items():
                    if any(s.types and "array" in s.types for s in self.views.alternatives(inner)):
                        lists.append(name)
        return f"its lists: {', '.join(dict.fromkeys(lists))}" if lists else None

    # ---------------------------------------------------------- parameters

    def _param(self, value: str, op: SpecOperation, span: Span, where: str, label: str) -> None:
        if value.startswith("body."):
            if op.body_schema is None:
                if not op.has_body:
                    self.diags.append(Diagnostic(
                        "E322", ERROR, f"{where} of {label}: the operation takes no request body", span))
                return
            _found, problem, hint = self._walk(value[5:], [op.body_schema])
            if problem:
                self.diags.append(Diagnostic("E322", ERROR, f"{where} of {label}: the request body {problem}",
                                             span, hint))
            return
        declared = [p.name for p in op.params_in("query")]
        if declared and value not in declared:
            self.diags.append(Diagnostic(
                "E322", ERROR, f"{where} of {label}: the operation has no query parameter '{value}'", span,
                did_you_mean(value, declared) or f"its query parameters: {', '.join(declared)}",
            ))
