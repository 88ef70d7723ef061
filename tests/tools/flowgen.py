"""Hypothesis strategies for the editor tools: random flows, and random layouts of existing flows."""

from __future__ import annotations

import functools

from hypothesis import strategies as st

from flowlang.syntax.lalr import load_tables
from flowlang.syntax.lexer import Lexer

NAMES = st.sampled_from(["a", "b", "items", "order", "total", "x_1", "in_stock"])
# where the parser skips a newline, so a layout may add one (with a comment before it)
_BREAKABLE = {"LPAR", "LSQB", "COMMA", "ADD", "SUB", "MUL_OP", "COMPARE", "AND", "OR", "COALESCE", "EQUALS"}


def _atoms() -> st.SearchStrategy[str]:
    return st.one_of(
        NAMES,
        st.integers(0, 10**6).map(str),
        st.sampled_from(['"text"', '"a {b} c"', '""', "true", "null", "5s", "250ms", "2.5"]),
    )


def _extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "==", "<", "and", "or", "??", "in", "not in"]), inner)
        .map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.lists(inner, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(st.tuples(NAMES, inner), max_size=4).map(
            lambda kv: "{" + ", ".join(f"{k}: {v}" for k, v in kv) + "}"),
        st.tuples(st.sampled_from(["length", "upper", "map", "f"]), st.lists(inner, max_size=3)).map(
            lambda t: f"{t[0]}({', '.join(t[1])})"),
        st.tuples(inner, NAMES).map(lambda t: f"{t[0]}.{t[1]}"),
        st.tuples(inner, NAMES).map(lambda t: f"{t[0]}?.{t[1]}"),
        st.tuples(inner, inner).map(lambda t: f"{t[0]}[{t[1]}]"),
        inner.map(lambda e: f"-({e})"),
        inner.map(lambda e: f"(not {e})"),
        st.tuples(NAMES, inner).map(lambda t: f"map(xs, {t[0]} => {t[1]})"),
        st.tuples(inner, inner, inner).map(lambda t: f"(if {t[0]} then {t[1]} else {t[2]})"),
    )


EXPRESSIONS = st.recursive(_atoms(), _extend, max_leaves=12)


@functools.cache
def _statements(depth: int) -> st.SearchStrategy[list[str]]:
    simple = st.one_of(
        st.tuples(NAMES, st.sampled_from(["=", "+=", "-="]), EXPRESSIONS).map(lambda t: " ".join(t)),
        EXPRESSIONS.map(lambda e: f"log info {e}"),
        EXPRESSIONS.map(lambda e: f"return {e}"),
        st.just("call shop.get(id: 1, query: {a: 1})"),
        st.just("checkpoint"),
    )
    if depth == 0:
        return st.lists(simple, min_size=1, max_size=4)
    body = _statements(depth - 1).map(lambda lines: "\n".join(lines))
    nested = st.one_of(
        st.tuples(EXPRESSIONS, body).map(lambda t: f"if {t[0]} {{\n{t[1]}\n}}"),
        st.tuples(EXPRESSIONS, body, body).map(lambda t: f"if {t[0]} {{\n{t[1]}\n}} else {{\n{t[2]}\n}}"),
        st.tuples(NAMES, EXPRESSIONS, body).map(lambda t: f"for {t[0]} in {t[1]} {{\n{t[2]}\n}}"),
        st.tuples(body, body).map(lambda t: f"try {{\n{t[0]}\n}} catch err {{\n{t[1]}\n}}"),
        st.tuples(EXPRESSIONS, simple).map(lambda t: f"while {t[0]} {{ {t[1]} }}"),
    )
    return st.lists(st.one_of(simple, nested), min_size=1, max_size=4)


@st.composite
def flows(draw: st.DrawFn) -> str:
    """A random file that parses: a system, a func and a flow with random statements."""
    funcs = "\n".join(draw(_statements(2)))
    steps = "\n".join(draw(_statements(2)))
    return (
        'system shop {\n  base_url: "http://127.0.0.1"\n  GET get "/x/{id}"\n}\n'
        f"func f(a, b = 1) {{\n{funcs}\n}}\n"
        f'flow main {{\n  name: "Main"\n{steps}\n}}\n'
    )


@functools.cache
def _lexer() -> Lexer:
    return Lexer(load_tables().data)


@st.composite
def relaid(draw: st.DrawFn, text: str, breaks: bool = True) -> str:
    """`text` with its blanks changed and (`breaks`) line breaks, blank lines and comments added where allowed."""
    out: list[str] = []
    n = 0
    for tok in _lexer().lex_trivia(text):
        if tok.type == "WS":
            out.append(draw(st.sampled_from([" ", "  ", "\t", " "])))
            continue
        out.append(tok.value)
        if not breaks:
            continue
        if tok.type in _BREAKABLE and draw(st.integers(0, 5)) == 0:
            n += 1
            comment = draw(st.sampled_from(["", f"  # c{n}"]))
            out.append(comment + "\n" + draw(st.sampled_from(["", "    ", "\t"])))
        elif tok.type == "_NL" and draw(st.integers(0, 6)) == 0:
            n += 1
            out.append(draw(st.sampled_from([f"# own {n}\n", "\n\n\n", f"   # own {n}\n\n"])))
    return "".join(out)
