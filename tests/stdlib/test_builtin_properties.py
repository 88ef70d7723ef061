"""Properties checked on generated values: rounding against Decimal, JSON round trips, dedup, sorting."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flowlang.stdlib import load_all
from hypothesis import given, settings
from hypothesis import strategies as st

from flowlang.runtime.values import equal

BUILTINS = load_all()


def call(name: str, *args: Any, **named: Any) -> Any:
    return BUILTINS[name].fn(*args, **named)


def reference_round(x: float, digits: int) -> Decimal:
    """Half away from zero on the shortest decimal form of x: the documented rule, done with Decimal."""
    return Decimal(repr(x)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


# Floats like prices: few decimals (so ties such as 2.675 are common), and arbitrary ones.
PRICES = st.builds(
    lambda cents, scale: cents / 10**scale, st.integers(-(10**9), 10**9), st.integers(0, 5)
)
FLOATS = PRICES | st.floats(min_value=-1e12, max_value=1e12, allow_nan=False)
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(FLOATS, st.integers(0, 6))
def test_round_agrees_with_decimal_half_up(x: float, digits: int) -> None:
    expected = reference_round(x, digits)
    result = call("round", x, digits)
    assert result == (int(expected) if digits == 0 else float(expected))


@settings(max_examples=150, deadline=None)
@given(FLOATS, st.integers(0, 6))
def test_format_number_writes_the_decimal_rounding(x: float, digits: int) -> None:
    expected = reference_round(x, digits)
    if expected == 0:
        expected = abs(expected)
    assert call("format_number", x, digits, "") == f"{expected:.{digits}f}"


@settings(max_examples=80, deadline=None)
@given(JSON)
def test_parse_json_reverses_to_json(value: Any) -> None:
    assert equal(call("parse_json", call("to_json", value)), value)


@settings(max_examples=80, deadline=None)
@given(st.lists(JSON, max_size=12))
def test_unique_keeps_one_of_each_deeply_equal_group(items: list[Any]) -> None:
    result = call("unique", items)
    assert all(not equal(a, b) for i, a in enumerate(result) for b in result[i + 1 :])
    assert all(any(equal(item, kept) for kept in result) for item in items)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-50, 50)), max_size=20), st.booleans())
def test_sort_by_orders_keys_and_puts_nulls_last(keys: list[int | None], descending: bool) -> None:
    items = [{"k": k, "i": i} for i, k in enumerate(keys)]
    result = call("sort_by", items, "k", descending=descending)
    present = [r["k"] for r in result if r["k"] is not None]
    assert present == sorted(present, reverse=descending)
    assert [r["k"] for r in result[len(present) :]] == [None] * (len(keys) - len(present))
    assert sorted(r["i"] for r in result) == list(range(len(keys)))
