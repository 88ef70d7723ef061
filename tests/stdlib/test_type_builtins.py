"""Type builtins: type names, JSON in and out, null helpers."""

from __future__ import annotations

from typing import Any

import pytest
from flowlang.stdlib import load_all

from flowlang.runtime.errors import FlowError
from flowlang.runtime.values import Stream

BUILTINS = load_all()


def call(name: str, *args: Any, **named: Any) -> Any:
    return BUILTINS[name].fn(*args, **named)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "null"),
        (False, "boolean"),
        (0, "number"),
        (1.5, "number"),
        ("", "string"),
        ([], "list"),
        (Stream(lambda: iter([])), "list"),
        ({}, "object"),
        (lambda x: x, "function"),
    ],
)
def test_type_of(value: Any, expected: str) -> None:
    assert call("type_of", value) == expected


def test_to_json_is_compact_and_keeps_non_ascii() -> None:
    assert call("to_json", {"a": [1, "é", None, True]}) == '{"a":[1,"é",null,true]}'


def test_to_json_indents_on_request() -> None:
    assert call("to_json", {"a": 1}, indent=2) == '{\n  "a": 1\n}'


def test_to_json_reads_a_stream() -> None:
    assert call("to_json", Stream(lambda: iter([1, 2]))) == "[1,2]"


def test_to_json_rejects_infinity() -> None:
    with pytest.raises(FlowError, match="NaN or infinity") as caught:
        call("to_json", [float("inf")])
    assert caught.value.kind == "data"


def test_to_json_rejects_a_function() -> None:
    with pytest.raises(FlowError, match="cannot write a function"):
        call("to_json", {"f": lambda: 1})


def test_parse_json_round_trips_to_json() -> None:
    value = {"a": [1, 2.5, "x", None, False, {"b": {}}]}
    assert call("parse_json", call("to_json", value)) == value


def test_parse_json_error_has_kind_json_and_the_position() -> None:
    with pytest.raises(FlowError) as caught:
        call("parse_json", '{\n  "a": [1,]\n}')
    assert caught.value.kind == "json"
    assert "line 2, column 11" in caught.value.message


def test_parse_json_rejects_nan() -> None:
    with pytest.raises(FlowError, match="NaN is not a JSON number") as caught:
        call("parse_json", "[NaN]")
    assert caught.value.kind == "json"


@pytest.mark.parametrize(("text", "reason"), [
    ("[Infinity]", "Infinity is not a JSON number"),
    ("[1e999]", "the number 1e999 is too large"),
    ("[" + "9" * 5000 + "]", "digits"),
])
def test_parse_json_rejects_numbers_json_cannot_hold(text: str, reason: str) -> None:
    with pytest.raises(FlowError, match=reason) as caught:
        call("parse_json", text)
    assert caught.value.kind == "json"


def test_parse_json_of_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(FlowError, match="nested too deeply") as caught:
        call("parse_json", "[" * 100_000)
    assert caught.value.kind == "json"


def test_parse_json_of_a_non_string_is_a_data_error() -> None:
    with pytest.raises(FlowError) as caught:
        call("parse_json", 5)
    assert caught.value.kind == "data"


def test_is_null_only_for_null() -> None:
    assert call("is_null", None) is True
    falsy: list[Any] = [False, 0, "", []]
    assert [call("is_null", v) for v in falsy] == [False] * 4


def test_coalesce_returns_the_first_non_null() -> None:
    assert call("coalesce", None, 0, 5) == 0
    assert call("coalesce", None, None) is None
    assert call("coalesce") is None
