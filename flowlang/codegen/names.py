"""Safe pieces of generated source: mangled identifiers, literals through repr(), one-line comments."""

from __future__ import annotations

import ast
import keyword
import math
from typing import Any


class CodegenError(Exception):
    """The flow cannot be compiled (no such flow, or an internal safety check failed)."""


def identifier(prefix: str, name: str) -> str:
    """`prefix + name`, checked to be a plain Python identifier (flowlang names already are)."""
    result = prefix + name
    if not result.isidentifier() or keyword.iskeyword(result) or not result.isascii():
        raise CodegenError(f"cannot make a Python identifier of {name!r}")
    return result


def variable(name: str) -> str:
    """A flowlang variable or parameter: `v_name`."""
    return identifier("v_", name)


def func(name: str) -> str:
    """A user func: `f_name`."""
    return identifier("f_", name)


def flow_function(name: str) -> str:
    """The function that runs a flow: `flow_name`."""
    return identifier("flow_", name)


def string(text: str) -> str:
    """A str literal: repr()'s escaping, with the quotes ruff prefers (double unless that adds escapes)."""
    if not isinstance(text, str):
        raise CodegenError(f"not a string: {text!r}")
    quote = "'" if text.count('"') > text.count("'") else '"'
    body = []
    for ch in text:
        if ch == quote:
            body.append("\\" + ch)
        elif ch in "'\"":
            body.append(ch)
        else:
            body.append(repr(ch)[1:-1])
    literal = quote + "".join(body) + quote
    if ast.literal_eval(literal) != text:
        raise CodegenError(f"string literal does not round-trip: {text!r}")
    return literal


def literal(value: Any) -> str:
    """A JSON scalar as Python source: None, True, False, an int or a finite float, or a string."""
    if value is None or value is True or value is False:
        return repr(value)
    if isinstance(value, int):
        return repr(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CodegenError(f"cannot write the number {value!r}")
        return repr(value)
    if isinstance(value, str):
        return string(value)
    raise CodegenError(f"not a literal: {type(value).__name__}")


def comment(text: str, limit: int = 200) -> str:
    """Text safe inside a `#` comment: one line, printable, at most `limit` characters."""
    one_line = " ".join(text.split())
    safe = "".join(ch if ch.isprintable() else "?" for ch in one_line)
    return safe if len(safe) <= limit else safe[: limit - 1] + "…"
