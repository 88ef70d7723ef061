"""Hover, go-to-definition, references, rename, document symbols, diagnostics and quick fixes, as LSP types.

Positions: the front end counts 1-based lines and columns in code points; LSP counts from 0, in UTF-16
code units. `to_lsp` and `from_lsp` convert with the line's text.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from lsprotocol import types as lsp

from flowlang import nodes
from flowlang.diagnostics import Diagnostic, Span
from flowlang.systems import OperationModel
from flowlang.tools.lsp.analysis import Analysis
from flowlang.tools.lsp.builtin_docs import STDLIB_MD, builtin_docs
from flowlang.tools.lsp.index import Occurrence

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_DID_YOU_MEAN = re.compile(r"did you mean '([^']+)'\?")
RENAMABLE = ("variable", "parameter", "func")


def uri_of(path: str) -> str:
    return Path(path).resolve().as_uri()


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def to_lsp(lines: list[str], line: int, column: int) -> lsp.Position:
    """A 1-based (line, code-point column) as an LSP position."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return lsp.Position(max(line - 1, 0), _utf16(text[: max(column - 1, 0)]))


def from_lsp(lines: list[str], position: lsp.Position) -> tuple[int, int]:
    """An LSP position as 1-based (line, code-point column)."""
    text = lines[position.line] if position.line < len(lines) else ""
    units, column = 0, 0
    while column < len(text) and units < position.character:
        units += 2 if ord(text[column]) > 0xFFFF else 1
        column += 1
    return position.line + 1, column + 1


def range_of(lines: list[str], span: Span) -> lsp.Range:
    return lsp.Range(to_lsp(lines, span.line, span.column), to_lsp(lines, span.end_line, span.end_column))


class Texts:
    """Source lines per file: the analysed buffers, else the loaded sources, else the disk."""

    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis
        self.cache: dict[str, list[str]] = {}

    def lines(self, file: str) -> list[str]:
        if file not in self.cache:
            text = self.analysis.project.sources.get(file)
            if text is None:
                try:
                    text = Path(file).read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError):
                    text = ""
            self.cache[file] = text.split("\n")
        return self.cache[file]

    def location(self, span: Span) -> lsp.Location:
        return lsp.Location(uri_of(span.file), range_of(self.lines(span.file), span))


# ------------------------------------------------------------------ diagnostics and quick fixes


def lsp_diagnostic(lines: list[str], diag: Diagnostic) -> lsp.Diagnostic:
    severity = lsp.DiagnosticSeverity.Error if diag.is_error else lsp.DiagnosticSeverity.Warning
    message = diag.message + (f"\nhint: {diag.hint}" if diag.hint else "")
    data = None
    match = _DID_YOU_MEAN.search(diag.hint or "")
    if match:
        data = {"replacement": match.group(1)}
    return lsp.Diagnostic(range_of(lines, diag.span), message, severity=severity, code=diag.code,
                          source="flowlang", data=data)


def diagnostics_by_file(analysis: Analysis) -> dict[str, list[lsp.Diagnostic]]:
    """Every diagnostic of the analysis, as `flowlang check` reports them, grouped by the file they are in."""
    texts = Texts(analysis)
    grouped: dict[str, list[lsp.Diagnostic]] = {}
    for diag in analysis.diagnostics:
        file = os.path.abspath(diag.span.file)
        grouped.setdefault(file, []).append(lsp_diagnostic(texts.lines(diag.span.file), diag))
    return grouped


