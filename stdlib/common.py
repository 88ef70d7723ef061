"""Argument checks shared by the builtins: one wording for every "f() expects …, got …" error."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flowlang.runtime.errors import FlowError
from flowlang.runtime.values import Stream, type_name

# The checks return the value (narrowed) so that a builtin reads `text = _want_str("upper", text)`.
# Names are unique across the whole stdlib: the code generator inlines helpers into one module.


def _wrong_type(fn: str, what: str, value: Any, param: str | None = None) -> FlowError:
    """`upper() expects a string, got number` or `pad_left() expects width to be a number, got string`."""
    expected = f"{param} to be {what}" if param else what
    return FlowError("data", f"{fn}() expects {expected}, got {type_name(value)}")


def _want_str(fn: str, value: Any, param: str | None = None) -> str:
    if type(value) is str:
        return value
    raise _wrong_type(fn, "a string", value, param)


def _want_number(fn: str, value: Any, param: str | None = None) -> int | float:
    if type(value) is int or type(value) is float:
        return value
    raise _wrong_type(fn, "a number", value, param)


def _want_int(fn: str, value: Any, param: str | None = None) -> int:
    """A whole number; 3.0 is accepted as 3."""
    if type(value) is int:
        if -_MAX_WHOLE <= value <= _MAX_WHOLE:
            return value
    elif type(value) is float and value.is_integer():
        if -_MAX_WHOLE <= value <= _MAX_WHOLE:
            return int(value)
    else:
        raise _wrong_type(fn, "a whole number", value, param)
    what = f"{param} to be" if param else "a whole number"
    raise FlowError("data", f"{fn}() expects {what} between -{_MAX_WHOLE:,} and {_MAX_WHOLE:,}, got {value:g}")


_MAX_WHOLE = 2**53  # the largest whole number every JSON reader keeps exact; counts and sizes stay far below


def _want_bool(fn: str, value: Any, param: str | None = None) -> bool:
    if value is True or value is False:
        return value
    raise _wrong_type(fn, "a boolean", value, param)


def _want_list(fn: str, value: Any, param: str | None = None) -> list[Any] | Stream:
    """A list or a lazy stream (iterate it once)."""
    if type(value) is list or isinstance(value, Stream):
        return value
    raise _wrong_type(fn, "a list", value, param)


def _want_object(fn: str, value: Any, param: str | None = None) -> dict[str, Any]:
    if type(value) is dict:
        return value
    raise _wrong_type(fn, "an object", value, param)


def _want_callable(fn: str, value: Any, param: str | None = None) -> Callable[..., Any]:
    if callable(value) and not isinstance(value, Stream):
        return value
    raise _wrong_type(fn, "a function (x => …)", value, param)


def _want_strings(fn: str, value: Any, param: str | None = None) -> list[str]:
    """A list of strings; a single string counts as a list of one."""
    if type(value) is str:
        return [value]
    items = list(_want_list(fn, value, param))
    for item in items:
        if type(item) is not str:
            raise _wrong_type(fn, "a list of strings", item, param)
    return items


def _as_list(items: Iterable[Any]) -> list[Any]:
    """The items as a list, without copying when they already are one."""
    return items if type(items) is list else list(items)
