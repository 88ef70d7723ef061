"""Strict JSON for what the host stores and answers: request bodies and webhook payloads.

The runtime's `parse_json` already refuses NaN, Infinity and numbers too large for a float; this also
refuses a string holding a lone UTF-16 surrogate (a `\\ud800` escape without its pair). Python accepts
both, but no UTF-8 text and no strict JSON writer can hold them: stored, they would make every later
answer that shows the value fail.
"""

from __future__ import annotations

from typing import Any

from flowlang.runtime.values import parse_json


def _pointer(path: list[str | int]) -> str:
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path)


def lone_surrogate(value: Any) -> str | None:
    """The JSON pointer of the first string (or key) in `value` that is not valid Unicode text, or None."""
    stack: list[tuple[Any, list[str | int]]] = [(value, [])]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return _pointer(path)
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
    where = lone_surrogate(value)
    if where is not None:
        raise ValueError(f"the string at {where} holds a lone UTF-16 surrogate (a \\u escape from \\ud800 to "
                         "\\udfff without its pair), which is not text")
    return value
