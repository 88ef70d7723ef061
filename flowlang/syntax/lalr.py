"""The hot loop of parsing: feeds tokens through the LALR table of grammar/flowlang.lark and builds trees.

The table, each rule's tree recipe and the terminals come from grammar/flowlang.tables.json, which
`python -m flowlang.syntax.tablegen` builds from the grammar with lark; parsing itself needs no lark.
"""

from __future__ import annotations

import functools
import json
import os
import zlib
from collections.abc import Callable
from typing import Any

from flowlang.syntax.lexer import Tok

StateTable = list[dict[str, int]]  # symbol -> state to shift to (>= 0), or -1 - the rule to reduce by


class Tree:
    """An interior node of the parse tree: the rule (or alias) name and its children (trees, tokens, None)."""

    __slots__ = ("children", "data")

    def __init__(self, data: str, children: list[Any]) -> None:
        self.data, self.children = data, children

    def __repr__(self) -> str:
        return f"Tree({self.data!r}, {self.children!r})"


class ParseFailure(Exception):
    """A token the grammar does not accept here; `expected` lists the terminals it would."""

    def __init__(self, token: Tok | None, expected: set[str], states: StateTable, stack: list[int]):
        super().__init__(token)
        self.token = token  # None at the end of the input
        self.expected = expected
        self.states = states
        self.stack = list(stack)


class TablesOutOfDate(Exception):
    """grammar/flowlang.tables.json was built from another version of the grammar."""


class Tables:
    """The parse table, with each rule's size, result name and tree callback."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.states: StateTable = data["states"]
        self.start_states: dict[str, int] = data["start_states"]
        self.end_states: dict[str, int] = data["end_states"]
        # rule -> (size, result name, tree callback or None for a `?rule` passing its one child through)
        self.rules: list[tuple[int, str, Callable[[list[Any]], Any] | None]] = [
            (recipe[0], recipe[1], _callback(*recipe[2:])) for recipe in data["rules"]
        ]
        self.data = data

    def accepts(self, stack: list[int], terminal: str) -> bool:
        """Whether `terminal` can be shifted after the reductions it causes (LALR lookaheads over-approximate)."""
        return self.shifted(stack, terminal) is not None

    def shifted(self, stack: list[int], terminal: str) -> list[int] | None:
        """The stack after `terminal` is shifted (and the reductions before it), or None if it cannot be."""
        states, rules = self.states, self.rules
        stack = list(stack)
        while True:
            action = states[stack[-1]].get(terminal)
            if action is None:
                return None
            if action >= 0:
                return [*stack, action]
            size, origin, _ = rules[-1 - action]
            if size:
                del stack[-size:]
            stack.append(states[stack[-1]][origin])


@functools.cache
def load_tables() -> Tables:
    """The tables shipped with the package, checked against the grammar they were built from."""
    import flowlang.grammar  # its folder, not importlib.resources: that imports zipfile, tempfile... (~50 M instructions)

    folder = os.path.dirname(flowlang.grammar.__file__ or "")
    with open(os.path.join(folder, "flowlang.tables.json"), encoding="utf-8") as tables:
        data = json.load(tables)
    with open(os.path.join(folder, "flowlang.lark"), encoding="utf-8") as grammar:
        check_digest(data, grammar.read())
    return Tables(data)


def grammar_digest(text: str) -> str:
    """A checksum of the grammar's text (to notice stale tables, not for security: crc32 loads fast).

    Line endings do not count: a checkout with CRLF line endings has the same grammar."""
    return f"{zlib.crc32(text.replace(chr(13) + chr(10), chr(10)).encode('utf-8')):08x}"


def check_digest(data: dict[str, Any], grammar: str) -> None:
    """Refuse tables built from another grammar: they would parse another language."""
    if data.get("grammar_crc32") != grammar_digest(grammar):
        raise TablesOutOfDate("grammar/flowlang.tables.json is out of date: run `python -m flowlang.syntax.tablegen`")


def _callback(
    name: str, expand1: bool, include: list[list[Any]], nones_after: int
) -> Callable[[list[Any]], Any] | None:
    """The tree builder of one rule, as lark's ParseTreeBuilder makes it (see flowlang/syntax/tablegen.py)."""
    size = len(include)
    if expand1 and size == 1 and not include[0][1] and not include[0][2] and not nones_after:
        return None  # a `?rule` with one symbol: its child passes through unchanged
    plain = not nones_after and not any(splice or nones for _, splice, nones in include)
    if plain:
        if expand1:
            return lambda children: children[0] if len(children) == 1 else Tree(name, children)
        return lambda children: Tree(name, children)
    steps = [(index, splice, nones) for index, splice, nones in include]
    # A list rule (`a (sep a)*`) is left-recursive: its first child is the inlined list so far. That tree
    # is the parser's own and is not kept, so its list is extended in place (copying it made long blocks
    # quadratic: 32,000 statements took most of a minute).
    grows_first = bool(steps) and steps[0][1] and not steps[0][2]
    rest = steps[1:] if grows_first else steps

    def build(children: list[Any]) -> Any:
        kept: list[Any] = children[steps[0][0]].children if grows_first else []
        for index, splice, nones in rest:
            if nones:
                kept += [None] * nones
            if splice:
                kept += children[index].children
            else:
                kept.append(children[index])
        if nones_after:
            kept += [None] * nones_after
        if expand1 and len(kept) == 1:
            return kept[0]
        return Tree(name, kept)

    return build


class Session:
    """One parse: feed tokens, then `finish()` for the tree."""

    def __init__(self, tables: Tables, start: str) -> None:
        self.tables = tables
        self.stack: list[int] = [tables.start_states[start]]
        self.values: list[Any] = []
        self.end_state = tables.end_states[start]

    def feed(self, token: Tok) -> None:
        self._feed(token.type, token)

    def finish(self) -> Tree:
        result: Tree = self._feed("$END", None)
        return result

    def _feed(self, terminal: str, token: Tok | None) -> Any:
        states, rules = self.tables.states, self.tables.rules
        stack, values = self.stack, self.values
        while True:
            action = states[stack[-1]].get(terminal)
            if action is None:
                expected = {t for t in states[stack[-1]] if t.isupper() or t.startswith("_") or t == "$END"}
                raise ParseFailure(token, expected, states, stack)
            if action >= 0:
                stack.append(action)
                values.append(token)
                return None
            size, origin, callback = rules[-1 - action]
            if callback is None:  # the precedence ladder: keep the value, change the state
                stack[-1] = states[stack[-2]][origin]
                continue
            if size:
                children = values[-size:]
                del stack[-size:]
                del values[-size:]
            else:
                children = []
            values.append(callback(children))
            stack.append(states[stack[-1]][origin])
            if token is None and stack[-1] == self.end_state:
                return values[-1]
