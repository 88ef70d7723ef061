"""Number builtins: rounding (half-up, for money), conversions, aggregates and formatting."""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from flowlang.stdlib.common import _want_int, _want_number, _want_str, _wrong_type
from flowlang.stdlib.registry import builtin

from flowlang.runtime.errors import FlowError
from flowlang.runtime.values import Stream, to_text, type_name

# What number() accepts: an optional sign, digits with an optional fraction, an optional exponent.
_NUMBER_TEXT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


@lru_cache(maxsize=64)
def _quantum(digits: int) -> Decimal:
    """The Decimal step for rounding to `digits` places (1E-2 for 2, 1E+2 for -2)."""
    return Decimal(1).scaleb(-digits)


def _round_decimal(x: float | int, digits: int) -> Decimal | None:
    """`x` rounded half away from zero, on its shortest decimal form; None for absurd precision."""
    try:
        return Decimal(repr(x)).quantize(_quantum(digits), rounding=ROUND_HALF_UP)
    except InvalidOperation:  # more than the default 28 significant digits
        if digits > 400:
            return None
        wide = Context(prec=800)
        return Decimal(repr(x)).quantize(_quantum(digits), rounding=ROUND_HALF_UP, context=wide)


def _round_fast(x: float, digits: int) -> float | None:
    """What `_round_decimal` gives, as a float, without Decimal; None when that path is needed.

    Python's round() is exact on the binary value; it differs from rounding the shortest decimal form
    only when that form is a tie (a 5 right after the last kept digit, and nothing after it).
    """
    if not (0 <= digits <= 15 and -1e15 < x < 1e15):
        return None
    text = repr(x)
    if "e" in text:
        return None
    fraction = text.partition(".")[2]
    if len(fraction) != digits + 1 or fraction[-1] != "5":
        return round(x, digits)
    step = 10.0**-digits
    kept = float(text[:-1])  # "2.67" of "2.675", "2." of "2.5"
    return round(kept - step if x < 0 else kept + step, digits)


def _finite(fn: str, x: int | float) -> int | float:
    if type(x) is float and not math.isfinite(x):
        raise FlowError("data", f"{fn}() got {x!r}, which is not a finite number")
    return x


def _extremes_input(fn: str, values: tuple[Any, ...]) -> list[Any]:
    """min/max take values or one list; all numbers or all strings."""
    if len(values) == 1 and (type(values[0]) is list or isinstance(values[0], Stream)):
        items = list(values[0])
    else:
        items = list(values)
    if items:
        kind = type_name(items[0])
        if kind not in ("number", "string"):
            raise _wrong_type(fn, "numbers or strings", items[0])
        for item in items:
            if type_name(item) != kind:
                raise FlowError("data", f"{fn}() cannot compare {kind} and {type_name(item)}")
    return items


@builtin("round")
def fl_round(x: Any, digits: Any = 0) -> int | float:
    """`x` rounded to `digits` decimal places, halves away from zero (2.5 → 3, 2.675 → 2.68)."""
    x = _finite("round", _want_number("round", x, "x"))
    digits = _want_int("round", digits, "digits")
    if type(x) is int and digits >= 0:
        return x
    if type(x) is float:
        fast = _round_fast(x, digits)
        if fast is not None:
            return int(fast) if digits <= 0 else fast
    rounded = _round_decimal(x, digits)
    if rounded is None:
        return x
    return int(rounded) if digits <= 0 else float(rounded)


@builtin("floor")
def fl_floor(x: Any) -> int:
    """The largest whole number not above `x`."""
    return math.floor(_finite("floor", _want_number("floor", x)))


@builtin("ceil")
def fl_ceil(x: Any) -> int:
    """The smallest whole number not below `x`."""
    return math.ceil(_finite("ceil", _want_number("ceil", x)))


@builtin("abs")
def fl_abs(x: Any) -> int | float:
    return abs(_want_number("abs", x))


@builtin("min")
def fl_min(*values: Any) -> Any:
    """The smallest of the values (or of one list); null when there are none."""
    items = _extremes_input("min", values)
    return min(items) if items else None


@builtin("max")
def fl_max(*values: Any) -> Any:
    """The largest of the values (or of one list); null when there are none."""
    items = _extremes_input("max", values)
    return max(items) if items else None


@builtin("sum")
def fl_sum(items: Any) -> int | float:
    """The sum of a list of numbers; 0 for an empty list."""
    if not (type(items) is list or isinstance(items, Stream)):
        raise _wrong_type("sum", "a list of numbers", items)
    total: int | float = 0
    for item in items:
        if type(item) is not int and type(item) is not float:
            raise _wrong_type("sum", "a list of numbers", item)
        total += item
    return total


@builtin("number")
def fl_number(value: Any) -> int | float:
    """A number from a number or from text such as "42", " -3.5 " or "1e3"."""
    if type(value) is int or type(value) is float:
        return value
    if type(value) is not str:
        raise _wrong_type("number", "a string or a number", value)
    return _read_number("number", value)


def _read_number(name: str, value: str) -> int | float:
    """The number written in `value`, for number() and int()."""
    text = value.strip()
    if not _NUMBER_TEXT.fullmatch(text):
        raise FlowError("data", f"{name}() cannot read {value!r} as a number")
    if "." in text or "e" in text or "E" in text:
        return _finite(name, float(text))
    return int(text)


@builtin("int")
def fl_int(value: Any) -> int:
    """A whole number: the fraction is cut off towards zero (3.9 → 3, -3.9 → -3); text is read first."""
    if type(value) is int:
        return value
    if type(value) is str:
        number = _read_number("int", value)
        return number if type(number) is int else math.trunc(number)
    return math.trunc(_finite("int", _want_number("int", value)))


@builtin("string")
def fl_string(value: Any) -> str:
    """The value as text, as it reads in an interpolation (`null`, `true`, `3`, JSON for lists and objects)."""
    return value if type(value) is str else to_text(value)


@builtin("format_number")
def fl_format_number(x: Any, decimals: Any = 2, thousands: Any = ",", point: Any = ".") -> str:
    """`x` with `decimals` places (rounded half-up), `thousands` between groups of three digits."""
    x = _finite("format_number", _want_number("format_number", x, "x"))
    decimals = _want_int("format_number", decimals, "decimals")
    thousands = _want_str("format_number", thousands, "thousands")
    point = _want_str("format_number", point, "point")
    if decimals < 0:
        raise FlowError("data", "format_number() expects decimals to be 0 or more")
    rounded: int | float | Decimal | None = None
    if decimals <= 15 and -(10.0 ** (15 - decimals)) < x < 10.0 ** (15 - decimals):
        # Few enough significant digits that the float prints exactly as its decimal rounding.
        rounded = x if type(x) is int else _round_fast(x, decimals)
    if rounded is None:
        rounded = _round_decimal(x, decimals)
        if rounded is None:
            raise FlowError("data", f"format_number() cannot format {x!r}")
    if rounded == 0:
        rounded = 0  # no "-0.00"
    text = f"{rounded:,.{decimals}f}"
    if thousands == "," and point == ".":
        return text
    return text.replace(",", "\0").replace(".", point).replace("\0", thousands)
