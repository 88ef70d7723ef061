"""JSON Schema views for the checker: allOf/oneOf/anyOf flattened into alternative object shapes."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

MAX_ALTERNATIVES = 32  # beyond this, a schema is treated as allowing anything
MAX_DEPTH = 12  # nesting of allOf/oneOf/anyOf followed before giving up (recursive schemas)
JSON_TYPES = frozenset({"null", "boolean", "object", "array", "number", "integer", "string"})


@dataclass
class Shape:
    """One alternative of a schema, with its combinators merged away.

    `types` is None when any type is allowed; `additional` is "closed" (additionalProperties: false),
    "open" (true or a schema) or "unspecified".
    """

    types: frozenset[str] | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    additional: str = "unspecified"
    enum: tuple[Any, ...] | None = None
    items: Any = None
    exhaustive: bool = True  # False when the view was cut short (too many alternatives, too deep)
    format: str | None = None  # the string `format` (uuid, date-time, …)

    @property
    def knows_fields(self) -> bool:
        """Does this shape say which fields an object may have?"""
        return self.exhaustive and self.additional != "open" and (
            bool(self.properties) or self.additional == "closed"
        )

    def allows(self, kind: str) -> bool:
        """May a value of JSON type `kind` (as from value_kind) match this shape's types?"""
        if self.types is None:
            return True
        if kind == "integer":
            return "integer" in self.types or "number" in self.types
        return kind in self.types


ANY = Shape(exhaustive=False)


def _types(schema: dict[str, Any]) -> frozenset[str] | None:
    raw = schema.get("type")
    if isinstance(raw, str):
        found = {raw}
    elif isinstance(raw, list):
        found = {t for t in raw if isinstance(t, str)}
    else:
        return None
    if schema.get("nullable") is True:  # OpenAPI 3.0
        found.add("null")
    known = found & JSON_TYPES
    return frozenset(known) if known else None


def _own_shape(schema: dict[str, Any]) -> Shape:
    props = schema.get("properties")
    required = schema.get("required")
    extra = schema.get("additionalProperties")
    if extra is False:
        additional = "closed"
    elif extra is True or isinstance(extra, dict) or isinstance(schema.get("patternProperties"), dict):
        additional = "open"
    else:
        additional = "unspecified"
    enum: tuple[Any, ...] | None = None
    if "const" in schema:
        enum = (schema["const"],)
    elif isinstance(schema.get("enum"), list):
        enum = tuple(schema["enum"])
    return Shape(
        types=_types(schema),
        properties={str(k): v for k, v in props.items()} if isinstance(props, dict) else {},
        required=frozenset(r for r in required if isinstance(r, str)) if isinstance(required, list) else frozenset(),
        additional=additional,
        enum=enum,
        items=schema.get("items") if isinstance(schema.get("items"), dict) else None,
        format=schema["format"] if isinstance(schema.get("format"), str) else None,
    )


def _meet(a: frozenset[str], b: frozenset[str]) -> frozenset[str]:
    """Types allowed by both sets (an integer is also a number)."""
    both = set(a & b)
    if ("number" in a and "integer" in b) or ("integer" in a and "number" in b):
        both.add("integer")
    return frozenset(both)


def _merge(a: Shape, b: Shape) -> Shape | None:
    """Both shapes at once (allOf); None when no value can match both."""
    if a.types is None:
        types = b.types
    elif b.types is None:
        types = a.types
    else:
        types = _meet(a.types, b.types)
        if not types:
            return None
    props = dict(a.properties)
    for key, schema in b.properties.items():
        if key in props and props[key] is not schema:
            props[key] = {"allOf": [props[key], schema]}
        else:
            props[key] = schema
    if "closed" in (a.additional, b.additional):
        additional = "closed"
    elif "open" in (a.additional, b.additional):
        additional = "open"
    else:
        additional = "unspecified"
    if a.enum is not None and b.enum is not None:
        enum: tuple[Any, ...] | None = tuple(v for v in a.enum if v in b.enum)
    else:
        enum = a.enum if a.enum is not None else b.enum
    if a.items is not None and b.items is not None and a.items is not b.items:
        items: Any = {"allOf": [a.items, b.items]}
    else:
        items = a.items if a.items is not None else b.items
    return Shape(
        types, props, a.required | b.required, additional, enum, items, a.exhaustive and b.exhaustive,
        a.format or b.format,
    )


class SchemaViews:
    """Memoised schema views; one per check run (schemas are identified by object identity)."""

    def __init__(self) -> None:
        self._memo: dict[int, tuple[Any, list[Shape]]] = {}

    def alternatives(self, schema: Any, depth: int = 0) -> list[Shape]:
        """The shapes a value may take: allOf merged, oneOf/anyOf distributed into alternatives."""
        if not isinstance(schema, dict):
            return [ANY]
        memo = self._memo.get(id(schema))
        if memo is not None and memo[0] is schema:
            return memo[1]
        if depth > MAX_DEPTH:
            return [ANY]
        result: list[Shape] = [_own_shape(schema)]
        groups: list[list[Shape]] = []
        for part in schema.get("allOf") or []:
            groups.append(self.alternatives(part, depth + 1))
        for key in ("oneOf", "anyOf"):
            branches = schema.get(key)
            if isinstance(branches, list) and branches:
                groups.append([s for b in branches for s in self.alternatives(b, depth + 1)])
        for group in groups:
            merged: list[Shape] = []
            for left, right in itertools.product(result, group):
                both = _merge(left, right)
                if both is not None:
                    merged.append(both)
                if len(merged) > MAX_ALTERNATIVES:
                    return self._remember(schema, [ANY])
            result = merged or [ANY]
        return self._remember(schema, result)

    def _remember(self, schema: dict[str, Any], shapes: list[Shape]) -> list[Shape]:
        self._memo[id(schema)] = (schema, shapes)
        return shapes

    # ---------------------------------------------------------- navigation

    def field(self, schemas: list[Any], name: str) -> tuple[str, list[Any], list[str]]:
        """Step into field `name` of a value that matches one of `schemas`.

        Returns ("ok", the field's schemas, []), ("open", [], []) when nothing can be said,
        ("missing", [], known field names) or ("not_object", [], the value's possible types).
        """
        found: list[Any] = []
        known: set[str] = set()
        other_types: set[str] = set()
        object_like = False
        for schema in schemas:
            for shape in self.alternatives(schema):
                if shape.types is not None and not (shape.types - {"null"}) & {"object"}:
                    other_types |= shape.types - {"null"}
                    continue
                object_like = True
                if name in shape.properties:
                    found.append(shape.properties[name])
                elif not shape.knows_fields:
                    return "open", [], []
                known |= shape.properties.keys()
        if found:
            return "ok", found, []
        if not object_like:
            return ("not_object", [], sorted(other_types)) if other_types else ("open", [], [])
        return "missing", [], sorted(known)

    def element(self, schemas: list[Any]) -> list[Any] | None:
        """The schemas of a list element of a value matching `schemas`; None when unknown."""
        found: list[Any] = []
        for schema in schemas:
            for shape in self.alternatives(schema):
                if shape.items is not None:
                    found.append(shape.items)
                elif shape.types is None or "array" in shape.types:
                    return None
        return found or None
