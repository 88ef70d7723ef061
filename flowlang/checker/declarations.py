"""Declarations: duplicate flows, slugs, systems, funcs, operations and parameters across a project."""

from __future__ import annotations

import re
import unicodedata

from flowlang import nodes
from flowlang.checker.context import Context
from flowlang.diagnostics import Span
from flowlang.systems import SETTING_FUNCTIONS, literal_string


def slugify(text: str) -> str:
    """Lowercase ASCII words joined by '-', as the stdlib's slugify (a test holds them equal)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def flow_slug(ctx: Context, flow: nodes.Flow) -> tuple[str, Span]:
    """A flow's slug as the engines compute it, and where it comes from: `slug:`, else the slugified
    `name:`, else the slugified identifier ("flow" when nothing is left)."""
    settings = {s.key: s for s in flow.settings}
    slug_setting = settings.get("slug")
    slug = literal_string(slug_setting.value) if slug_setting else None
    if slug_setting is not None and slug:
        return slug, slug_setting.value.span
    name_setting = settings.get("name")
    title = literal_string(name_setting.value) if name_setting else None
    span = name_setting.value.span if name_setting is not None and title else flow.name_span
    return slugify(title or flow.name) or "flow", span


class Declarations:
    """First declarations seen, by kind, for duplicate reports that point at the first one."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.first: dict[str, dict[str, Span]] = {"flow": {}, "slug": {}, "system": {}, "func": {}}

    def claim(self, kind: str, name: str, span: Span, code: str) -> None:
        first = self.first[kind].get(name)
        if first is None:
            self.first[kind][name] = span
            return
        where = f"line {first.line}" if first.file == span.file else f"{first.file}:{first.line}"
        self.ctx.report(code, f"duplicate {kind} '{name}'", span, f"first declared at {where}")

    def program(self, program: nodes.Program) -> None:
        for system in program.systems:
            self.claim("system", system.name, system.name_span, "E112")
            self.operations(system)
        for func in program.funcs:
            self.claim("func", func.name, func.name_span, "E113")
            if func.name in self.ctx.builtins or func.name in SETTING_FUNCTIONS:
                self.ctx.report("E118", f"func '{func.name}' has the name of a builtin", func.name_span,
                                "choose another name; builtins cannot be redefined")
            self.params(func)
        for flow in program.flows:
            self.claim("flow", flow.name, flow.name_span, "E110")
            slug, span = flow_slug(self.ctx, flow)
            first = self.first["slug"].get(slug)
            if first is None:
                self.first["slug"][slug] = span
            else:
                where = f"line {first.line}" if first.file == span.file else f"{first.file}:{first.line}"
                self.ctx.report("E111", f"flow slug '{slug}' is already used", span,
                                f"by the flow at {where}; set a distinct `slug:`")

    def operations(self, system: nodes.System) -> None:
        seen: dict[str, Span] = {}
        for op in system.operations:
            if op.name in seen:
                self.ctx.report("E114", f"duplicate operation '{op.name}' in system '{system.name}'",
                                op.name_span, f"first declared at line {seen[op.name].line}")
            else:
                seen[op.name] = op.name_span

    def params(self, func: nodes.Func) -> None:
        seen: set[str] = set()
        required_after_default = False
        for param in func.params:
            if param.name in seen:
                self.ctx.report("E116", f"duplicate parameter '{param.name}' in func '{func.name}'", param.span)
            seen.add(param.name)
            if param.default is not None:
                required_after_default = True
            elif required_after_default:
                self.ctx.report("E119", f"parameter '{param.name}' without a default follows one with a "
                                "default", param.span, "put parameters with defaults last")


def check_declarations(ctx: Context) -> None:
    declarations = Declarations(ctx)
    for program in ctx.project.programs.values():
        declarations.program(program)
