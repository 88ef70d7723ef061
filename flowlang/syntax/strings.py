"""String literals: escapes, and `{expr}` interpolations parsed with their exact positions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flowlang.diagnostics import ERROR, Diagnostic, FlowSyntaxError, Span

_SIMPLE_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "{": "{", "}": "}"}


def _fail(code: str, message: str, file: str, line: int, col: int, width: int, hint: str | None) -> FlowSyntaxError:
    return FlowSyntaxError([Diagnostic(code, ERROR, message, Span(file, line, col, line, col + width), hint)])


def decode_string(
    raw: str,
    span: Span,
    file: str,
    interpolate: Callable[[str, str, int, int], Any] | None,
) -> tuple[Any, ...]:
    """Split a string token into text and parsed interpolations; `interpolate=None` keeps braces as text."""
    quote = 3 if raw.startswith('"""') else 1
    body = raw[quote:-quote]
    line, col = span.line, span.column + quote
    if quote == 3 and body.startswith("\n"):  # text starts on the line after the opening quotes
        body, line, col = body[1:], line + 1, 1
    elif quote == 3 and body.startswith("\r\n"):
        body, line, col = body[2:], line + 1, 1
    parts: list[Any] = []
    text: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            nxt = body[i + 1] if i + 1 < len(body) else ""
            if nxt in _SIMPLE_ESCAPES:
                text.append(_SIMPLE_ESCAPES[nxt])
                i, col = i + 2, col + 2
                continue
            if nxt == "u" and body[i + 2 : i + 3] == "{":
                close = body.find("}", i + 3)
                digits = body[i + 3 : close] if close != -1 else ""
                try:
                    text.append(chr(int(digits, 16)))
                except (ValueError, OverflowError):
                    raise _fail("E003", f"invalid unicode escape `\\u{{{digits}}}`", file, line, col,
                                max(close - i + 1, 2), "write \\u{1F600}: 1 to 6 hex digits") from None
                col += close - i + 1
                i = close + 1
                continue
            raise _fail("E003", f"invalid escape `\\{nxt}`", file, line, col, 2,
                        'escapes are \\" \\\\ \\n \\t \\r \\u{…} \\{ \\}')
        if ch == "{" and interpolate is not None:
            close = _matching_brace(body, i)
            if close == -1:
                raise _fail("E002", "unclosed `{` in string", file, line, col, 1,
                            "write `\\{` for a literal brace")
            if text:
                parts.append("".join(text))
                text = []
            parts.append(interpolate(body[i + 1 : close], file, line, col + 1))
            segment = body[i : close + 1]
            newlines = segment.count("\n")
            if newlines:
                line, col = line + newlines, len(segment) - segment.rfind("\n")
            else:
                col += len(segment)
            i = close + 1
            continue
        text.append(ch)
        if ch == "\n":
            line, col = line + 1, 1
        else:
            col += 1
        i += 1
    if text or not parts:
        parts.append("".join(text))
    return tuple(parts)


def _matching_brace(body: str, start: int) -> int:
    """Index of the `}` closing the `{` at start, counting nested braces; -1 when there is none."""
    depth = 0
    for j in range(start, len(body)):
        if body[j] == "{":
            depth += 1
        elif body[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    return -1
