"""Text -> nodes.Program: the cached LALR parser, newline handling, and syntax errors in words."""

from __future__ import annotations

import functools
import re
from typing import Any

from flowlang import nodes
from flowlang.diagnostics import ERROR, Diagnostic, FlowSyntaxError, Span, closest
from flowlang.syntax.builder import STATEMENT_WORDS, Builder
from flowlang.syntax.lalr import ParseFailure, Session, Tables, Tree, load_tables
from flowlang.syntax.lexer import Lexer, LexError, Tok

_OPENERS = {"LPAR": "RPAR", "LSQB": "RSQB", "OPT_LSQB": "RSQB", "LBRACE": "RBRACE"}
_CLOSERS = {"RPAR": ")", "RSQB": "]", "RBRACE": "}"}
# a `{` after one of these opens a block; elsewhere it opens an object literal
_BLOCK_PREDECESSORS = {
    "NAME", "RPAR", "RSQB", "RBRACE", "TRY", "ELSE", "STRING", "NUMBER", "DURATION", "TRUE", "FALSE",
    "NULL",
}

_FRIENDLY = {
    "NAME": "a name", "NUMBER": "a number", "DURATION": "a duration", "STRING": "a string",
    "LONG_STRING": "a string", "_NL": "end of line", "$END": "end of file",
    "LPAR": "`(`", "RPAR": "`)`", "LSQB": "`[`", "RSQB": "`]`", "LBRACE": "`{`", "RBRACE": "`}`",
    "COMMA": "`,`", "COLON": "`:`", "DOT": "`.`", "EQUALS": "`=`", "PLUS_ASSIGN": "`+=`",
    "MINUS_ASSIGN": "`-=`", "COMPARE": "a comparison", "COALESCE": "`??`", "OPT_DOT": "`?.`",
    "OPT_LSQB": "`?[`", "ADD": "`+`", "SUB": "`-`", "MUL_OP": "an operator", "__ANON_0": "`=>`",
}
_EXPRESSION_STARTS = {"NAME", "NUMBER", "STRING", "LSQB", "LBRACE", "LPAR"}
_KEYWORDS = {
    "IMPORT", "SYSTEM", "FUNC", "FLOW", "IF", "ELSE", "FOR", "IN", "WHILE", "BREAK", "CONTINUE", "RETURN",
    "TRY", "CATCH", "FAIL", "LOG", "CALL", "EACH", "PARALLEL", "WAIT", "CHECKPOINT", "AND", "OR", "NOT",
    "TRUE", "FALSE", "NULL", "THEN", "TEST", "GIVEN", "EXPECT",
}
# Words of test blocks only (`test "…" {`, `given`, `expect`): elsewhere they stay names, so flows that
# named a variable, a system or a flow `test`, `given` or `expect` before test blocks existed still parse.
SOFT_KEYWORDS = frozenset({"TEST", "GIVEN", "EXPECT"})
_OPERATORS = {
    "ADD", "SUB", "MUL_OP", "COMPARE", "AND", "OR", "COALESCE", "IN", "NOT", "DOT", "OPT_DOT", "LSQB", "OPT_LSQB",
    "LPAR",
}


@functools.cache
def _lexer() -> Lexer:
    return Lexer(load_tables().data)


def parse(text: str, file: str) -> nodes.Program:
    """Parse a whole `.flow` file; raises FlowSyntaxError with the diagnostics."""
    text = text.removeprefix("\ufeff")
    tree = _parse_tree(text, file, "start", 0, 0)
    return Builder(file, 0, 0, _parse_interpolation).program(tree, text)


def parse_expression(text: str, file: str = "<expr>") -> Any:
    """Parse one expression (as in an interpolation or a test)."""
    return _parse_expression_at(text, file, 0, 0)


def _parse_expression_at(text: str, file: str, line_offset: int, col_offset: int) -> Any:
    tree = _parse_tree(text, file, "expression_only", line_offset, col_offset)
    return Builder(file, line_offset, col_offset, _parse_interpolation).expression(tree)


def _parse_interpolation(text: str, file: str, line: int, column: int) -> Any:
    """Parse `{expr}` inside a string; line/column are where the expression text starts."""
    if not text.strip():
        span = Span(file, line, column - 1, line, column + len(text) + 1)
        raise FlowSyntaxError([Diagnostic("E001", ERROR, "empty interpolation `{}`", span,
                                          "write `\\{` for a literal brace")])
    return _parse_expression_at(text, file, line - 1, column - 1)


