"""AST -> safe template context: every value is generated Python (mangled names, repr()'d literals)."""

from __future__ import annotations

import re
from typing import Any

from flowlang import nodes
from flowlang.codegen import names
from flowlang.codegen.emit import function_lines, space_nested_defs
from flowlang.codegen.exprs import ExprEmitter, Scope, Wheres
from flowlang.codegen.inline import Inlined, builtin_index, inline, sorted_imports
from flowlang.codegen.layout import INDENT, Brackets, Doc, Text, call, lines_of, seq
from flowlang.codegen.sites import Sites
from flowlang.keysites import key_sites

# Names the support code and the entry points of a generated module define.
SUPPORT_NAMES = {
    "NOT_GIVEN", "locate", "failed_site", "catchable", "func_failed", "located", "flow_start",
    "FLOW_CODE", "FLOW_START", "SITES", "setting", "plus", "minus", "times", "same", "less",
    "at_most", "more", "at_least", "progress", "member", "fail_now", "state_key", "state_get",
    "state_set", "func_site", "DetachedRun", "FLOW_FILE", "FLOW_NAME", "FLOW_SLUG", "FLOW_ENABLED",
    "build_systems", "run", "main", "rt", "error", "where", "systems", "harness_parts", "LazyModule",
}
SUPPORT_IMPORTS = {
    "import argparse", "import itertools", "import sys", "import threading",
    "from types import TracebackType", "from typing import Any",
    "from collections.abc import Callable", "from collections.abc import Iterator",
}
# Runtime names the template uses, looked up through the inliner (they may have been renamed).
TEMPLATE_RUNTIME = {
    "FlowError": "errors", "Where": "errors", "call_setting_function": "config",
    "contains": "values", "augment": "values", "add": "values", "arith": "values",
    "equal": "values", "compare": "values", "Stream": "values", "run_flow": "launcher", "launch": "launcher",
    "execute": "launcher", "Ambient": "ambient", "activate": "ambient", "deactivate": "ambient", "RunLog": "runlog",
    "StateStore": "state", "HttpClient": "http",
}
# The runtime modules the generated code names (ExprEmitter: values, errors; systems: config). http (and what
# only it imports: auth, pagination, bodies, origin, failures, background) is inlined for a flow with systems.
RUNTIME_ROOTS = {*TEMPLATE_RUNTIME.values(), "values", "errors", "config"}
# Without systems, `flowlang test` gets launcher's default factory, which makes no client for no systems.
NO_HTTP_CLIENT = ("launcher", "_default_http")
_GENERATED = re.compile(r"^(v_|f_|flow_|_t\d|_iteration_|W\d)")


def select_flow(project: Any, name: str | None) -> tuple[nodes.Flow, str, str]:
    """The flow to compile and its title and slug, chosen as `flowlang run` chooses it."""
    flows = [f for path, p in project.programs.items() if path == project.root for f in p.flows]
    described = [(f, *_title_and_slug(f)) for f in flows]
    listing = ", ".join(f.name for f in flows) or "none"
    if name is None:
        if len(flows) == 1:
            return described[0]
        if not flows:
            raise names.CodegenError(f"{project.root} declares no flow")
        raise names.CodegenError(f"{project.root} declares several flows; choose one with --flow: {listing}")
    for index in (0, 2, 1):  # identifier, slug, then the `name:` setting
        for item in described:
            key = item[0].name if index == 0 else item[index]
            if key == name:
                return item
    raise names.CodegenError(f"{project.root} has no flow '{name}'; its flows: {listing}")


def _literal_setting(flow: nodes.Flow, key: str) -> Any:
    for s in flow.settings:
        if s.key == key:
            v = s.value
            if isinstance(v, nodes.String) and all(isinstance(p, str) for p in v.parts):
                return "".join(p for p in v.parts if isinstance(p, str))
            if isinstance(v, nodes.Literal):
                return v.value
    return None


def _title_and_slug(flow: nodes.Flow) -> tuple[str, str]:
    from flowlang.stdlib import load_all

    title = _literal_setting(flow, "name")
    title = title if isinstance(title, str) and title else flow.name
    slug = _literal_setting(flow, "slug")
    if not (isinstance(slug, str) and slug):
        slug = str(load_all()["slugify"].fn(title)) or "flow"
    return title, slug


def _reachable(project: Any, flow: nodes.Flow) -> tuple[list[nodes.Func], set[str]]:
    """The funcs the flow (and the systems' settings) can call, in project order, and the builtins used."""
    funcs: dict[str, nodes.Func] = {}
    for program in project.programs.values():
        for f in program.funcs:
            funcs.setdefault(f.name, f)
    known = set(builtin_index())
    roots: list[nodes.Node] = [flow.body]
    for program in project.programs.values():
        roots.extend(program.systems)
    used_funcs: set[str] = set()
    used_builtins: set[str] = set()
    todo = list(roots)
    while todo:
        for node in nodes.walk(todo.pop()):
            if isinstance(node, nodes.Call):
                if node.func in funcs and node.func not in used_funcs:
                    used_funcs.add(node.func)
                    todo.append(funcs[node.func])
                elif node.func not in funcs and node.func in known:
                    used_builtins.add(node.func)
    ordered = [f for f in funcs.values() if f.name in used_funcs]
    return ordered, used_builtins


