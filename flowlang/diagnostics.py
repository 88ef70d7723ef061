"""Spans, diagnostics, and their renderers (text with carets, JSON, GitHub annotations)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

ERROR = "error"
WARNING = "warning"


class Span(NamedTuple):
    """A source range: 1-based line and column, end exclusive (end_column is one past the last).

    A named tuple rather than a frozen dataclass: the parser makes one per token and node, and a tuple is
    five times cheaper to create.
    """

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    def to(self, other: Span) -> Span:
        """The span from the start of self to the end of other."""
        return Span(self.file, self.line, self.column, other.end_line, other.end_column)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a flow, with a stable code (E1xx errors, W1xx warnings, …)."""

    code: str
    severity: str
    message: str
    span: Span
    hint: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.span.file, self.span.line, self.span.column, self.code)

    def to_dict(self) -> dict[str, object]:
        s = self.span
        return {
            "file": s.file,
            "line": s.line,
            "column": s.column,
            "end_line": s.end_line,
            "end_column": s.end_column,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
        }


class FlowSyntaxError(Exception):
    """Raised by the parser with the diagnostics it found."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = diagnostics


def source_lines(text: str) -> list[str]:
    """The lines of a source as the lexer and editors count them: only `\n`, `\r\n` and `\r` end a line.

    `str.splitlines()` also breaks at U+2028, U+2029, `\x85`, form feed and vertical tab, which may stand
    inside a string literal: the excerpt of every diagnostic after one would show the wrong line.
    """
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _shown(char: str) -> str:
    """A character of an excerpt as one visible column (tabs, control characters and line separators too)."""
    if char == "\t":
        return " "
    if char < " " or char == "\x7f":
        return chr(0x2400 + (ord(char) if char < " " else 0x21))  # ␌ for a form feed, ␡ for DEL
    if char in "\x85\u2028\u2029":
        return "\u2424"  # ␤
    return char


_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


def render_text(diag: Diagnostic, source: str | None) -> str:
    """`file:line:col: error[CODE]: message`, the source line, a caret underline, and the hint."""
    s = diag.span
    out = [f"{s.file}:{s.line}:{s.column}: {diag.severity}[{diag.code}]: {diag.message}"]
    if source is not None:
        lines = source_lines(source)
        if 1 <= s.line <= len(lines):
            text = _CONTROL.sub(lambda m: _shown(m.group()), lines[s.line - 1])
            if len(text) > 200:  # keep pathological one-line files readable
                start = max(0, s.column - 100)
                text = text[start : start + 200]
                col = s.column - start
            else:
                col = s.column
            width = (s.end_column - s.column) if s.end_line == s.line else len(text) - col + 1
            width = max(1, min(width, len(text) - col + 1))
            gutter = f"{s.line:>4} | "
            out.append(f"{gutter}{text}")
            out.append(" " * (len(gutter) - 2) + "| " + " " * (col - 1) + "^" * width)
    if diag.hint:
        out.append(f"  hint: {diag.hint}")
    return "\n".join(out)


def render_all_text(diags: Iterable[Diagnostic], sources: Mapping[str, str]) -> str:
    return "\n".join(render_text(d, sources.get(d.span.file)) for d in diags)


def render_json(diags: Iterable[Diagnostic]) -> str:
    return json.dumps([d.to_dict() for d in diags], indent=2, ensure_ascii=False)


def _gh_escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(text: str) -> str:
    return _gh_escape(text).replace(":", "%3A").replace(",", "%2C")


def render_github(diag: Diagnostic) -> str:
    """A GitHub Actions workflow command: `::error file=…,line=…,col=…::message`."""
    s = diag.span
    kind = "error" if diag.is_error else "warning"
    message = diag.message + (f" (hint: {diag.hint})" if diag.hint else "")
    props = (
        f"file={_gh_prop(s.file)},line={s.line},col={s.column},"
        f"endLine={s.end_line},endColumn={s.end_column},title={_gh_prop(diag.code)}"
    )
    return f"::{kind} {props}::{_gh_escape(message)}"


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate most like `name`, for "did you mean" hints; None when nothing is close."""
    import difflib

    found = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return found[0] if found else None


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    match = closest(name, candidates)
    return f"did you mean '{match}'?" if match else None