def _parse_tree(text: str, file: str, start: str, line_offset: int, col_offset: int) -> Tree:
    """Feed tokens to the LALR parser, skipping newlines where the grammar accepts none."""
    tables = load_tables()
    session = Session(tables, start)
    opened: list[tuple[Tok, bool]] = []  # open brackets, and whether each `{` opens a block
    previous: Tok | None = None
    before: Tok | None = None  # the token fed before `previous`
    where = _Locator(file, line_offset, col_offset)
    try:
        tokens = list(_lexer().lex(text, line_offset, col_offset))
        for index, token in enumerate(tokens):
            kind = token.type
            if kind == "_NL":
                if not tables.accepts(session.stack, "_NL"):
                    continue
            elif kind in _OPENERS:
                is_block = kind == "LBRACE" and previous is not None and previous.type in _BLOCK_PREDECESSORS
                opened.append((token, is_block))
            elif kind in _CLOSERS and opened and _OPENERS[opened[-1][0].type] == kind:
                opened.pop()
            elif kind in SOFT_KEYWORDS:
                soften(tables, session.stack, token, tokens[index + 1].type if index + 1 < len(tokens) else "$END")
                kind = token.type
            session.feed(token)
            before, previous = previous, token
        return session.finish()
    except (LexError, ParseFailure) as error:
        raise FlowSyntaxError([_misspelt_keyword(error, where, previous, before)
                               or _diagnose(error, text, where, opened, previous)]) from None


def soften(tables: Tables, stack: list[int], token: Tok, following: str) -> None:
    """A test word becomes a name (SOFT_KEYWORDS) where a name may stand and the word, followed by the
    token of type `following`, may not (`length(given)`: a word there must be a named argument's)."""
    if not tables.accepts(stack, "NAME"):
        return
    after_word = tables.shifted(stack, token.type)
    after = (following,) if following not in SOFT_KEYWORDS else (following, "NAME")  # `given test.op`
    if after_word is None or not any(tables.accepts(after_word, t) for t in after):
        token.type = "NAME"


class _Locator:
    """Turns positions inside a parsed fragment into file positions."""

    def __init__(self, file: str, line_offset: int, col_offset: int) -> None:
        self.file, self.line_offset, self.col_offset = file, line_offset, col_offset

    def span(self, line: int, column: int, end_line: int, end_column: int) -> Span:
        col = column + (self.col_offset if line == 1 else 0)
        end_col = end_column + (self.col_offset if end_line == 1 else 0)
        return Span(self.file, line + self.line_offset, col, end_line + self.line_offset, end_col)


def _describe_token(token: Tok | None) -> str:
    if token is None:
        return "end of file"
    if token.type == "_NL":
        return "end of line"
    if token.type in ("NAME", "NUMBER", "DURATION"):
        return f"{token.type.lower()} `{token}`"
    if token.type in ("STRING", "LONG_STRING"):
        return "string"
    return f"`{token}`"


def _describe_expected(expected: set[str]) -> str:
    names: list[str] = []
    if len(expected) > 1:
        expected = expected - {"$END"}
    if "NAME" in expected and not _EXPRESSION_STARTS <= expected:
        expected = expected - _KEYWORDS
    if {"ADD", "COMPARE", "AND"} <= expected:
        names.append("an operator")
        expected = expected - _OPERATORS
    if {"BREAK", "CONTINUE", "RETURN", "FOR"} <= expected:
        names.append("a statement")
        expected = expected - _KEYWORDS - _EXPRESSION_STARTS
        expected -= {"LONG_STRING", "DURATION", "SUB"}
    if _EXPRESSION_STARTS <= expected:
        names.append("an expression")
        expected = expected - _EXPRESSION_STARTS - {"LONG_STRING", "DURATION", "SUB", "NOT", "TRUE",
                                                    "FALSE", "NULL", "IF", "CALL", "EACH"}
    for name in sorted(expected):
        if name in _FRIENDLY:
            names.append(_FRIENDLY[name])
        elif name in _KEYWORDS:
            names.append(f"`{name.lower()}`")
    names = list(dict.fromkeys(names))
    if not names:
        return "something else"
    if len(names) > 6:
        names = [*names[:6], "…"]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _diagnose(
    error: LexError | ParseFailure,
    text: str,
    where: _Locator,
    opened: list[tuple[Tok, bool]],
    previous: Tok | None = None,
) -> Diagnostic:
    """A syntax error in words, with a hint about the bracket left open where it helps."""
    if isinstance(error, LexError):
        line, col, pos = error.line, error.column, error.pos
        char = text[pos] if pos < len(text) else ""
        span = where.span(line, col, line, col + 1)
        if char == '"':
            return Diagnostic("E002", ERROR, "unterminated string", span,
                              'a string ends on the line where it starts; use """…""" for text over several lines')
        if char == "'":
            return Diagnostic("E001", ERROR, "single quotes do not make a string", span,
                              'use double quotes: "text"')
        shown = "NUL byte" if char == "\0" else f"character {char!r}"
        return Diagnostic("E001", ERROR, f"unexpected {shown}", span)
    token = error.token
    tables = load_tables()
    # keep only what can really follow here
    expected = {t for t in error.expected if tables.accepts(error.stack, t)} or error.expected
    if token is None:
        end = text.rstrip()
        line = end.count("\n") + 1
        col = len(end) - (end.rfind("\n") + 1) + 1
        span = where.span(line, col, line, col + 1)
    else:
        end_line, end_col = token.end_line, token.end_column
        if token.type == "_NL":
            end_line, end_col = token.line, token.column + 1
        span = Span(where.file, token.line, token.column, end_line, end_col)  # tokens are placed already
    found = _describe_token(token)
    if token is None and where.line_offset + where.col_offset > 0:
        found = "end of the interpolation"
    if opened and _OPENERS[opened[-1][0].type] in expected and (
        token is None or token.type in _CLOSERS
    ):
        opener, is_block = opened[-1]
        kind = {"LPAR": "parenthesis", "LSQB": "list", "OPT_LSQB": "index"}.get(opener.type, "")
        if not kind:
            kind = "block" if is_block else "object"
        opened_at = Span(where.file, opener.line, opener.column, opener.line, opener.column + 1)
        closer = _CLOSERS[_OPENERS[opener.type]]
        return Diagnostic(
            "E001", ERROR, f"expected `{closer}` to close the {kind} opened at {opened_at.line}:{opened_at.column}, "
            f"found {found}", span,
        )
    message = f"unexpected {found}; expected {_describe_expected(expected)}"
    return Diagnostic("E001", ERROR, message, span, _hint(token, expected, opened, previous))