def quick_fixes(uri: str, lines: list[str], diagnostics: Sequence[lsp.Diagnostic]) -> list[lsp.CodeAction]:
    """One "replace with …" fix per diagnostic whose hint asks "did you mean '…'?"."""
    actions = []
    for diag in diagnostics:
        data = diag.data if isinstance(diag.data, dict) else {}
        replacement = data.get("replacement")
        if replacement is None:
            match = _DID_YOU_MEAN.search(diag.message)
            replacement = match.group(1) if match else None
        if not replacement:
            continue
        r = diag.range
        current = lines[r.start.line][r.start.character : r.end.character] if r.start.line == r.end.line \
            and r.start.line < len(lines) else ""
        if "." in replacement and "." not in current:
            replacement = replacement.rsplit(".", 1)[1]
        edit = lsp.WorkspaceEdit(changes={uri: [lsp.TextEdit(r, replacement)]})
        actions.append(lsp.CodeAction(f"Replace with '{replacement}'", kind=lsp.CodeActionKind.QuickFix,
                                      diagnostics=[diag], edit=edit, is_preferred=True))
    return actions


# ------------------------------------------------------------------ hover


def _operation(analysis: Analysis, key: str) -> OperationModel | None:
    system, _, name = key.removeprefix("op:").partition(".")
    model = analysis.systems.get(system)
    return model.operations.get(name) if model else None


def describe_operation(op: OperationModel) -> str:
    out = [f"```\n{op.method} {op.system}.{op.name} \"{op.path}\"\n```"]
    if op.summary:
        out.append(op.summary)
    params = [f"- `{p}` (path, required)" for p in op.path_params]
    params += [f"- `query.{p}`" + (" (required)" if p in op.required_params else "") for p in op.query_params]
    params += [f"- `headers.{p}`" + (" (required)" if p in op.required_params else "") for p in op.header_params]
    if op.body_required:
        params.append("- `body` (required)")
    if params:
        out.append("Parameters:\n" + "\n".join(params))
    if op.has_items:
        out.append("`each` iterates its records (it has `items`).")
    return "\n\n".join(out)


def _comments_above(lines: list[str], line: int) -> str:
    found = []
    n = line - 2
    while n >= 0 and lines[n].lstrip().startswith("#"):
        found.append(lines[n].lstrip()[1:].strip())
        n -= 1
    return "\n".join(reversed(found))


def _source_of(lines: list[str], span: Span) -> str:
    return lines[span.line - 1].strip() if 0 < span.line <= len(lines) else ""


def hover_text(analysis: Analysis, occ: Occurrence) -> str | None:
    texts = Texts(analysis)
    if occ.kind == "builtin":
        return builtin_docs().get(occ.name)
    if occ.kind == "operation":
        op = _operation(analysis, occ.key)
        return describe_operation(op) if op else None
    if occ.kind == "import":
        target = occ.key.removeprefix("import:")
        loaded = target in analysis.project.programs
        return f"import `{target}`" + ("" if loaded else " (not loaded)")
    definition = analysis.definition_of(occ.key)
    if definition is None:
        return None
    lines = texts.lines(definition.span.file)
    where = f"{os.path.basename(definition.span.file)}:{definition.span.line}"
    code = _source_of(lines, definition.span)
    doc = _comments_above(lines, definition.span.line) if occ.kind in ("func", "system", "flow") else ""
    if occ.kind == "system":
        model = analysis.systems.get(occ.name)
        count = len(model.operations) if model else 0
        spec = f", from `{model.spec}`" if model and model.spec else ""
        head = f"system `{occ.name}`: {count} operation{'' if count == 1 else 's'}{spec}"
    else:
        head = f"{occ.kind} `{occ.name}`"
    parts = [head, f"```flow\n{code}\n```", f"defined at {where}"]
    if doc:
        parts.insert(1, doc)
    return "\n\n".join(parts)


# ------------------------------------------------------------------ definition, references, rename


def _spec_location(analysis: Analysis, op: OperationModel) -> lsp.Location | None:
    model = analysis.systems.get(op.system)
    if model is None or model.spec is None:
        return None
    path = os.path.normpath(os.path.join(os.path.dirname(model.file), model.spec))
    try:
        lines = Path(path).read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        return None
    from flowlang.openapi import snake_case

    line = 0
    for n, text in enumerate(lines):
        m = re.match(r"\s*\"?operationId\"?\s*:\s*\"?([\w.-]+)", text)
        if m and op.name in (m.group(1), snake_case(m.group(1))):
            line = n
            break
    start = lsp.Position(line, 0)
    return lsp.Location(uri_of(path), lsp.Range(start, start))


