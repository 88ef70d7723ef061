"""`flowlang fmt`: one canonical layout for .flow files, lossless (comments kept, same AST) and idempotent."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from flowlang import nodes
from flowlang.diagnostics import Diagnostic, FlowSyntaxError
from flowlang.syntax import parse
from flowlang.tools.fmt_layout import WIDTH, layout
from flowlang.tools.fmt_tree import build

__all__ = ["WIDTH", "FormatError", "Formatted", "format_file", "format_text", "same_ast"]

_SPAN = re.compile(r" @\d+:\d+-\d+:\d+$", re.M)
_BOM = "\ufeff"


class FormatError(Exception):
    """The layout would change what the file means: a bug in the formatter; the file is left alone."""


@dataclass
class Formatted:
    """The result of formatting one text: the new text, or the syntax errors that stopped it."""

    path: str
    old: str
    new: str
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return not self.diagnostics and self.new != self.old

    def diff(self) -> str:
        """A unified diff from the old text to the new."""
        return "".join(difflib.unified_diff(
            self.old.splitlines(keepends=True), self.new.splitlines(keepends=True),
            fromfile=f"{self.path} (original)", tofile=f"{self.path} (formatted)",
        ))


def shape(text: str, path: str) -> str:
    """The AST of `text` as text, without positions (what formatting must not change)."""
    return _SPAN.sub("", nodes.dump(parse(text, path)))


def same_ast(a: str, b: str, path: str = "<fmt>") -> bool:
    """Whether two texts parse to the same AST, spans aside."""
    return shape(a, path) == shape(b, path)


def format_text(text: str, path: str = "<fmt>") -> Formatted:
    """Format one file's text; a text with syntax errors comes back unchanged, with its diagnostics."""
    bom = _BOM if text.startswith(_BOM) else ""
    body = text.removeprefix(_BOM)
    try:
        before = _SPAN.sub("", nodes.dump(parse(body, path)))
    except FlowSyntaxError as error:
        return Formatted(path, text, text, list(error.diagnostics))
    new = layout(build(body))
    try:
        after = _SPAN.sub("", nodes.dump(parse(new, path)))
    except FlowSyntaxError as error:
        raise FormatError(f"{path}: the formatted text does not parse: {error}") from None
    if after != before:
        raise FormatError(f"{path}: the formatted text would parse to another program")
    return Formatted(path, text, bom + new)


def format_file(path: Path) -> Formatted:
    """Format a file's text (the caller writes it back); OSError and UnicodeDecodeError pass through."""
    from flowlang.loader import read_limited

    text = read_limited(str(path)).decode("utf-8")  # a FIFO or /dev/zero is refused, never waited on
    return format_text(text, str(path))