def _hint(
    token: Tok | None, expected: set[str], opened: list[tuple[Tok, bool]], previous: Tok | None
) -> str | None:
    if token is None:
        return None
    hint = None
    if previous is not None and previous.type == "STRING" and _braces(previous.value, "{") > _braces(previous.value, "}"):
        # `"a {f("x")} b"`: the quote inside the interpolation ended the string early
        return 'an interpolation `{…}` cannot contain a `"`: put the value in a variable first'
    if "COMMA" in expected and token.type in _EXPRESSION_STARTS | {"LONG_STRING", "DURATION"}:
        hint = "is a `,` missing before it?"
    elif opened and not opened[-1][1] and opened[-1][0].line < token.line:
        opener = opened[-1][0]
        hint = f"the `{opener}` opened at {opener.line}:{opener.column} is still open"
    if token.type == "NAME" and str(token) in ("elif", "elseif"):
        hint = "write `else if`"
    elif token.type == "ELSE" or token.type == "CATCH":
        hint = f"`{token}` goes on the same line as the `}}` before it"
    elif token.type == "EQUALS" and "COMPARE" in expected:
        hint = "compare with `==`"
    elif token.type == "COMMA" and "_NL" in expected and opened and opened[-1][1]:
        hint = "in a block, settings, options and statements go one per line, without commas"
    return hint


# words that begin a declaration at the top of a file (statements: STATEMENT_WORDS)
_DECLARATION_WORDS: tuple[str, ...] = ("import", "system", "func", "flow", "test")


def _misspelt_keyword(
    error: LexError | ParseFailure, where: _Locator, previous: Tok | None, before: Tok | None
) -> Diagnostic | None:
    """`retrun x`, `fro x in xs`, `tyr {`, `flwo f {`: a name where a keyword was meant, with the caret on it.

    At the top of a file the name itself is the unexpected token; in a block, the name parses as the start of
    an expression statement and the token after it is the unexpected one, so the name must begin its line.
    """
    if not isinstance(error, ParseFailure) or where.line_offset + where.col_offset > 0:  # or an interpolation
        return None
    token = error.token
    if token is not None and token.type == "NAME" and "FLOW" in error.expected:
        word, candidates = token, _DECLARATION_WORDS
    elif (previous is not None and previous.type == "NAME" and (before is None or before.type in ("_NL", "LBRACE"))
          and (token is None or token.line == previous.line)):
        word, candidates = previous, STATEMENT_WORDS
    else:
        return None
    keyword = closest(str(word), candidates)
    if keyword is None:
        return None
    span = Span(where.file, word.line, word.column, word.end_line, word.end_column)
    expected = "a declaration" if candidates is _DECLARATION_WORDS else "a statement"
    return Diagnostic("E001", ERROR, f"unknown word `{word}` at the start of {expected}", span,
                      f"did you mean `{keyword}`?")


def _braces(text: str, brace: str) -> int:
    """How many `brace` characters of a string token are not escaped (`\\{` is a literal brace)."""
    return len(re.findall(r"(?<!\\)(?:\\\\)*" + re.escape(brace), text))