def _used_operations(flow: nodes.Flow, funcs: list[nodes.Func]) -> set[tuple[str, str]]:
    """(system, operation) of every call and each in the flow and the funcs it can reach: the module embeds
    only these (a flow over a large OpenAPI document must not carry all of its operations)."""
    return {(node.system, node.operation) for root in (flow, *funcs) for node in nodes.walk(root)
            if isinstance(node, nodes.ApiCall)}


def _system_lines(project: Any, exprs: ExprEmitter, inlined: Inlined, used: set[tuple[str, str]]) -> list[str]:
    from flowlang.systems import build_systems as system_models

    models, _ = system_models(list(project.programs.values()))
    scope = Scope(settings=True)
    lines = [f"{INDENT}rt = DetachedRun()", f"{INDENT}systems: dict[str, Any] = {{}}"]

    def setting_value(s: nodes.Setting) -> Doc:
        if isinstance(s.value, nodes.Name) and s.value.name == "none":
            return Text("None")
        return exprs.nested(s.value, scope)

    build_operation = inlined.name("config", "build_operation")
    for program in project.programs.values():
        for system in program.systems:
            settings = [s for s in system.settings if s.key != "spec"]
            ops: dict[str, Doc] = {}
            for op in system.operations:
                if (system.name, op.name) not in used:
                    continue
                ops[op.name] = _operation(build_operation, op.name, op.method.upper(), op.path, op, op.options, (), (), exprs, setting_value)
            model = models.get(system.name)
            for op_model in model.operations.values() if model is not None else ():
                if op_model.from_spec and (system.name, op_model.name) in used:
                    ops[op_model.name] = _operation(
                        build_operation, op_model.name, op_model.method, op_model.path, None,
                        op_model.options, tuple(op_model.query_params), tuple(op_model.header_params),
                        exprs, setting_value, where=_span_where(exprs, op_model.span),
                        body=(op_model.body_format, op_model.form_styles),
                    )
            values = Brackets("{", tuple(seq(names.string(s.key) + ": ", setting_value(s)) for s in settings), "}", True)
            locations = Brackets(
                "{", tuple(Text(f"{names.string(s.key)}: {exprs.where(s.value)}") for s in settings), "}", True
            )
            build = call(
                inlined.name("config", "build_system"), names.string(system.name), values,
                Brackets("[", tuple(ops.values()), "]", True), locations,
            )
            span = system.span
            lines.append(f"{INDENT}# {names.comment(span.file, 80)}:{span.line}: system {system.name}")
            lines.extend(lines_of(call("systems.setdefault", names.string(system.name), build), INDENT))
    lines.append(f"{INDENT}return systems")
    if not any(re.search(r"\brt\b", line) for line in lines[1:]):
        lines.pop(0)  # no setting reads the run
    return lines


def _span_where(exprs: ExprEmitter, span: Any) -> str:
    return exprs.wheres.name(nodes.Break(span))


def _operation(
    build_operation: str, name: str, method: str, path: str, node: nodes.Node | None,
    options: tuple[nodes.Setting, ...], query: tuple[str, ...], headers: tuple[str, ...],
    exprs: ExprEmitter, value: Any, where: str | None = None,
    body: tuple[str | None, tuple[tuple[str, str, bool], ...]] = (None, ()),
) -> Doc:
    opts = Brackets("{", tuple(seq(names.string(o.key) + ": ", value(o)) for o in options), "}", True)
    tuple_of = lambda items: Text("(" + "".join(names.string(i) + ", " for i in items).rstrip(" ") + ")")  # noqa: E731
    # a spec's form body: its format and styles (plain strings and booleans, written with repr())
    spec_body = (
        [seq("body_format=", Text(repr(body[0]))), seq("form_styles=", Text(repr(body[1])))]
        if body[0] not in (None, "json") else []
    )
    return call(
        build_operation, names.string(name), names.string(method), names.string(path), opts,
        seq("query_params=", tuple_of(query)), seq("header_params=", tuple_of(headers)), *spec_body,
        "where=" + _operation_where(exprs, node, where),
    )


def _operation_where(exprs: ExprEmitter, node: nodes.Node | None, where: str | None) -> str:
    if where is not None:
        return where
    return exprs.where(node) if node is not None else "None"


SITES_MARKER = "# <sites>"


