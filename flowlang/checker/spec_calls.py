"""Checker pass: calls checked against the OpenAPI operations of their system's `spec:` document."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flowlang import nodes
from flowlang.checker.spec_paging import PagingChecker
from flowlang.checker.traverse import describe_kind
from flowlang.diagnostics import ERROR, WARNING, Diagnostic, Span, did_you_mean
from flowlang.openapi import Spec, SpecError, SpecOperation, load_spec
from flowlang.openapi.responses import ResponseFollower, walk_nodes
from flowlang.openapi.schema import SchemaViews
from flowlang.openapi.values import ValueChecker, constant

RESERVED_ARGS = ("query", "body", "headers", "idempotency_key")  # checked by the calls pass


@dataclass
class SpecSystem:
    """A system declared with `spec:`, its loaded document, and what its block adds by hand."""

    node: nodes.System
    spec: Spec
    declared: dict[str, nodes.Operation] = field(default_factory=dict)
    header_keys: set[str] | None = field(default_factory=set)  # None: not known before run time
    query_keys: set[str] = field(default_factory=set)  # an api_key sent in the query


def spec_setting(system: nodes.System) -> nodes.Setting | None:
    """The `spec:` setting of a system block, if any."""
    for setting in system.settings:
        if setting.key == "spec":
            return setting
    return None


def spec_path(system: nodes.System, program_file: str) -> str | None:
    """The document path a system's `spec:` names, relative to the file; None when not a constant."""
    setting = spec_setting(system)
    if setting is None:
        return None
    text = constant(setting.value)
    if not isinstance(text, str) or not isinstance(setting.value, nodes.String):
        return None
    return os.path.join(os.path.dirname(program_file), text)


def check_spec_calls(project: Any, systems: Mapping[str, Any] | None = None) -> list[Diagnostic]:
    """E3xx/W3xx diagnostics of calls that do not match their system's OpenAPI operations.

    `project.programs` maps each file to its Program. Documents that do not load are reported by
    `flowlang.openapi.spec_operations` (called from systems.py), unknown operations by the checker's
    E201 (the model holds the document's operations), and a `spec:` that is not a plain string by
    the settings pass (E214), so none of them is repeated here.
    `systems` (the checker's models) is accepted for symmetry with the other passes.
    """
    programs: Mapping[str, nodes.Program] = project.programs
    diags: list[Diagnostic] = []
    found: dict[str, SpecSystem] = {}
    views = SchemaViews()
    for file, program in programs.items():
        for system in program.systems:
            setting = spec_setting(system)
            if setting is None or system.name in found:
                continue
            path = spec_path(system, program.file or file)
            if path is None:  # not a plain string: the settings pass reports E214
                continue
            try:
                spec = load_spec(path)
            except SpecError:
                continue
            headers, query = _sent_keys(system)
            entry = SpecSystem(system, spec, {op.name: op for op in system.operations}, headers, query)
            found[system.name] = entry
            diags += _check_declared(entry)
            for name, line in entry.declared.items():
                if name in spec.operations:
                    diags += PagingChecker(views).check(line, spec.operations[name])
    if found:
        for program in programs.values():
            decls: list[nodes.Flow | nodes.Func] = [*program.flows, *program.funcs]
            for decl in decls:
                diags += CallChecker(found, views).check_body(decl)
    seen: set[tuple[str, Span, str]] = set()
    unique = []
    for d in diags:
        if (d.code, d.span, d.message) not in seen:
            seen.add((d.code, d.span, d.message))
            unique.append(d)
    return sorted(unique, key=Diagnostic.sort_key)


def _sent_keys(system: nodes.System) -> tuple[set[str] | None, set[str]]:
    """Headers (lower case; None when not a literal) and query parameters the system sends every time."""
    headers: set[str] | None = set()
    query: set[str] = set()
    for setting in system.settings:
        if setting.key == "headers":
            if not isinstance(setting.value, nodes.ObjectLit):
                headers = None
            elif headers is not None:
                headers |= {e.key.lower() for e in setting.value.entries}
        elif setting.key == "auth":
            auth = setting.value
            if isinstance(auth, nodes.Call) and auth.func == "api_key":
                named = {a.name: a.value for a in auth.args if a.name is not None}
                positional = [a.value for a in auth.args if a.name is None]
                key = named.get("name", positional[0] if positional else None)
                where = named.get("in", positional[2] if len(positional) > 2 else None)
                name = constant(key) if key is not None else None
                if not isinstance(name, str):
                    headers = None
                elif where is not None and constant(where) == "query":
                    query.add(name)
                elif headers is not None:
                    headers.add(name.lower())
    return headers, query


