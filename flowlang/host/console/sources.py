"""A flow's source as the console shows it: highlighted numbered lines, its diagnostics, its flowchart.

The text is loaded as the file `<slug>.flow` of a bundle holding the project's shared files (or a
version's copy of them), exactly as Save & Merge checks it (`flowlang.host.bundle`): a flow that imports
`lib/money.flow` is checked and drawn with it. Files are named by their path in the project, never by the
temporary directory they were laid out in. Highlighting is `flowlang.tools.highlight`'s.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field

from markupsafe import Markup

from flowlang.checker import check
from flowlang.diagnostics import Diagnostic, render_all_text
from flowlang.host.bundle import materialized, root_name
from flowlang.loader import load_project
from flowlang.tools.graph import Badge, Graph, GraphError, build_graph, render_svg
from flowlang.tools.highlight import highlight_lines


@dataclass
class Line:
    number: int
    html: Markup
    problems: list[Diagnostic] = field(default_factory=list)


@dataclass
class Draft:
    """One source text as the console knows it: diagnostics, and (when it parses) its flowchart's SVG."""

    file: str
    text: str
    diagnostics: list[Diagnostic]
    sources: dict[str, str]  # every file loaded (the root and what it imports), by project path
    chart: str | None  # the SVG (without run counts), None when there is none
    chart_note: str  # why there is no chart
    _graph: object = None

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.is_error)

    def report(self) -> str:
        """The diagnostics exactly as `flowlang check` prints them."""
        return render_all_text(self.diagnostics, self.sources)

    def lines(self) -> list[Line]:
        shown = highlight_lines(self.text)
        if len(shown) > 1 and self.text.endswith("\n"):
            shown.pop()  # the final newline ends the last line; it does not start another
        lines = [Line(n, Markup(html)) for n, html in enumerate(shown, start=1)]
        for diag in self.diagnostics:
            if diag.span.file == self.file and 0 < diag.span.line <= len(lines):
                lines[diag.span.line - 1].problems.append(diag)
        return lines

    def flowchart(self, badges: dict[str, Badge] | None = None) -> Markup | None:
        """The SVG (console-made, every label escaped by the renderer), with run counts when given."""
        if self._graph is None:
            return None
        if not badges:
            return Markup(self.chart)
        return Markup(self._relative(render_svg(self._graph, badges=badges)))  # type: ignore[arg-type]

    def run_badges(self, records: list[object]) -> dict[str, Badge]:
        """The badges of a run's per-location counts (`counts` of the run's record) on this chart."""
        from flowlang.host.console.counts import node_badges

        return node_badges(self._graph, records, self._prefix) if isinstance(self._graph, Graph) else {}

    def node_lines(self) -> dict[str, tuple[str, int, str]]:
        """Node id -> (file, line, kind) of every node of the chart."""
        found: dict[str, tuple[str, int, str]] = {}
        if self._graph is not None:
            _collect(self._graph, found)
        return {k: (self._strip(f), n, kind) for k, (f, n, kind) in found.items()}

    _prefix: str = ""

    def _strip(self, text: str) -> str:
        return text.replace(self._prefix, "") if self._prefix else text

    def _relative(self, svg: str) -> str:
        return self._strip(svg)


def _collect(value: object, found: dict[str, tuple[str, int, str]]) -> None:
    """Walk the graph model (dataclasses of nodes, sequences and containers) for its nodes."""
    from flowlang.tools.graph.model import Node

    if isinstance(value, Node):
        found[value.id] = (value.file, value.line, value.kind)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _collect(item, found)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            _collect(getattr(value, f.name), found)


def _relative_diag(diag: Diagnostic, prefix: str) -> Diagnostic:
    span = diag.span._replace(file=diag.span.file.removeprefix(prefix))
    message = diag.message.replace(prefix, "")
    hint = diag.hint.replace(prefix, "") if diag.hint else diag.hint
    return dataclasses.replace(diag, span=span, message=message, hint=hint)


def read_draft(slug: str, text: str | None, files: dict[str, str] | None = None,
               flow: str | None = None) -> Draft:
    """Load and check `text` as `<slug>.flow` beside `files` (shared files: path -> text), and chart it."""
    root = root_name(slug)
    text = text or ""
    with materialized(root, text, files or {}) as path:
        prefix = os.path.dirname(path) + os.sep
        project = load_project(path)
        diagnostics = sorted((_relative_diag(d, prefix) for d in check(project)), key=lambda d: d.sort_key())
        sources = {p.removeprefix(prefix): t for p, t in project.sources.items()}
        program = project.programs.get(project.root)
        graph, note = None, ""
        if program is None:
            note = "the source has syntax errors: fix them to see its flowchart"
        elif not program.flows:
            note = "the source declares no flow yet"
        else:
            try:
                graph = build_graph(project, flow)
            except GraphError as exc:
                note = str(exc).replace(prefix, "")
    draft = Draft(root, text, diagnostics, sources, None, note, graph, prefix)
    if graph is not None:
        draft.chart = draft._relative(render_svg(graph))
    return draft
