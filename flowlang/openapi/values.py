"""Checking flowlang literals (request bodies, parameter values) against OpenAPI JSON schemas."""

from __future__ import annotations

import re
from typing import Any

from flowlang import nodes
from flowlang.diagnostics import ERROR, WARNING, Diagnostic, Span, did_you_mean
from flowlang.openapi.schema import SchemaViews, Shape

_UNKNOWN = object()  # a value the checker cannot know before the flow runs
# String formats whose values the checker can recognise, with an example of each for hints.
FORMATS = {
    "uuid": re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"),
    "date-time": re.compile(r"\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)"),
    "date": re.compile(r"\d{4}-\d\d-\d\d"),
    "email": re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+"),
}
FORMAT_EXAMPLES = {
    "uuid": "6d320b42-237d-4474-8452-d49f884d4ae1",
    "date-time": "2024-01-31T09:30:00Z",
    "date": "2024-01-31",
    "email": "ann@example.com",
}
_YAML_TRUE = frozenset({"y", "yes", "true", "on"})
_YAML_FALSE = frozenset({"n", "no", "false", "off"})


def value_kind(expr: nodes.Node) -> str | None:
    """The JSON type of a literal expression (`integer` for whole numbers), None when not a literal."""
    if isinstance(expr, nodes.String):
        return "string"
    if isinstance(expr, nodes.Literal):
        v = expr.value
        if v is None:
            return "null"
        if isinstance(v, bool):
            return "boolean"
        if isinstance(v, int):
            return "integer"
        return "integer" if float(v).is_integer() else "number"
    if isinstance(expr, nodes.Duration):
        return "number"
    if isinstance(expr, nodes.ListLit):
        return "array"
    if isinstance(expr, nodes.ObjectLit):
        return "object"
    if isinstance(expr, nodes.Unary) and expr.op == "-":
        inner = value_kind(expr.operand)
        return inner if inner in ("integer", "number") else None
    return None


def constant(expr: nodes.Node) -> Any:
    """The value of a constant scalar literal, or _UNKNOWN."""
    if isinstance(expr, nodes.String):
        if all(isinstance(p, str) for p in expr.parts):
            return "".join(p for p in expr.parts if isinstance(p, str))
        return _UNKNOWN
    if isinstance(expr, nodes.Literal):
        return expr.value
    if isinstance(expr, nodes.Unary) and expr.op == "-" and isinstance(expr.operand, nodes.Literal):
        v = expr.operand.value
        if isinstance(v, int | float) and not isinstance(v, bool):
            return -v
    return _UNKNOWN


def _same(a: Any, b: Any) -> bool:
    """JSON equality of scalars: 1 == 1.0, but true != 1."""
    if isinstance(a, str) and isinstance(b, bool):  # YAML 1.1 reads `enum: [yes, no]` as booleans
        return a.lower() in (_YAML_TRUE if b else _YAML_FALSE)
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, str) and b is not None and not isinstance(b, str | int | float):
        return a == str(b)  # YAML reads some enum values as dates
    return type(a) is type(b) and bool(a == b)


def _article(kind: str) -> str:
    return {"integer": "an integer", "array": "a list", "object": "an object", "null": "null"}.get(
        kind, f"a {kind}"
    )


