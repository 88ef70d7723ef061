"""Syntax highlighting of flowlang source as HTML: the project's own lexer, one CSS class per kind of token.

Every character of the source comes out, HTML-escaped, comments included; text the lexer cannot read (a
draft being typed) is marked `fl-error` and lexing goes on after it, so any text highlights. The classes
(`CLASSES`) are the same kinds of token that the TextMate grammar of editors/vscode/ scopes (`SCOPES`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from html import escape
from typing import NamedTuple

from flowlang.syntax.lalr import load_tables
from flowlang.syntax.lexer import Lexer, LexError, Tok
from flowlang.syntax.strings import _matching_brace

__all__ = ["CLASSES", "CSS", "SCOPES", "Piece", "highlight_html", "highlight_lines", "pieces"]

# class -> the TextMate scope of the same kind of token (editors/vscode/syntaxes/flowlang.tmLanguage.json)
SCOPES: dict[str, str] = {
    "fl-keyword": "keyword.control.flowlang",
    "fl-declaration": "storage.type.flowlang",
    "fl-operator-word": "keyword.operator.word.flowlang",
    "fl-constant": "constant.language.flowlang",
    "fl-level": "constant.language.level.flowlang",
    "fl-verb": "keyword.other.verb.flowlang",
    "fl-number": "constant.numeric.flowlang",
    "fl-string": "string.quoted.double.flowlang",
    "fl-escape": "constant.character.escape.flowlang",
    "fl-interpolation": "punctuation.section.interpolation.flowlang",
    "fl-comment": "comment.line.number-sign.flowlang",
    "fl-operator": "keyword.operator.flowlang",
    "fl-punctuation": "punctuation.flowlang",
    "fl-definition": "entity.name.function.flowlang",
    "fl-function": "support.function.flowlang",
    "fl-property": "variable.other.property.flowlang",
    "fl-name": "variable.other.flowlang",
    "fl-error": "invalid.illegal.flowlang",
}
CLASSES = tuple(SCOPES)

_DECLARATIONS = {"FLOW", "FUNC", "SYSTEM", "IMPORT", "TEST"}
_OPERATOR_WORDS = {"AND", "OR", "NOT", "IN"}
_CONSTANTS = {"TRUE", "FALSE", "NULL"}
_OPERATORS = {"COMPARE", "COALESCE", "OPT_DOT", "OPT_LSQB", "ADD", "SUB", "MUL_OP", "EQUALS", "PLUS_ASSIGN",
              "MINUS_ASSIGN", "__ANON_0"}
_PUNCTUATION = {"LBRACE", "RBRACE", "LPAR", "RPAR", "LSQB", "RSQB", "COMMA", "COLON", "DOT"}
_VERBS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"}
_TRIVIA = {"WS", "COMMENT", "_NL"}
_COMMENT_IN_NL = re.compile(r"#[^\n]*")
_ESCAPE = re.compile(r'\\(?:u\{[0-9A-Fa-f]*\}|.)', re.S)

CSS = """\
.fl-keyword, .fl-declaration, .fl-operator-word, .fl-verb { color: #8b2bb9; font-weight: 600; }
.fl-constant, .fl-level, .fl-number { color: #005cc5; }
.fl-string { color: #22863a; }
.fl-escape, .fl-interpolation { color: #b31d28; }
.fl-comment { color: #6a737d; font-style: italic; }
.fl-operator { color: #d73a49; }
.fl-definition, .fl-function { color: #6f42c1; }
.fl-property { color: #005cc5; }
.fl-error { color: #b31d28; text-decoration: wavy underline; }
"""


class Piece(NamedTuple):
    """A run of source text and its class ("" for blanks and line breaks)."""

    cls: str
    text: str


@functools.cache
def _lexer() -> Lexer:
    return Lexer(load_tables().data)


def _tokens(text: str) -> Iterator[Tok | Piece]:
    """The trivia tokens of `text`; what no terminal matches comes out as `fl-error` (or open string) pieces."""
    offset = 0
    while offset < len(text):
        try:
            yield from _lexer().lex_trivia(text[offset:] if offset else text)
            return
        except LexError as exc:
            at = offset + exc.pos
        if text.startswith('"""', at):  # an unclosed long string: the rest is the string
            stop = len(text)
        elif text[at] == '"':  # an unclosed string: to the end of its line
            stop = text.find("\n", at)
            stop = len(text) if stop == -1 else stop
        else:
            stop = at + 1
        yield Piece("fl-error", text[at:stop])
        offset = stop


def _string(value: str) -> Iterator[Piece]:
    """A string literal: its text, its escapes, and each `{…}` interpolation highlighted as code."""
    quote = 3 if value.startswith('"""') else 1
    body, i, start = value, quote, 0
    end = len(value) - quote
    while i < end:
        ch = body[i]
        if ch == "\\":
            m = _ESCAPE.match(body, i)
            stop = m.end() if m else i + 1
            if i > start:
                yield Piece("fl-string", body[start:i])
            yield Piece("fl-escape", body[i:stop])
            i = start = stop
        elif ch == "{":
            close = _matching_brace(body[:end], i)  # the parser's own brace matching
            if close == -1:
                i += 1
                continue
            if i > start:
                yield Piece("fl-string", body[start:i])
            yield Piece("fl-interpolation", "{")
            yield from pieces(body[i + 1 : close])
            yield Piece("fl-interpolation", "}")
            i = start = close + 1
        else:
            i += 1
    if start < len(value):
        yield Piece("fl-string", body[start:])


def _name_class(kind: str, value: str, before: str, after: str, line_start: bool) -> str:
    """The class of a NAME or keyword from the code tokens around it (`before`, `after`: their types)."""
    if before in ("DOT", "OPT_DOT"):
        return "fl-function" if after == "LPAR" else "fl-property"
    if after == "COLON":  # a setting, an object key, a named argument, `with source:`
        return "fl-property"
    if kind != "NAME":
        if kind in _CONSTANTS:
            return "fl-constant"
        if kind in _OPERATOR_WORDS:
            return "fl-operator-word"
        return "fl-declaration" if kind in _DECLARATIONS else "fl-keyword"
    if before in ("FLOW", "FUNC", "SYSTEM", "VERB"):
        return "fl-definition"
    if before == "LOG":
        return "fl-level"
    if line_start and value in _VERBS and after == "NAME":
        return "fl-verb"
    if after == "LPAR":
        return "fl-function"
    return "fl-name"


def pieces(text: str) -> Iterator[Piece]:
    """The source as classed pieces whose texts join back into `text`."""
    toks = list(_tokens(text))
    code = [i for i, t in enumerate(toks) if isinstance(t, Tok) and t.type not in ("WS", "COMMENT")]
    kinds = {i: toks[i].type for i in code}  # type: ignore[union-attr]
    position = {i: n for n, i in enumerate(code)}
    verb_names: set[int] = set()
    for i, tok in enumerate(toks):
        if isinstance(tok, Piece):
            yield tok
            continue
        kind, value = tok.type, tok.value
        if kind == "WS":
            yield Piece("", value)
        elif kind == "COMMENT":
            yield Piece("fl-comment", value)
        elif kind == "_NL":
            start = 0
            for m in _COMMENT_IN_NL.finditer(value):
                yield Piece("", value[start : m.start()])
                yield Piece("fl-comment", m.group())
                start = m.end()
            if start < len(value):
                yield Piece("", value[start:])
        elif kind in ("STRING", "LONG_STRING"):
            yield from _string(value)
        elif kind in ("NUMBER", "DURATION"):
            yield Piece("fl-number", value)
        elif kind in _OPERATORS:
            yield Piece("fl-operator", value)
        elif kind in _PUNCTUATION:
            yield Piece("fl-punctuation", value)
        elif kind.isupper() and (kind == "NAME" or kind.lower() == value):
            n = position[i]
            before = kinds[code[n - 1]] if n > 0 else ""
            after = kinds[code[n + 1]] if n + 1 < len(code) else ""
            if n > 0 and code[n - 1] in verb_names:  # `GET name "path"`: the operation's name
                before = "VERB"
            cls = _name_class(kind, value, before, after, before in ("", "_NL", "LBRACE"))
            if cls == "fl-verb":
                verb_names.add(i)
            yield Piece(cls, value)
        else:
            yield Piece("fl-operator", value)


def _html(piece: Piece) -> str:
    text = escape(piece.text, quote=False)
    return f'<span class="{piece.cls}">{text}</span>' if piece.cls and text else text


def highlight_html(source: str) -> str:
    """The source as HTML: escaped text, each token in a `<span class="fl-…">` (see CLASSES)."""
    return "".join(_html(p) for p in pieces(source))


def highlight_lines(source: str) -> list[str]:
    """The HTML of each line of `source` (split at "\\n"), a token that spans lines closed at each line's end."""
    lines: list[list[str]] = [[]]
    for piece in pieces(source):
        parts = piece.text.split("\n")
        for n, part in enumerate(parts):
            if n:
                lines.append([])
            if part:
                lines[-1].append(_html(Piece(piece.cls, part)))
    return ["".join(line) for line in lines]
