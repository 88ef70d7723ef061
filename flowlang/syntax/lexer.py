"""A fast tokenizer for flowlang, built from the terminals of grammar/flowlang.lark.

Lark's own basic lexer costs ~0.5 ms per call to set up, which dominates when every string interpolation
is parsed on its own; this one compiles one master regular expression once, from the same terminal
definitions (stored in grammar/flowlang.tables.json by flowlang/syntax/tablegen.py), so the grammar stays the
only source of syntax.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any


class LexError(Exception):
    """No terminal matches at `pos` (line and column are those of the fragment being lexed)."""

    def __init__(self, pos: int, line: int, column: int) -> None:
        super().__init__(f"no token at {line}:{column}")
        self.pos, self.line, self.column = pos, line, column


class Tok:
    """A token: its terminal name, text, and 1-based position (end exclusive)."""

    __slots__ = ("column", "end_column", "end_line", "line", "type", "value")

    def __init__(self, type: str, value: str, line: int, column: int, end_line: int, end_column: int):
        self.type, self.value, self.line, self.column = type, value, line, column
        self.end_line, self.end_column = end_line, end_column

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return f"Tok({self.type}, {self.value!r}, {self.line}:{self.column})"


class Lexer:
    """Tokens for the LALR parser, from one master regular expression."""

    def __init__(self, tables: dict[str, Any]) -> None:
        """`tables`: the "terminals" (name, regex in matching order), "keywords" and "ignored" of the tables."""
        self.keywords: dict[str, str] = tables["keywords"]
        self.ignored = set(tables["ignored"])
        self.master = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in tables["terminals"]))

    def lex(self, text: str, line_offset: int = 0, col_offset: int = 0) -> Iterator[Tok]:
        """Tokens of `text`; the offsets place a fragment (an interpolation) in its file."""
        match = self.master.match
        keywords = self.keywords
        ignored = self.ignored
        # columns are pos - line_start + 1: on the fragment's first line they shift by col_offset
        pos, line, line_start, end = 0, 1 + line_offset, -col_offset, len(text)
        while pos < end:
            m = match(text, pos)
            if m is None:
                raise LexError(pos, line - line_offset, pos - line_start + 1 - (
                    col_offset if line == 1 + line_offset else 0))
            kind = m.lastgroup or ""
            value = m.group()
            new_pos = m.end()
            if kind not in ignored:
                if kind == "NAME":
                    kind = keywords.get(value, "NAME")
                newlines = value.count("\n") if kind in ("_NL", "LONG_STRING") else 0
                if newlines:
                    end_line = line + newlines
                    end_line_start = pos + value.rfind("\n") + 1
                else:
                    end_line, end_line_start = line, line_start
                yield Tok(kind, value, line, pos - line_start + 1, end_line, new_pos - end_line_start + 1)
                line, line_start = end_line, end_line_start
            pos = new_pos

    def lex_trivia(self, text: str) -> Iterator[Tok]:
        """Every piece of `text` as a token, comments and blanks too: their values join back into `text`.

        Comments after code are COMMENT, blanks are WS; a `_NL` keeps the own-line comments it runs over.
        Formatters and highlighters use this; the parser uses `lex`, which skips the trivia.
        """
        match = self.master.match
        keywords = self.keywords
        ignored = self.ignored
        pos, line, line_start, end = 0, 1, 0, len(text)
        while pos < end:
            m = match(text, pos)
            if m is None:
                raise LexError(pos, line, pos - line_start + 1)
            kind = m.lastgroup or ""
            value = m.group()
            if kind == "NAME":
                kind = keywords.get(value, "NAME")
            elif kind in ignored and kind != "COMMENT":
                kind = "WS"
            newlines = value.count("\n")
            if newlines:
                end_line, end_line_start = line + newlines, pos + value.rfind("\n") + 1
            else:
                end_line, end_line_start = line, line_start
            yield Tok(kind, value, line, pos - line_start + 1, end_line, m.end() - end_line_start + 1)
            line, line_start, pos = end_line, end_line_start, m.end()