def build_context(project: Any, flow_name: str | None, counting: bool = False) -> tuple[dict[str, Any], Sites]:
    """Everything module.py.j2 needs to write the module of one flow of `project`, and its call sites.

    The template's `sites` is a marker line: `sites_table()` replaces it once the module is laid out.
    """
    flow, _title, slug = select_flow(project, flow_name)
    funcs, used_builtins = _reachable(project, flow)
    has_systems = any(p.systems for p in project.programs.values())
    inlined = inline(used_builtins, SUPPORT_NAMES, RUNTIME_ROOTS if has_systems else RUNTIME_ROOTS - {"http"})
    defined = {v for v in inlined.globals.values()}
    clash = sorted(n for n in defined if _GENERATED.match(n))
    if clash:
        raise names.CodegenError(f"runtime names clash with generated names: {', '.join(clash)}")
    root_file = flow.span.file
    wheres = Wheres(root_file)
    exprs = ExprEmitter(inlined.name, inlined.builtins, {f.name for f in funcs}, wheres)
    exprs.counting = counting
    exprs.key_sites = key_sites(project.programs.values())
    sources: dict[str, str] = dict(project.sources)
    systems = _system_lines(project, exprs, inlined, _used_operations(flow, funcs))
    definitions = [_function("def build_systems() -> dict[str, Any]:", SYSTEMS_DOC, [], systems)]
    for f in funcs:
        definitions.append(_func(f, exprs, sources, inlined))
    _, flow_body = function_lines(exprs, sources, [], flow.body, Scope(), flow=True)
    flow_ident = flow.name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", flow.name) else "flow"
    definitions.append(
        _function(
            f"def {names.flow_function(flow.name)}(rt: Any) -> Any:",
            f'"""The body of flow {flow_ident}."""',
            [],
            flow_body,
        )
    )
    # lambdas that close over nothing, defined once (see ExprEmitter._hoist), before the funcs using them
    definitions[1:1] = ["\n".join(space_nested_defs(lines)) for lines in exprs.module_defs]
    n = {key: inlined.name(module, key) for key, module in TEMPLATE_RUNTIME.items() if has_systems or module != "http"}
    if not has_systems:
        n["HttpClient"] = inlined.name(*NO_HTTP_CLIENT)
    file_text = names.comment(root_file, 80)
    doc = f"Flow {flow_ident} of {file_text}, compiled by flowlang: needs Python 3.11+ and httpx."
    context = {
        "docstring": names.string(doc),
        "imports": "\n".join(sorted_imports(inlined.import_lines | SUPPORT_IMPORTS)),
        "lazy": "\n".join(f"{m} = LazyModule({names.string(m)})" for m in inlined.lazy),
        "runtime": "\n".join(
            f"\n# {'-' * 64} inlined: {title}\n\n{text}\n" for title, text in inlined.chunks
        ),
        "n": n,
        "flow_ident": flow_ident,
        "flow_file": names.string(root_file),
        "flow_name": names.string(flow.name),
        "flow_slug": names.string(slug),
        "flow_enabled": repr(_literal_setting(flow, "enabled") is not False),
        "wheres": "\n".join(wheres.definitions()),
        "definitions": "\n\n\n".join(definitions),
        "flow_function": names.flow_function(flow.name),
        "sites": SITES_MARKER,
    }
    return context, exprs.sites


def sites_table(entries: list[str], where_type: str) -> str:
    """The SITES constant: (line, byte column) -> (builtin, where), one entry per line."""
    head = f"SITES: dict[tuple[int, int], tuple[str, {where_type}]] = {{"
    if not entries:
        return head + "}"
    return "\n".join([head, *(INDENT + e for e in entries), "}"])


SYSTEMS_DOC = '"""Every system of the project, its settings evaluated now (at run start)."""'


def _function(signature: str, doc: str | None, prologue: list[str], body: list[str]) -> str:
    lines = [signature]
    if doc:
        lines.append(INDENT + doc)
    lines += prologue + (body or [INDENT + "pass"])
    return "\n".join(lines)


def _func(f: nodes.Func, exprs: ExprEmitter, sources: dict[str, str], inlined: Inlined) -> str:
    """A user func: defaults, the call-stack frame, and errors tagged with the call site."""
    where_type = inlined.name("errors", "Where")
    error = inlined.name("errors", "FlowError")
    params = [
        f"{names.variable(p.name)}: Any" + (" = NOT_GIVEN" if p.default is not None else "")
        for p in f.params
    ]
    signature_params = ["rt: Any", f"where: {where_type}", *params]
    signature = f"def {names.func(f.name)}({', '.join(signature_params)}) -> Any:"
    if len(signature) > 88:
        signature = f"def {names.func(f.name)}(\n" + "".join(
            f"{INDENT}{part},\n" for part in signature_params
        ) + ") -> Any:"
    scope = Scope(params=frozenset(p.name for p in f.params))
    prologue, body = function_lines(exprs, sources, list(f.params), f.body, scope, INDENT * 2)
    name = names.string(f.name)
    too_deep = names.string(f"recursion too deep in {f.name}()")
    wrapped = [
        f"{INDENT}rt.enter_call({name}, where)",
        f"{INDENT}try:",
        *(body or [INDENT * 2 + "pass"]),
        f"{INDENT}except RecursionError:",
        *lines_of(seq("raise ", call(error, '"limit"', too_deep, "where"), " from None"), INDENT * 2),
        f"{INDENT}except Exception as caught:",
        *lines_of(seq("raise ", call("func_failed", "caught", name, "where"), " from None"), INDENT * 2),
        f"{INDENT}finally:",
        f"{INDENT * 2}rt.exit_call()",
    ]
    return _function(signature, None, prologue, wrapped)
