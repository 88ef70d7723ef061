"""Compilers of declarations: a project's funcs, flows and systems (settings evaluated at run start)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from typing import Any

from flowlang import nodes
from flowlang.interpreter.core import (
    RETURN,
    RETURNED,
    RUN,
    Ctx,
    Eval,
    Exec,
    Frame,
    FuncDef,
    compile_node,
    compiles,
    constant,
    where_of,
)
from flowlang.interpreter.statements import compile_Block
from flowlang.runtime.config import OperationConfig, SystemConfig, build_operation, build_system
from flowlang.runtime.errors import FlowError, Where


@dataclass
class CompiledFlow:
    """A flow ready to run: its metadata (settings as evaluated literals) and its compiled body."""

    name: str  # the identifier after `flow`
    title: str  # the `name:` setting, default the identifier
    slug: str
    file: str
    where: Where
    settings: dict[str, Any]
    body: Exec

    @property
    def enabled(self) -> bool:
        return self.settings.get("enabled", True) is not False

    def run(self, run: Any) -> Any:
        """Run the body against `run` (a runtime.context.Run); the value of `return e`, else null."""
        frame: Frame = {RUN: run}
        signal = self.body(frame)
        return frame.get(RETURNED) if signal is RETURN else None


@dataclass
class CompiledOperation:
    """An operation line (or an OpenAPI operation) whose options are evaluated at run start."""

    name: str
    method: str
    path: str
    where: Where
    options: tuple[tuple[str, Eval], ...]
    query_params: tuple[str, ...] = ()
    header_params: tuple[str, ...] = ()
    body_format: str | None = None
    form_styles: tuple[tuple[str, str, bool], ...] = ()

    def build(self, frame: Frame) -> OperationConfig:
        options = {key: value(frame) for key, value in self.options}
        return build_operation(
            self.name,
            self.method,
            self.path,
            options,
            query_params=self.query_params,
            header_params=self.header_params,
            body_format=self.body_format,
            form_styles=self.form_styles,
            where=self.where,
        )


@dataclass
class CompiledSystem:
    """A `system` block: settings and operations, turned into a SystemConfig when a run starts."""

    name: str
    settings: tuple[tuple[str, Eval, Where], ...]
    operations: dict[str, CompiledOperation] = field(default_factory=dict)

    def build(self, frame: Frame) -> SystemConfig:
        values: dict[str, Any] = {}
        locations: dict[str, Where] = {}
        for key, value, where in self.settings:
            values[key] = value(frame)
            locations[key] = where
        operations = [op.build(frame) for op in self.operations.values()]
        return build_system(self.name, values, operations, locations)


@dataclass
class CompiledProgram:
    """One file's systems, funcs and flows."""

    file: str
    systems: list[CompiledSystem]
    funcs: list[FuncDef]
    flows: list[CompiledFlow]


@compiles
def compile_Import(node: nodes.Import, ctx: Ctx) -> None:
    """import: "import" STRING  — the loader already read the file; its systems and funcs are global"""
    return None


@compiles
def compile_Setting(node: nodes.Setting, ctx: Ctx) -> tuple[str, Eval]:
    """setting: NAME ":" expr  — in settings, setting functions (bearer, page…) are callable"""
    if isinstance(node.value, nodes.Name) and node.value.name == "none":
        return node.key, constant(None)  # `auth: none`
    return node.key, compile_node(node.value, replace(ctx, settings=True))


@compiles
def compile_Operation(node: nodes.Operation, ctx: Ctx) -> CompiledOperation:
    """operation: VERB NAME STRING ["{" setting* "}"]"""
    options = tuple(compile_Setting(option, ctx) for option in node.options)
    return CompiledOperation(node.name, node.method.upper(), node.path, where_of(node), options)