def _paginate_params(declared: nodes.Operation | None) -> set[str]:
    """Query parameters that an operation line's `paginate:` strategy sets on every page."""
    found: set[str] = set()
    for option in declared.options if declared is not None else ():
        if option.key == "paginate" and isinstance(option.value, nodes.Call):
            for arg in option.value.args:
                value = constant(arg.value)
                if isinstance(value, str) and arg.name in (None, "param", "size_param", "limit_param"):
                    found.add(value)
    return found


def _check_declared(entry: SpecSystem) -> list[Diagnostic]:
    """Operation lines that name a document's operation but disagree with its method or path."""
    diags = []
    for name, op in entry.declared.items():
        spec_op = entry.spec.operations.get(name)
        if spec_op is None:
            continue
        if op.method.upper() != spec_op.method or op.path not in (spec_op.path, spec_op.call_path):
            diags.append(Diagnostic(
                "W301", WARNING,
                f"operation '{name}' is {spec_op.method} {spec_op.path} in the OpenAPI document, "
                f"but {op.method.upper()} {op.path} here; the document's method and path are used "
                "(an operation line naming a document operation only adds options)",
                op.path_span,
            ))
    return diags


class CallChecker:
    """Checks the calls of one flow or func body against the documents of the systems they call."""

    def __init__(self, systems: Mapping[str, SpecSystem], views: SchemaViews) -> None:
        self.systems = systems
        self.views = views
        self.diags: list[Diagnostic] = []

    def check_body(self, decl: nodes.Flow | nodes.Func) -> list[Diagnostic]:
        every = walk_nodes(decl.body)
        calls = [n for n in every if isinstance(n, nodes.ApiCall) and n.system in self.systems]
        if not calls:  # nothing here talks to a system with a document
            return self.diags
        for call in calls:
            self._check_call(call)
        follower = ResponseFollower(self.views, self._operation, self._record_schemas)
        self.diags += follower.check(decl, every)
        return self.diags

    # ---------------------------------------------------------- one call

    def _resolve(self, call: nodes.ApiCall) -> tuple[SpecSystem, SpecOperation] | None:
        """The system and document operation a call names; None for others (E201 covers unknown ones)."""
        entry = self.systems.get(call.system)
        if entry is None:
            return None
        op = entry.spec.operations.get(call.operation)
        return (entry, op) if op is not None else None

    def _check_call(self, call: nodes.ApiCall) -> None:
        resolved = self._resolve(call)
        if resolved is None:
            return
        entry, op = resolved
        label = f"{call.system}.{op.name}"
        named = {a.name: a for a in call.args if a.name is not None}
        by_arg = {p.arg_name: p for p in op.params if p.location != "cookie" and p.arg_name}
        checker = ValueChecker(self.views, label)
        for name, arg in named.items():
            if name in RESERVED_ARGS:
                continue
            param = by_arg.get(name)
            if param is None:
                choices = [*by_arg, *RESERVED_ARGS]
                self._add("E314", ERROR, arg.span, f"{label} has no parameter '{name}'", did_you_mean(name, choices)
                          or f"its parameters: {', '.join(choices)}")
            elif param.schema is not None:
                self.diags += checker.check_param(arg.value, param.schema, name)
        self._check_query_kind(named.get("query"), op, checker, label)
        query = _literal_keys(named.get("query"))
        if query is not None:
            query |= entry.query_keys
            if call.mode == "each":
                query |= _paginate_params(entry.declared.get(call.operation))
        headers = _literal_keys(named.get("headers"))
        for param in op.params:
            if not param.required or param.arg_name in named:
                continue
            if param.location == "path":
                self._add("E311", ERROR, call.operation_span,
                          f"{label} needs path parameter '{param.arg_name}' ({op.method} {op.path})",
                          f"add `{param.arg_name}: …` to the call")
            elif param.location == "query" and query is not None and param.name not in query:
                self._add("E312", ERROR, call.operation_span,
                          f"{label} needs query parameter '{param.name}'",
                          f"add `{param.arg_name}: …` or `query: {{\"{param.name}\": …}}`"
                          if param.arg_name == param.name else f'add `query: {{"{param.name}": …}}`')
            elif param.location == "header" and not self._header_given(entry, headers, param.name):
                self._add("E313", ERROR, call.operation_span,
                          f"{label} needs header '{param.name}'",
                          f'add `headers: {{"{param.name}": …}}` to the call or to the system\'s headers')
        self._check_query_literal(named.get("query"), op, checker, label)
        self._check_body_arg(call, named.get("body"), op, checker, label)

    def _check_query_kind(self, arg: nodes.Arg | None, op: SpecOperation, checker: ValueChecker,
                          label: str) -> None:
        """`query: "shoes"` of an operation with a query parameter named `query` is that parameter's value.

        (`query:` is otherwise the object of query parameters: E223 of the call pass reports other values.)
        """
        kind = describe_kind(arg.value) if arg is not None else None
        if arg is None or kind in (None, "an object", "null"):
            return
        own = next((p for p in op.params_in("query") if p.name == "query"), None)
        if own is not None and own.schema is not None:
            self.diags += checker.check_param(arg.value, own.schema, "query")

    def _header_given(self, entry: SpecSystem, headers: set[str] | None, name: str) -> bool:
        if headers is None or entry.header_keys is None:
            return True
        return name.lower() in {k.lower() for k in headers} or name.lower() in entry.header_keys

    def _check_query_literal(self, arg: nodes.Arg | None, op: SpecOperation, checker: ValueChecker,
                             label: str) -> None:
        keys = _entries(arg)
        declared = {p.name: p for p in op.params_in("query")}
        if not keys or not declared:
            return
        for key, entry in keys.items():
            param = declared.get(key)
            if param is None:
                self._add("W311", WARNING, entry.key_span,
                          f"{label} declares no query parameter '{key}'",
                          did_you_mean(key, declared) or f"its query parameters: {', '.join(declared)}")
            elif param.schema is not None:
                self.diags += checker.check_param(entry.value, param.schema, f'query["{key}"]')

    def _check_body_arg(self, call: nodes.ApiCall, arg: nodes.Arg | None, op: SpecOperation,
                        checker: ValueChecker, label: str) -> None:
        if arg is None:
            if op.body_required:
                self._add("E315", ERROR, call.operation_span,
                          f"{label} needs a request body ({op.method} {op.path})", "add `body: {…}` to the call")
            return
        if not op.has_body:
            self._add("W312", WARNING, arg.span, f"{label} declares no request body ({op.method} {op.path})")
            return
        if op.body_schema is not None:
            self.diags += checker.check(arg.value, op.body_schema, "body")

    def _operation(self, call: nodes.ApiCall) -> SpecOperation | None:
        entry = self.systems.get(call.system)
        return entry.spec.operations.get(call.operation) if entry is not None else None

    def _record_schemas(self, expr: nodes.ApiCall) -> list[Any] | None:
        """Schemas of the records of `each s.op(…)`, from the operation line's `items` path."""
        entry = self.systems.get(expr.system)
        op = self._operation(expr)
        declared = entry.declared.get(expr.operation) if entry is not None else None
        if op is None or declared is None:
            return None
        items = next((constant(o.value) for o in declared.options if o.key == "items"), None)
        if not isinstance(items, str):
            return None
        schemas = op.success_schemas
        for part in [p for p in items.split(".") if p]:
            status, schemas, _ = self.views.field(schemas, part)
            if status != "ok":
                return None
        return self.views.element(schemas)

    def _add(self, code: str, severity: str, span: Span, message: str, hint: str | None = None) -> None:
        self.diags.append(Diagnostic(code, severity, message, span, hint))


def _literal_keys(arg: nodes.Arg | None) -> set[str] | None:
    """The keys of an object-literal argument; empty when absent, None when not known before run time."""
    if arg is None:
        return set()
    if isinstance(arg.value, nodes.ObjectLit):
        return {e.key for e in arg.value.entries}
    return None


def _entries(arg: nodes.Arg | None) -> dict[str, nodes.Entry]:
    """The entries of an object-literal argument by key ({} when absent or not a literal)."""
    if arg is not None and isinstance(arg.value, nodes.ObjectLit):
        return {e.key: e for e in arg.value.entries}
    return {}

