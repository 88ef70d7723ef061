"""Positions in a text by what is written there, for the language server tests."""

from __future__ import annotations

from typing import Any


def position(text: str, needle: str, offset: int = 0, nth: int = 0) -> dict[str, int]:
    """The LSP position of the `nth` occurrence of `needle` in `text`, `offset` characters in."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    at += offset
    line = text.count("\n", 0, at)
    return {"line": line, "character": at - (text.rfind("\n", 0, at) + 1)}


def at(uri: str, text: str, needle: str, offset: int = 0, nth: int = 0) -> dict[str, Any]:
    """textDocument + position params."""
    return {"textDocument": {"uri": uri}, "position": position(text, needle, offset, nth)}
