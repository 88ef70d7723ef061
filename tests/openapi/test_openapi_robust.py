"""Odd documents never crash the loader or the checks: every problem is a SpecError or a diagnostic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowlang.openapi import SpecError, build_spec
from flowlang.openapi.refs import load_document
from flowlang.openapi.schema import SchemaViews
from flowlang.openapi.values import ValueChecker
from flowlang.syntax.parser import parse_expression

KEYWORDS = [
    "type", "properties", "required", "additionalProperties", "items", "allOf", "oneOf", "anyOf", "enum",
    "const", "nullable", "$ref", "parameters", "requestBody", "responses", "content", "schema", "name", "in",
    "application/json", "200", "201", "default", "operationId", "data", "id",
]
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from(
        ["object", "array", "string", "integer", "number", "boolean", "null", "query", "path", "header",
         "#/components/schemas/A", "#/paths", "other.yaml#/x", "#/components/schemas/A/properties/b", "id", ""]
    ),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(KEYWORDS), inner, max_size=5),
    ),
    max_leaves=40,
)
DOCUMENTS = st.fixed_dictionaries(
    {
        "openapi": st.just("3.1.0"),
        "paths": st.dictionaries(
            st.sampled_from(["/a", "/b/{id}", "/c/{x-y}", "/"]),
            st.dictionaries(st.sampled_from(["get", "post", "parameters", "put"]), VALUES, max_size=3),
            max_size=3,
        ),
        "components": st.fixed_dictionaries({"schemas": st.dictionaries(st.sampled_from(["A", "B"]), VALUES, max_size=2)}),
    }
)
LITERALS = [
    parse_expression(text, "case.flow")
    for text in (
        '{data: {type: "flow", id: 1, items: [1, "a", null, {b: true}]}}',
        '[{a: 1}, {b: [2.5, -3]}]',
        '"text {x}"',
        "-4",
        "null",
    )
]


def exercise(spec_document: Any) -> None:
    try:
        spec = build_spec(spec_document, "/nonexistent/dir/api.yaml")
    except SpecError:
        return
    views = SchemaViews()
    for op in spec.operations.values():
        checker = ValueChecker(views, op.name)
        schemas = [op.body_schema, *(p.schema for p in op.params), *op.success_schemas]
        for schema in schemas:
            for literal in LITERALS:
                checker.check(literal, schema, "body")
                checker.check_param(literal, schema, "param")
            views.field([schema], "data")
            views.element([schema])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS)
def test_random_documents_load_and_check_without_crashing(document: dict[str, Any]) -> None:
    exercise(document)


def test_a_schema_that_is_all_of_itself_does_not_recurse_forever() -> None:
    loop: dict[str, Any] = {"type": "object"}
    loop["allOf"] = [loop]
    loop["properties"] = {"self": loop}
    views = SchemaViews()
    assert views.field([loop], "self")[0] == "ok"
    assert ValueChecker(views, "op").check(LITERALS[0], loop, "body") is not None


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=200))
def test_any_text_is_a_document_or_a_spec_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "api.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        exercise(load_document(str(path)))
    except SpecError as exc:
        assert exc.code in ("E300", "E301")
