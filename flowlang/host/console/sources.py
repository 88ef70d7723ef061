"""A flow's stored source as the console shows it: numbered lines, its diagnostics, its flowchart.

The text is parsed as one file named after the flow's slug. Syntax highlighting comes from one function,
`highlight_line`, so that the editor's highlighter can replace the plain escaped text in one line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup, escape

from flowlang.checker import check
from flowlang.diagnostics import Diagnostic, FlowSyntaxError, render_all_text
from flowlang.loader import Project
from flowlang.syntax.parser import parse
from flowlang.tools.graph import Badge, GraphError, build_graph, render_svg


def highlight_line(text: str) -> Markup:
    """One source line as safe HTML (plain escaped text until flowlang/tools/highlight.py is on main)."""
    return Markup(escape(text))


@dataclass
class Line:
    number: int
    html: Markup
    problems: list[Diagnostic] = field(default_factory=list)


@dataclass
class Draft:
    """What the console knows about one source text: its lines, diagnostics and (when it parses) project."""

    file: str
    text: str
    project: Project | None
    diagnostics: list[Diagnostic]

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.is_error)

    def report(self) -> str:
        """The diagnostics exactly as `flowlang check` prints them."""
        return render_all_text(self.diagnostics, {self.file: self.text})

    def lines(self) -> list[Line]:
        lines = [Line(n, highlight_line(t)) for n, t in enumerate(self.text.split("\n"), start=1)]
        for diag in self.diagnostics:
            if diag.span.file == self.file and 0 < diag.span.line <= len(lines):
                lines[diag.span.line - 1].problems.append(diag)
        return lines


def read_draft(slug: str, text: str | None) -> Draft:
    """Parse and check `text` as the file `<slug>.flow` (imports are not available to it here)."""
    file = f"{slug}.flow"
    text = text or ""
    try:
        program = parse(text, file)
    except FlowSyntaxError as exc:
        return Draft(file, text, None, sorted(exc.diagnostics, key=lambda d: d.sort_key()))
    project = Project(root=file, programs={file: program}, sources={file: text})
    return Draft(file, text, project, sorted(check(project), key=lambda d: d.sort_key()))


def flowchart(draft: Draft, flow: str | None = None, badges: dict[str, Badge] | None = None) -> tuple[Markup | None, str]:
    """The SVG of the draft's flow (console-made, every label escaped), or None and the reason."""
    if draft.project is None:
        return None, "the source has syntax errors: fix them to see its flowchart"
    if not draft.project.programs[draft.file].flows:
        return None, "the source declares no flow yet"
    try:
        graph = build_graph(draft.project, flow if flow else None)
    except GraphError as exc:
        return None, str(exc)
    return Markup(render_svg(graph, badges=badges)), ""