@compiles
def compile_System(node: nodes.System, ctx: Ctx) -> CompiledSystem:
    """system: "system" NAME "{" setting* operation* "}"  — `spec:` operations come from the checker's model"""
    settings = tuple(
        (*compile_Setting(s, ctx), where_of(s.value)) for s in node.settings if s.key != "spec"
    )
    keys = {s.key for s in node.settings}
    spec = next((s for s in node.settings if s.key == "spec"), None)
    if spec is not None and "base_url" not in keys:
        settings += (("base_url", constant(_spec_base_url(spec)), where_of(spec.value)),)
    compiled = CompiledSystem(node.name, settings)
    for op in node.operations:
        compiled.operations[op.name] = compile_Operation(op, ctx)
    model = ctx.systems.get(node.name)
    if model is not None:
        for op_model in model.operations.values():
            if not op_model.from_spec:
                continue
            compiled.operations[op_model.name] = CompiledOperation(
                op_model.name,
                op_model.method,
                op_model.path,
                (op_model.span.file, op_model.span.line, op_model.span.column),
                tuple(compile_Setting(option, ctx) for option in op_model.options),
                tuple(op_model.query_params),
                tuple(op_model.header_params),
                op_model.body_format,
                op_model.form_styles,
            )
    return compiled


def _spec_base_url(spec: nodes.Setting) -> str | None:
    """The first server URL of a system's OpenAPI document: the default `base_url`."""
    from flowlang.openapi import spec_base_url
    from flowlang.systems import literal_string

    path = literal_string(spec.value)
    if path is None:
        return None
    return spec_base_url(os.path.normpath(os.path.join(os.path.dirname(spec.span.file), path)))


@compiles
def compile_Param(node: nodes.Param, ctx: Ctx) -> tuple[str, Eval | None]:
    """param: NAME ["=" expr]"""
    return node.name, compile_node(node.default, ctx) if node.default is not None else None


@compiles
def compile_Func(node: nodes.Func, ctx: Ctx) -> FuncDef:
    """func: "func" NAME "(" [param ("," param)*] ")" block  — one scope (a dict) per call"""
    func = ctx.funcs[node.name]
    inner = replace(ctx, params=frozenset(func.params))
    for param in node.params:
        name, default = compile_Param(param, inner)
        if default is not None:
            func.defaults[name] = default
    func.body = compile_Block(node.body, inner)
    return func


_FLOW_SETTINGS = ("name", "description", "slug", "enabled", "source", "schedule")


@compiles
def compile_Flow(node: nodes.Flow, ctx: Ctx) -> CompiledFlow:
    """flow: "flow" NAME "{" setting* statement* "}"  — settings are literals, read once here"""
    settings: dict[str, Any] = {}
    for setting in node.settings:
        key, value = compile_Setting(setting, ctx)
        try:
            settings[key] = value({RUN: None})
        except FlowError:
            settings[key] = None  # not a literal: the checker reports it
    title = settings.get("name")
    title = title if isinstance(title, str) and title else node.name
    slug = settings.get("slug")
    slug = slug if isinstance(slug, str) and slug else slugify(title, ctx)
    body = compile_Block(node.body, replace(ctx, outermost=True))
    return CompiledFlow(node.name, title, slug, node.span.file, where_of(node), settings, body)


def slugify(text: str, ctx: Ctx) -> str:
    """`Create Customers` -> `create-customers` (the default slug: the stdlib's slugify of the name)."""
    builtin = ctx.builtins.get("slugify")
    slug = builtin.fn(text) if builtin is not None else re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return str(slug) or "flow"


@compiles
def compile_Program(node: nodes.Program, ctx: Ctx) -> CompiledProgram:
    """start: (import | system | func | flow)*  — ctx.funcs already names every func of the project"""
    for imp in node.imports:
        compile_Import(imp, ctx)
    systems = [compile_System(s, ctx) for s in node.systems]
    funcs = [compile_Func(f, ctx) for f in node.funcs]
    flows = [compile_Flow(f, ctx) for f in node.flows]
    return CompiledProgram(node.file, systems, funcs, flows)


def declare_funcs(programs: list[nodes.Program]) -> dict[str, FuncDef]:
    """Every func of the project by name, before any body is compiled (so calls may recurse)."""
    funcs: dict[str, FuncDef] = {}
    for program in programs:
        for func in program.funcs:
            funcs.setdefault(func.name, FuncDef(func.name, tuple(p.name for p in func.params), where_of(func)))
    return funcs
