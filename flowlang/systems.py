"""The System / Operation model that the checker (and the engines) know, built from declarations and specs."""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from flowlang import nodes
from flowlang.diagnostics import ERROR, WARNING, Diagnostic, Span

# `{name}` in an operation path; anything between braces, so that bad names can be reported.
PATH_PARAM = re.compile(r"\{([^{}]*)\}")
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")
SYSTEM_SETTINGS = ("base_url", "auth", "headers", "timeout", "retry", "backoff", "max_wait", "rate_limit", "spec")
OPERATION_OPTIONS = (
    "items", "paginate", "retry", "timeout", "idempotent", "max_pages", "body_format", "idempotency_key",
    "safe",
)
BODY_FORMATS = ("json", "form", "multipart")
# Named arguments every API call accepts besides path (and spec) parameters.
CALL_ARGUMENTS = ("query", "body", "headers")

# The setting functions: name -> parameters in order as (name, required). Mirrors runtime/config.py.
AUTH_FUNCTIONS: dict[str, tuple[tuple[str, bool], ...]] = {
    "none": (),
    "bearer": (("token", True),),
    "basic": (("user", True), ("password", True)),
    "api_key": (("name", True), ("value", True), ("in", False)),
    "oauth2": (("token_url", True), ("client_id", True), ("client_secret", True), ("scope", False)),
}
PAGINATION_FUNCTIONS: dict[str, tuple[tuple[str, bool], ...]] = {
    "page": (("param", True), ("start", False), ("size_param", False), ("size", False)),
    "offset": (("param", True), ("limit_param", True), ("limit", True)),
    "cursor": (("param", True), ("from", True)),
    "after_last": (("param", True), ("key", False), ("has_more", False)),
    "next_link": (("from", True),),
    "link_header": (),
}
# Where `idempotency_key:` sends each call's key.
KEY_FUNCTIONS: dict[str, tuple[tuple[str, bool], ...]] = {"header": (("name", True),), "query": (("name", True),),
                                                          "body": (("name", True),)}
SETTING_FUNCTIONS = {**AUTH_FUNCTIONS, **PAGINATION_FUNCTIONS, **KEY_FUNCTIONS}


@dataclass
class OperationModel:
    """One callable operation: declared (`VERB name "path" {…}`) or from an OpenAPI document."""

    system: str
    name: str
    method: str
    path: str
    span: Span
    path_params: tuple[str, ...] = ()
    query_params: tuple[str, ...] = ()
    header_params: tuple[str, ...] = ()
    required_params: tuple[str, ...] = ()  # required query/header parameters (path ones always are)
    body_required: bool = False
    has_items: bool = False
    request_schema: Any = None  # None for declared operations
    response_schema: Any = None
    options: tuple[nodes.Setting, ...] = ()
    from_spec: bool = False
    body_format: str | None = None  # from the document's request body: "json", "form" or "multipart"
    form_styles: tuple[tuple[str, str, bool], ...] = ()  # its form `encoding`: (property, style, explode)
    summary: str = ""  # the OpenAPI `summary` (declared operations have none)

    @property
    def argument_names(self) -> tuple[str, ...]:
        """Every named argument `call system.op(…)` accepts."""
        keyed = ("idempotency_key",) if self.option("idempotency_key") is not None else ()
        return (*self.path_params, *CALL_ARGUMENTS, *keyed, *self.query_params, *self.header_params)

    def option(self, key: str) -> nodes.Setting | None:
        return next((s for s in self.options if s.key == key), None)


@dataclass
class SystemModel:
    """A `system` block: its settings as written, and its operations by name."""

    name: str
    span: Span
    file: str
    settings: dict[str, nodes.Setting] = field(default_factory=dict)
    operations: dict[str, OperationModel] = field(default_factory=dict)
    spec: str | None = None  # the `spec:` path as written
    # False when a `spec:` document could not be read: its operations are unknown, so calls are not checked.
    complete: bool = True

    def setting(self, key: str) -> nodes.Setting | None:
        return self.settings.get(key)


def path_parameters(path: str) -> tuple[str, ...]:
    """The `{name}` parameters of an operation path, in order, without repeats."""
    seen: dict[str, None] = {}
    for match in PATH_PARAM.finditer(path):
        seen.setdefault(match.group(1).strip(), None)
    return tuple(seen)


