"""A fast tokenizer for flowlang, built from the terminals of grammar/flowlang.lark.

Lark's own basic lexer costs ~0.5 ms per call to set up, which dominates when every string interpolation
is parsed on its own; this one compiles one master regular expression once, from the same terminal
definitions, so the grammar stays the only source of syntax.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lark import Lark
from lark.exceptions import UnexpectedCharacters

IGNORED = {"COMMENT", "__IGNORE_0", "__IGNORE_1", "__IGNORE_2"}
# terminals matched before the punctuation, longest and most specific first
LEADING = ("_NL", "COMMENT", "LONG_STRING", "STRING", "DURATION", "NUMBER", "NAME")


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

    def __init__(self, lark: Lark) -> None:
        terminals = {t.name: t for t in lark.terminals}
        self.keywords = {
            t.pattern.value: t.name
            for t in terminals.values()
            if t.pattern.type == "str" and t.pattern.value.isidentifier()
        }
        ignored = [t.name for t in terminals.values() if t.name.startswith("__IGNORE")]
        self.ignored = IGNORED | set(ignored)
        rest = [t for t in terminals.values() if t.name not in LEADING and t.name not in self.keywords.values()
                and t.name not in self.ignored]
        # longer literal punctuation first ("==" before "=", "+=" before "+"), regexes between
        rest.sort(key=lambda t: -len(t.pattern.value) if t.pattern.type == "str" else -1.5)
        order = [*ignored, *LEADING, *(t.name for t in rest)]
        self.master = re.compile("|".join(f"(?P<{name}>{terminals[name].pattern.to_regexp()})" for name in order))

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
                raise UnexpectedCharacters(text, pos, line - line_offset, pos - line_start + 1 - (
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
