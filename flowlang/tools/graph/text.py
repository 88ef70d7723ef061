"""Label text taken from a flow's source: one-line snippets of spans, and compact call forms."""

from __future__ import annotations

import re

from flowlang import nodes
from flowlang.diagnostics import Span

LIMIT = 48  # characters of one label line; longer text ends in "…"
_SPACE = re.compile(r"\s+")


def clip(text: str, limit: int = LIMIT) -> str:
    """`text` on one line, whitespace collapsed, cut to `limit` characters with an ellipsis."""
    flat = _SPACE.sub(" ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


class SourceText:
    """The lines of each source file of a project, to cut label text out of by span."""

    def __init__(self, sources: dict[str, str]) -> None:
        self._lines = {name: text.split("\n") for name, text in sources.items()}

    def span(self, span: Span, limit: int = LIMIT) -> str:
        """The source text of `span`, on one line; a span over several lines shows its first and `…`."""
        lines = self._lines.get(span.file)
        if not lines or not 0 < span.line <= len(lines):
            return ""
        first = lines[span.line - 1]
        if span.end_line == span.line:
            return clip(first[span.column - 1 : span.end_column - 1], limit)
        return clip(first[span.column - 1 :] + " …", limit)

    def between(self, start: Span, end: Span, limit: int = LIMIT) -> str:
        """The text from the start of `start` up to (not including) the start of `end`."""
        lines = self._lines.get(start.file)
        if not lines or not 0 < start.line <= len(lines):
            return ""
        if end.line != start.line:
            return clip(lines[start.line - 1][start.column - 1 :], limit)
        return clip(lines[start.line - 1][start.column - 1 : end.column - 1], limit)


def arguments(args: tuple[nodes.Arg, ...]) -> str:
    """Call arguments as `name: …` for named ones and `…` for positional ones."""
    return ", ".join(f"{a.name}: …" if a.name else "…" for a in args)


def api_call(call: nodes.ApiCall) -> str:
    """`call erp.create_order(body: …)`: the call without its argument values."""
    return f"{call.mode} {call.system}.{call.operation}({arguments(call.args)})"


def expression(src: SourceText, expr: nodes.Node, limit: int = LIMIT) -> str:
    """An expression as written, with an API call's argument values left out."""
    if isinstance(expr, nodes.ApiCall):
        return clip(api_call(expr), limit)
    if isinstance(expr, nodes.ObjectLit) and expr.span.end_line != expr.span.line:
        return clip("{" + ", ".join(e.key for e in expr.entries) + "}", limit)  # the keys of a long object
    return src.span(expr.span, limit)