def definition(analysis: Analysis, occ: Occurrence) -> list[lsp.Location]:
    texts = Texts(analysis)
    if occ.kind == "import":
        start = lsp.Position(0, 0)
        return [lsp.Location(uri_of(occ.key.removeprefix("import:")), lsp.Range(start, start))]
    if occ.kind == "builtin":
        lines = texts.lines(str(STDLIB_MD))
        n = next((i for i, t in enumerate(lines) if t == f"### {occ.name}"), None)
        if n is None:
            return []
        return [lsp.Location(uri_of(str(STDLIB_MD)), lsp.Range(lsp.Position(n, 4), lsp.Position(n, 4 + len(occ.name))))]
    found = analysis.definition_of(occ.key)
    if found is not None:
        return [texts.location(found.span)]
    if occ.kind == "operation":
        op = _operation(analysis, occ.key)
        spec = _spec_location(analysis, op) if op else None
        return [spec] if spec else []
    return []


def references(analysis: Analysis, occ: Occurrence, include_declaration: bool) -> list[lsp.Location]:
    texts = Texts(analysis)
    return [texts.location(o.span) for o in analysis.references(occ.key) if include_declaration or not o.definition]


def rename(analysis: Analysis, occ: Occurrence, new_name: str) -> lsp.WorkspaceEdit:
    """Edits renaming a variable, parameter or func everywhere; ValueError for other names or bad names."""
    from flowlang.syntax.lalr import load_tables

    if occ.kind not in RENAMABLE:
        raise ValueError(f"only variables, parameters and funcs can be renamed, not a {occ.kind}")
    if not _IDENTIFIER.match(new_name) or new_name in load_tables().data["keywords"]:
        raise ValueError(f"'{new_name}' is not a name")
    if occ.kind == "func" and new_name in builtin_docs():
        raise ValueError(f"'{new_name}' is a builtin")
    texts = Texts(analysis)
    changes: dict[str, list[lsp.TextEdit]] = {}
    for o in analysis.references(occ.key):
        changes.setdefault(uri_of(o.span.file), []).append(
            lsp.TextEdit(range_of(texts.lines(o.span.file), o.span), new_name))
    return lsp.WorkspaceEdit(changes=changes)


# ------------------------------------------------------------------ document symbols


def document_symbols(lines: list[str], program: nodes.Program) -> list[lsp.DocumentSymbol]:
    def symbol(name: str, kind: lsp.SymbolKind, span: Span, name_span: Span, detail: str = "",
               children: list[lsp.DocumentSymbol] | None = None) -> lsp.DocumentSymbol:
        return lsp.DocumentSymbol(name, kind, range_of(lines, span), range_of(lines, name_span), detail=detail,
                                  children=children or None)

    found = []
    for system in program.systems:
        ops = [symbol(op.name, lsp.SymbolKind.Method, op.span, op.name_span, f"{op.method} {op.path}")
               for op in system.operations]
        found.append(symbol(system.name, lsp.SymbolKind.Module, system.span, system.name_span, "system", ops))
    for func in program.funcs:
        params = ", ".join(p.name for p in func.params)
        found.append(symbol(func.name, lsp.SymbolKind.Function, func.span, func.name_span, f"func({params})"))
    for flow in program.flows:
        found.append(symbol(flow.name, lsp.SymbolKind.Event, flow.span, flow.name_span, "flow"))
    for test in program.tests:
        found.append(symbol(test.name, lsp.SymbolKind.Class, test.span, test.name_span, "test"))
    return sorted(found, key=lambda s: (s.range.start.line, s.range.start.character))
