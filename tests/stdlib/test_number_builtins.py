"""Number builtins: half-up rounding, conversions, aggregates and formatting."""

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
    ("x", "digits", "expected"),
    [
        (2.5, 0, 3),
        (3.5, 0, 4),
        (-2.5, 0, -3),
        (2.675, 2, 2.68),  # the float is 2.67499…: rounding works on its shortest decimal form
        (1.005, 2, 1.01),
        (0.125, 2, 0.13),
        (1234, -2, 1200),
        (1250, -2, 1300),
        (7, 2, 7),
        (2.4, 0, 2),
    ],
)
def test_round_goes_half_away_from_zero(x: float, digits: int, expected: float) -> None:
    assert call("round", x, digits) == expected


def test_round_to_whole_numbers_gives_an_int() -> None:
    assert type(call("round", 2.5)) is int


def test_round_to_decimal_places_gives_a_float() -> None:
    assert type(call("round", 2.567, 2)) is float


def test_round_of_a_huge_number_keeps_it() -> None:
    assert call("round", 1e300, 2) == 1e300


def test_round_of_infinity_is_an_error() -> None:
    with pytest.raises(FlowError, match="not a finite number"):
        call("round", float("inf"))


def test_floor_and_ceil_give_ints() -> None:
    assert call("floor", -2.5) == -3
    assert call("ceil", -2.5) == -2
    assert type(call("ceil", 2.1)) is int


def test_abs() -> None:
    assert call("abs", -3.5) == 3.5


@pytest.mark.parametrize("fn", ["min", "max"])
def test_min_and_max_take_values_or_one_list(fn: str) -> None:
    expected = 1 if fn == "min" else 3
    assert call(fn, 3, 1, 2) == expected
    assert call(fn, [3, 1, 2]) == expected
    assert call(fn, Stream(lambda: iter([3, 1, 2]))) == expected


def test_min_compares_strings() -> None:
    assert call("min", ["b", "a"]) == "a"


def test_min_of_nothing_is_null() -> None:
    assert call("min", []) is None
    assert call("max") is None


def test_min_of_mixed_types_is_an_error() -> None:
    with pytest.raises(FlowError, match=r"max\(\) cannot compare number and string"):
        call("max", 1, "2")


def test_sum_keeps_ints_whole() -> None:
    assert call("sum", [1, 2, 3]) == 6
    assert type(call("sum", [1, 2])) is int


def test_sum_of_an_empty_list_is_zero() -> None:
    assert call("sum", []) == 0


def test_sum_rejects_non_numbers() -> None:
    with pytest.raises(FlowError, match=r"sum\(\) expects a list of numbers, got null"):
        call("sum", [1, None])


def test_sum_reads_a_stream() -> None:
    assert call("sum", Stream(lambda: iter([1.5, 2.5]))) == 4.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("42", 42),
        (" -3.5 ", -3.5),
        ("1e3", 1000.0),
        ("+7", 7),
        (".5", 0.5),
        ("5.", 5.0),
        (3.5, 3.5),
    ],
)
def test_number_reads_text(text: Any, expected: float) -> None:
    result = call("number", text)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize("text", ["abc", "", "1_000", "1,5", "nan", "inf", "0x10", "1e999"])
def test_number_rejects_what_is_not_a_decimal_number(text: str) -> None:
    with pytest.raises(FlowError) as caught:
        call("number", text)
    assert caught.value.kind == "data"


def test_number_of_a_boolean_is_an_error() -> None:
    with pytest.raises(FlowError, match=r"number\(\) expects a string or a number, got boolean"):
        call("number", True)


@pytest.mark.parametrize(
    ("value", "expected"), [(3.9, 3), (-3.9, -3), ("3.9", 3), ("-12", -12), (5, 5)]
)
def test_int_truncates_towards_zero(value: Any, expected: int) -> None:
    result = call("int", value)
    assert result == expected
    assert type(result) is int


def test_string_reads_like_an_interpolation() -> None:
    assert call("string", None) == "null"
    assert call("string", 3.0) == "3"
    assert call("string", [1, "a"]) == '[1, "a"]'
    assert call("string", True) == "true"


@pytest.mark.parametrize(
    ("args", "named", "expected"),
    [
        ([1234567.891], {}, "1,234,567.89"),
        ([1234.5], {"decimals": 0}, "1,235"),
        ([1234.5], {"thousands": ".", "point": ","}, "1.234,50"),
        ([1234.5], {"thousands": ""}, "1234.50"),
        ([-1234.5], {}, "-1,234.50"),
        ([-0.001], {}, "0.00"),
        ([0.005], {}, "0.01"),
        ([12], {"decimals": 3}, "12.000"),
    ],
)
def test_format_number(args: list[Any], named: dict[str, Any], expected: str) -> None:
    assert call("format_number", *args, **named) == expected


def test_format_number_rejects_negative_decimals() -> None:
    with pytest.raises(FlowError, match="decimals"):
        call("format_number", 1, -1)
