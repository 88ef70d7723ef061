"""Strict JSON for what the host stores and answers: request bodies and webhook payloads.

The runtime's `parse_json` already refuses NaN, Infinity and numbers too large for a float; this also
refuses a string holding a lone UTF-16 surrogate (a `\\ud800` escape without its pair) or a NUL character
(`\\u0000`). Python accepts them, but no UTF-8 text and no strict JSON writer can hold a lone surrogate,
and PostgreSQL cannot store a NUL: stored, they would fail the request (a 500) or every later answer that
shows the value.
"""

from __future__ import annotations

from typing import Any

from flowlang.runtime.values import parse_json


def _pointer(path: list[str | int]) -> str:
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path)


def untextual(value: Any) -> tuple[str, str] | None:
    """The JSON pointer of the first string (or key) in `value` that no store can hold, and why; or None."""
    stack: list[tuple[Any, list[str | int]]] = [(value, [])]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            if "\0" in item:
                return _pointer(path), "holds a NUL character (a \\u0000 escape), which cannot be stored"
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return _pointer(path), ("holds a lone UTF-16 surrogate (a \\u escape from \\ud800 to \\udfff "
                                        "without its pair), which is not text")
        elif isinstance(item, dict):
            for key, inner in item.items():
                stack.append((key, path))
                stack.append((inner, [*path, key]))
        elif isinstance(item, list):
            stack.extend((inner, [*path, i]) for i, inner in enumerate(item))
    return None


def parse_strict(text: str) -> Any:
    """Parse `text` as strict JSON; ValueError (json.JSONDecodeError for syntax) or RecursionError."""
    value = parse_json(text)
    found = untextual(value)
    if found is not None:
        where, why = found
        raise ValueError(f"the string at {where} {why}")
    return value