def _types_text(types: frozenset[str]) -> str:
    names = sorted(types - {"null"}) or sorted(types)
    text = " or ".join(_article(t) for t in names)
    return text + (" (or null)" if "null" in types and len(types) > 1 else "")


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class ValueChecker:
    """Checks one literal against a schema; `label` names the operation in messages."""

    def __init__(self, views: SchemaViews, label: str) -> None:
        self.views = views
        self.label = label

    def check(self, expr: nodes.Node, schema: Any, where: str) -> list[Diagnostic]:
        """Problems of `expr` (found at `where`, e.g. "body.data") against `schema`."""
        alternatives = self.views.alternatives(schema)
        if len(alternatives) == 1:
            return self._check_shape(expr, alternatives[0], where)
        best: list[Diagnostic] | None = None
        best_score = (0, 0)
        for shape in alternatives:
            found = self._check_shape(expr, shape, where)
            if not found:
                return []
            # a mismatched enum or const (often the `type` that tells alternatives apart), or an object
            # or list where the alternative has something else, rules it out first; then the fewest
            # problems win
            score = (sum(_rules_out(d) for d in found), len(found))
            if best is None or score < best_score:
                best, best_score = found, score
        return best or []

    def check_param(self, expr: nodes.Node, schema: Any, where: str) -> list[Diagnostic]:
        """Problems of a path, query or header parameter value: it goes out as text, so 25 fits a string."""
        kind = value_kind(expr)
        if kind is None:
            return []
        value = constant(expr)
        text = _UNKNOWN if value is _UNKNOWN else _wire(value)
        shapes = self.views.alternatives(schema)
        fitting = [shape for shape in shapes if _param_fits(shape, kind, text)]
        if fitting:
            if not isinstance(value, str):
                return []
            problems = [self._format(expr, value, s, where) for s in fitting]
            found = [p for p in problems if p is not None]
            return found[:1] if len(found) == len(problems) else []  # no fitting shape accepts it
        shape = shapes[0]
        if shape.types is not None and not any(_param_fits(Shape(types=s.types), kind, text) for s in shapes):
            return [self._diag(
                "E318", ERROR, expr.span,
                f"{where} should be {_types_text(shape.types)}, not {_article(kind)} ({self.label})",
            )]
        choices = [v for s in shapes for v in (s.enum or ())]
        shown = ", ".join(_show(v) for v in choices[:8]) + (", …" if len(choices) > 8 else "")
        hint = did_you_mean(str(text), [str(v) for v in choices]) if isinstance(text, str) else None
        return [self._diag("E319", ERROR, expr.span,
                           f"{where} must be one of {shown}; got {_show(value)} ({self.label})", hint)]

    def _check_shape(self, expr: nodes.Node, shape: Shape, where: str) -> list[Diagnostic]:
        kind = value_kind(expr)
        if kind is None:
            return []
        if not shape.allows(kind):
            assert shape.types is not None
            return [self._diag(
                "E318", ERROR, expr.span,
                f"{where} should be {_types_text(shape.types)}, not {_article(kind)} ({self.label})",
            )]
        value = constant(expr)
        if shape.enum is not None and value is not _UNKNOWN and kind != "null":
            if not any(_same(value, allowed) for allowed in shape.enum):
                choices = ", ".join(_show(v) for v in shape.enum[:8]) + (", …" if len(shape.enum) > 8 else "")
                hint = did_you_mean(value, [v for v in shape.enum if isinstance(v, str)]) if isinstance(value, str) else None
                return [self._diag(
                    "E319", ERROR, expr.span,
                    f"{where} must be one of {choices}; got {_show(value)} ({self.label})",
                    hint,
                )]
        if isinstance(value, str):
            problem = self._format(expr, value, shape, where)
            if problem is not None:
                return [problem]
        if isinstance(expr, nodes.ObjectLit):
            return self._check_object(expr, shape, where)
        if isinstance(expr, nodes.ListLit) and shape.items is not None:
            found: list[Diagnostic] = []
            for i, item in enumerate(expr.items):
                found += self.check(item, shape.items, f"{where}[{i}]")
            return found
        return []

    def _check_object(self, expr: nodes.ObjectLit, shape: Shape, where: str) -> list[Diagnostic]:
        found: list[Diagnostic] = []
        given = {entry.key for entry in expr.entries}
        for entry in expr.entries:
            inner = f"{where}.{entry.key}" if entry.key.isidentifier() else f'{where}["{entry.key}"]'
            if entry.key in shape.properties:
                found += self.check(entry.value, shape.properties[entry.key], inner)
                continue
            if not shape.exhaustive or shape.additional == "open":
                continue
            candidates = [k for k in shape.properties if k not in given]
            if shape.additional == "closed":
                found.append(self._diag(
                    "E316", ERROR, entry.key_span,
                    f"{where} does not allow property '{entry.key}' ({self.label}: additionalProperties is false)",
                    _property_hint(entry.key, candidates),
                ))
            elif shape.properties:
                found.append(self._diag(
                    "W310", WARNING, entry.key_span,
                    f"{where} has no property '{entry.key}' in the schema of {self.label}",
                    _property_hint(entry.key, candidates),
                ))
        missing = sorted(shape.required - given)
        if missing:
            listed = ", ".join(f"'{name}'" for name in missing)
            found.append(self._diag(
                "E317", ERROR, _opening(expr.span),
                f"{where} is missing required {'property' if len(missing) == 1 else 'properties'} "
                f"{listed} ({self.label})",
            ))
        return found

    def _format(self, expr: nodes.Node, value: str, shape: Shape, where: str) -> Diagnostic | None:
        """W315 when a constant string does not have the `format` (uuid, date-time, date, email) it needs."""
        pattern = FORMATS.get(shape.format or "")
        if pattern is None or pattern.fullmatch(value):
            return None
        return self._diag(
            "W315", WARNING, expr.span,
            f"{where} should be a {shape.format} (the document's format); {_show(value)} is not one ({self.label})",
            f"like {_show(FORMAT_EXAMPLES[shape.format or ''])}",
        )

    def _diag(self, code: str, severity: str, span: Span, message: str, hint: str | None = None) -> Diagnostic:
        return Diagnostic(code, severity, message, span, hint)


def _property_hint(key: str, candidates: list[str]) -> str | None:
    """A close name ("did you mean"), else the properties the literal does not give yet."""
    if not candidates:
        return None
    shown = ", ".join(candidates[:10]) + (", …" if len(candidates) > 10 else "")
    return did_you_mean(key, candidates) or f"its other properties: {shown}"


def _rules_out(diag: Diagnostic) -> bool:
    """Does this problem show that a oneOf/anyOf alternative is not the one the literal meant?"""
    return diag.code == "E319" or (
        diag.code == "E318" and diag.message.split(" (")[0].endswith(("not an object", "not a list"))
    )


def _wire(value: Any) -> str:
    """A scalar as it goes out in a URL or header."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def _param_fits(shape: Shape, kind: str, text: Any) -> bool:
    """May a parameter value of `kind` (with wire text `text`, or _UNKNOWN) match the shape?"""
    if shape.enum is not None and text is not _UNKNOWN:
        if not any(_wire(v) == text or str(v) == text for v in shape.enum):
            return False
    if shape.types is None or kind in ("array", "object"):
        return shape.types is None or kind in shape.types
    if "string" in shape.types or text is _UNKNOWN:
        return True
    if "integer" in shape.types and re.fullmatch(r"-?\d+", str(text)):
        return True
    if "number" in shape.types and re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", str(text)):
        return True
    return "boolean" in shape.types and text in ("true", "false")


def _opening(span: Span) -> Span:
    """The `{` of an object literal: where a missing property is reported."""
    return Span(span.file, span.line, span.column, span.line, span.column + 1)