def literal_string(expr: nodes.Node | None) -> str | None:
    """The text of a string literal without interpolation, else None."""
    if isinstance(expr, nodes.String) and all(isinstance(p, str) for p in expr.parts):
        return "".join(p for p in expr.parts if isinstance(p, str))
    return None


def operation_from_declaration(system: str, decl: nodes.Operation) -> OperationModel:
    options = decl.options
    return OperationModel(
        system=system,
        name=decl.name,
        method=decl.method.upper(),
        path=decl.path,
        span=decl.name_span,
        path_params=path_parameters(decl.path),
        has_items=any(s.key == "items" for s in options),
        options=options,
    )


def merge_declared(spec_op: OperationModel, decl: nodes.Operation) -> OperationModel:
    """An operation line naming a spec operation adds its options (items, paginate, retry…) to it."""
    options = spec_op.options + decl.options
    return replace(
        spec_op,
        options=options,
        has_items=spec_op.has_items or any(s.key == "items" for s in decl.options),
    )


def spec_operations(
    system: str, spec_path: str, span: Span
) -> tuple[list[OperationModel], list[Diagnostic]] | None:
    """The operations of the OpenAPI document at `spec_path` as models, and its problems at `span`.

    `span` is the `spec:` string's. A document that cannot be used gives no operations and one
    diagnostic (E300–E302). `flowlang.openapi` is imported on first use (it needs yaml); None when
    it is not installed (spec calls unchecked). The dependency points one way: openapi knows no models.
    """
    try:
        openapi = importlib.import_module("flowlang.openapi")
    except ImportError:
        return None
    load_spec = getattr(openapi, "load_spec", None)
    if load_spec is None:
        return None
    try:
        spec = load_spec(spec_path)
    except openapi.SpecError as exc:
        return [], [Diagnostic(exc.code, ERROR, exc.message, span)]
    diags = [
        Diagnostic(p.code, ERROR if p.code.startswith("E") else WARNING, p.message, span)
        for p in spec.problems
    ]
    models = []
    for op in spec.operations.values():
        successes = op.success_schemas
        models.append(OperationModel(
            system=system,
            name=op.name,
            method=op.method,
            path=op.call_path,
            span=span,
            path_params=tuple(p.arg_name for p in op.params_in("path")),
            query_params=op.query_params,
            header_params=op.header_params,
            required_params=tuple(p.name for p in op.params if p.required and p.location != "path"),
            body_required=op.body_required,
            request_schema=op.body_schema,
            response_schema=successes[0] if len(successes) == 1 else ({"anyOf": successes} if successes else None),
            from_spec=True,
            body_format=op.body_format,
            form_styles=op.form_styles,
            summary=op.summary,
        ))
    return models, diags


def build_system(decl: nodes.System, file: str) -> tuple[SystemModel, list[Diagnostic]]:
    """The model of one `system` block; its spec operations first, then its operation lines."""
    model = SystemModel(decl.name, decl.name_span, file)
    diagnostics: list[Diagnostic] = []
    for setting in decl.settings:
        model.settings.setdefault(setting.key, setting)
    spec_setting = model.settings.get("spec")
    spec = literal_string(spec_setting.value) if spec_setting else None
    if spec_setting is not None and spec is not None:
        model.spec = spec
        path = os.path.normpath(os.path.join(os.path.dirname(file), spec))
        loaded = spec_operations(decl.name, path, spec_setting.value.span)
        if loaded is None:
            model.complete = False
        else:
            operations, problems = loaded
            diagnostics.extend(problems)
            if problems and not operations:
                model.complete = False
            for op in operations:
                model.operations.setdefault(op.name, op)
    elif spec_setting is not None:
        model.complete = False
    for op_decl in decl.operations:
        existing = model.operations.get(op_decl.name)
        if existing is None:
            model.operations[op_decl.name] = operation_from_declaration(decl.name, op_decl)
        elif existing.from_spec:
            model.operations[op_decl.name] = merge_declared(existing, op_decl)
    return model, diagnostics


def build_systems(programs: Iterable[nodes.Program]) -> tuple[dict[str, SystemModel], list[Diagnostic]]:
    """Every system of a project by name (the first declaration wins; duplicates are the checker's)."""
    systems: dict[str, SystemModel] = {}
    diagnostics: list[Diagnostic] = []
    for program in programs:
        for decl in program.systems:
            if decl.name in systems:
                continue
            model, problems = build_system(decl, program.file)
            systems[decl.name] = model
            diagnostics.extend(problems)
    return systems, diagnostics
