"""The front end's syntax: lexer, LALR driver, parser, tree builder, string literals, table generator.

`parse(text, file)` is the entry point; `parse_expression` parses one expression.
"""

from __future__ import annotations

from flowlang.syntax.parser import FlowSyntaxError, parse, parse_expression

__all__ = ["FlowSyntaxError", "parse", "parse_expression"]
