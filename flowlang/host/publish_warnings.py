"""Warnings of Save & Merge that only the host can give, beside the checker's own (W1xx).

- H101: the source's `slug:` or `enabled:` setting differs from the flow's record. On the host the record
  wins (a run's flow is the record's slug; only the record's `enabled` toggle lets it run), so the
  setting would otherwise be ignored without a word.
- H102: `secret("NAME")` or `env("NAME")` (without a default) names a credential the project does not
  have: a run fails where it reads it. On the host both read the project's credentials.

`facts(project)` collects what they need while the bundle is loaded (bundle.check_bundle keeps it in
`Checked.facts`); `publish_warnings(facts, …)` turns it into diagnostics shaped like the checker's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flowlang import nodes
from flowlang.checker.traverse import expr_nodes, program_exprs
from flowlang.diagnostics import Span
from flowlang.loader import Project
from flowlang.systems import literal_string

NAME_BUILTINS = ("secret", "env")


@dataclass(frozen=True)
class NameUse:
    """A `secret("NAME")` or `env("NAME")` without a default."""

    builtin: str
    name: str
    span: Span


@dataclass(frozen=True)
class HeaderSetting:
    """A literal `slug:` or `enabled:` setting of the root file's flow."""

    key: str
    value: str | bool
    span: Span


@dataclass(frozen=True)
class Facts:
    names: tuple[NameUse, ...] = ()
    header: tuple[HeaderSetting, ...] = ()

    def relative(self, directory: str) -> Facts:
        """The same facts with files named by their project path (not the temporary directory)."""
        def rel(span: Span) -> Span:
            prefix = directory.rstrip("/") + "/"
            return span._replace(file=span.file[len(prefix):]) if span.file.startswith(prefix) else span
        return Facts(tuple(NameUse(u.builtin, u.name, rel(u.span)) for u in self.names),
                     tuple(HeaderSetting(h.key, h.value, rel(h.span)) for h in self.header))


def _name_use(node: nodes.Node) -> NameUse | None:
    if not isinstance(node, nodes.Call) or node.func not in NAME_BUILTINS or not node.args:
        return None
    if node.func == "env" and len(node.args) > 1:  # env("X", default) never fails
        return None
    first = node.args[0]
    name = literal_string(first.value)
    if name is None or first.name not in (None, "name"):
        return None
    return NameUse(node.func, name, node.span)


def facts(project: Project) -> Facts:
    """Every literal secret()/env() name of every loaded file, and the root flow's slug:/enabled:."""
    names: dict[str, NameUse] = {}
    for program in project.programs.values():
        for expr, _where in program_exprs(program):
            for node in expr_nodes(expr):
                use = _name_use(node)
                if use is not None:
                    names.setdefault(use.name, use)  # the first use of each name
    header: list[HeaderSetting] = []
    root = project.programs.get(project.root)
    if root is not None and len(root.flows) == 1:
        for setting in root.flows[0].settings:
            value = setting.value
            if setting.key == "slug" and literal_string(value) is not None:
                header.append(HeaderSetting("slug", str(literal_string(value)), value.span))
            elif setting.key == "enabled" and isinstance(value, nodes.Literal) and isinstance(value.value, bool):
                header.append(HeaderSetting("enabled", value.value, value.span))
    return Facts(tuple(names.values()), tuple(header))


def _warning(span: Span, code: str, message: str, hint: str) -> dict[str, Any]:
    return {"file": span.file, "line": span.line, "column": span.column, "end_line": span.end_line,
            "end_column": span.end_column, "severity": "warning", "code": code, "message": message,
            "hint": hint}


def _text(value: str | bool) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else f'"{value}"'


def publish_warnings(found: Facts, *, flow_id: str, slug: str, enabled: bool, project: str,
                     credentials: set[str]) -> list[dict[str, Any]]:
    """H101 for a setting the flow's record overrides, H102 for a credential the project lacks."""
    out: list[dict[str, Any]] = []
    record = {"slug": slug, "enabled": enabled}
    for setting in found.header:
        if setting.value == record[setting.key]:
            continue
        if setting.key == "slug":
            message = (f"slug: {_text(setting.value)} is not the slug of this flow on the host "
                       f"({_text(slug)}); the host uses the flow's record and ignores the setting")
            hint = (f"rename the flow (PUT /v2/flows/{flow_id} with data.slug {_text(setting.value)}), "
                    f"or write slug: {_text(slug)}")
        else:
            state = "enabled" if enabled else "disabled: pipes do not run it"
            message = (f"enabled: {_text(setting.value)} is ignored on the host: the flow's own enabled "
                       f"toggle ({_text(enabled)}, {state}) alone decides whether it runs")
            hint = (f"PUT /v2/flows/{flow_id} with data.enabled {_text(setting.value)} to match the source, "
                    "or remove the setting")
        out.append(_warning(setting.span, "H101", message, hint))
    for use in found.names:
        if use.name in credentials:
            continue
        message = (f'no credential {use.name} in project {project}: {use.builtin}("{use.name}") fails when a '
                   "run reads it")
        hint = f"store it: PUT /v2/credentials/{use.name}"
        if use.builtin == "env":
            hint += f' (or give a default: env("{use.name}", …))'
        out.append(_warning(use.span, "H102", message, hint))
    return out
