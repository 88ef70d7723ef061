"""The hot loop of parsing: feeds tokens through lark's LALR tables and builds lark trees."""

from __future__ import annotations

from typing import Any

from lark import Lark, Tree
from lark.parsers.lalr_analysis import Shift

from flowlang.lexer import Tok

StateTable = dict[Any, dict[str, tuple[Any, Any]]]


class ParseFailure(Exception):
    """A token the grammar does not accept here; `expected` lists the terminals it would."""

    def __init__(self, token: Tok | None, expected: set[str], states: StateTable, stack: list[Any]):
        super().__init__(token)
        self.token = token  # None at the end of the input
        self.expected = expected
        self.states = states
        self.stack = list(stack)


class Tables:
    """lark's parse table for our grammar, with each rule's size, result name and tree callback."""

    def __init__(self, lark: Lark) -> None:
        parser = lark.parser.parser.parser  # ParsingFrontend -> LALR_Parser -> _Parser
        table = parser.parse_table
        self.states: StateTable = table.states
        self.start_states = table.start_states
        self.end_states = table.end_states
        callbacks = parser.callbacks
        # rule -> (size, result name, tree callback or None for a `?rule` passing its one child through)
        self.rules: dict[Any, tuple[int, str, Any]] = {}
        for actions in self.states.values():
            for action, arg in actions.values():
                if action is not Shift and arg not in self.rules:
                    size = len(arg.expansion)
                    passthrough = size == 1 and arg.options.expand1 and not arg.alias
                    self.rules[arg] = (size, arg.origin.name, None if passthrough else callbacks[arg])

    def accepts(self, stack: list[Any], terminal: str) -> bool:
        """Whether `terminal` can be shifted after the reductions it causes (LALR lookaheads over-approximate)."""
        states, rules = self.states, self.rules
        stack = list(stack)
        while True:
            entry = states[stack[-1]].get(terminal)
            if entry is None:
                return False
            action, arg = entry
            if action is Shift:
                return True
            size, origin, _ = rules[arg]
            if size:
                del stack[-size:]
            stack.append(states[stack[-1]][origin][1])


class Session:
    """One parse: feed tokens, then `finish()` for the tree."""

    def __init__(self, tables: Tables, start: str) -> None:
        self.tables = tables
        self.stack: list[Any] = [tables.start_states[start]]
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
            entry = states[stack[-1]].get(terminal)
            if entry is None:
                expected = {t for t in states[stack[-1]] if t.isupper() or t.startswith("_") or t == "$END"}
                raise ParseFailure(token, expected, states, stack)
            action, arg = entry
            if action is Shift:
                stack.append(arg)
                values.append(token)
                return None
            size, origin, callback = rules[arg]
            if callback is None:  # the precedence ladder: keep the value, change the state
                stack[-1] = states[stack[-2]][origin][1]
                continue
            if size:
                children = values[-size:]
                del stack[-size:]
                del values[-size:]
            else:
                children = []
            values.append(callback(children))
            stack.append(states[stack[-1]][origin][1])
            if token is None and stack[-1] == self.end_state:
                return values[-1]
