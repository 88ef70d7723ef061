"""Type builtins: type names, JSON text in and out, and null handling."""

from __future__ import annotations

import json
from typing import Any

from flowlang.stdlib.common import _want_int, _want_str
from flowlang.stdlib.registry import builtin

from flowlang.runtime.errors import FlowError
from flowlang.runtime.values import Stream, parse_json, type_name


def _json_value(value: Any) -> Any:
    """`json.dumps` hook: a stream is read to the end; anything else is not JSON."""
    if isinstance(value, Stream):
        return list(value)
    raise FlowError("data", f"to_json() cannot write a {type_name(value)} as JSON")


@builtin("type_of")
def fl_type_of(value: Any) -> str:
    """One of "null", "boolean", "number", "string", "list", "object" (or "function" for a lambda)."""
    return type_name(value)


@builtin("to_json")
def fl_to_json(value: Any, indent: Any = None) -> str:
    """Compact JSON text of the value (no spaces), or indented by `indent` spaces; non-ASCII kept."""
    if indent is not None:
        indent = _want_int("to_json", indent, "indent")
    separators = (",", ":") if indent is None else (",", ": ")
    try:
        return json.dumps(
            value,
            ensure_ascii=False,
            allow_nan=False,
            indent=indent,
            separators=separators,
            default=_json_value,
        )
    except ValueError:
        raise FlowError("data", "to_json() cannot write NaN or infinity as JSON") from None
    except RecursionError:
        raise FlowError(
            "data", "to_json() got a value nested too deeply (or containing itself)"
        ) from None


@builtin("parse_json")
def fl_parse_json(text: Any) -> Any:
    """The value that JSON `text` describes; invalid JSON is an error of kind "json" with its line and column."""
    text = _want_str("parse_json", text)
    try:
        return parse_json(text)
    except json.JSONDecodeError as e:
        raise FlowError(
            "json", f"parse_json() got invalid JSON at line {e.lineno}, column {e.colno}: {e.msg}"
        ) from None
    except RecursionError:
        raise FlowError("json", "parse_json() got JSON nested too deeply") from None
    except ValueError as e:  # NaN, Infinity, a number too large for a float, too many digits
        raise FlowError("json", f"parse_json() got invalid JSON: {e}") from None


@builtin("is_null")
def fl_is_null(value: Any) -> bool:
    """Whether the value is null (`false`, `0` and `""` are not)."""
    return value is None


@builtin("coalesce")
def fl_coalesce(*values: Any) -> Any:
    """The first value that is not null, or null."""
    for value in values:
        if value is not None:
            return value
    return None
