"""The grammar is LALR(1) without conflicts, and every rule has a builder."""

from __future__ import annotations

import importlib.resources
import re

from lark import Lark

from flowlang.syntax.builder import Builder


def _grammar() -> str:
    return importlib.resources.files("flowlang.grammar").joinpath("flowlang.lark").read_text("utf-8")


def test_grammar_loads_strictly_without_conflicts() -> None:
    Lark(_grammar(), parser="lalr", lexer="basic", strict=True, start=["start", "expression_only"])


def test_every_rule_and_alias_has_a_builder() -> None:
    text = _grammar()
    rules = set(re.findall(r"^\??([a-z][a-z_]*)\s*:", text, re.M))
    aliases = set(re.findall(r"->\s*([a-z_]+)", text))
    inlined = {name for name in rules if text.count(f"?{name}:")}  # `?rule` passes its child through
    needed = (rules - inlined) | aliases
    missing = sorted(name for name in needed if not hasattr(Builder, f"build_{name}"))
    assert missing == []
