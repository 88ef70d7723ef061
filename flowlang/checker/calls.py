"""Calls: builtins and funcs (arity, named arguments), API calls against systems, lambdas, object keys."""

from __future__ import annotations

from flowlang import nodes
from flowlang.checker.context import CALLABLE_PARAMS, Context, Signature
from flowlang.checker.traverse import describe_kind, expr_nodes, program_exprs
from flowlang.diagnostics import Span, did_you_mean
from flowlang.keysites import KEY_ARGUMENT, KEY_LOCATIONS
from flowlang.systems import CALL_ARGUMENTS, SETTING_FUNCTIONS, SystemModel, literal_string


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def check_arguments(
    ctx: Context, sig: Signature, args: tuple[nodes.Arg, ...], where: Span
) -> dict[str, nodes.Arg]:
    """Positional then named arguments against a signature; returns the arguments by parameter name."""
    bound: dict[str, nodes.Arg] = {}
    names = [name for name, _ in sig.params]
    positional = [a for a in args if a.name is None]
    seen_named = False
    for arg in args:
        if arg.name is not None:
            seen_named = True
        elif seen_named:
            ctx.report("E207", "positional argument after a named one", arg.span,
                       "put positional arguments first")
    limit = None if sig.variadic else len(names)
    if limit is not None and len(positional) > limit:
        most = "no arguments" if limit == 0 else f"at most {_plural(limit, 'argument')}"
        ctx.report("E203", f"{sig.name}() takes {most}, got {len(positional)}",
                   positional[limit].span.to(positional[-1].span))
    for i, arg in enumerate(positional):
        param = sig.param_at(i)
        if param is not None and param != sig.variadic:
            bound[param] = arg
    for arg in args:
        if arg.name is None:
            continue
        if arg.name not in names:
            hint = did_you_mean(arg.name, names)
            known = ", ".join(names) if names else "none"
            ctx.report("E204", f"{sig.name}() has no parameter '{arg.name}'", arg.span,
                       hint or f"its parameters: {known}")
        elif arg.name in bound:
            ctx.report("E205", f"argument '{arg.name}' of {sig.name}() given twice", arg.span)
        else:
            bound[arg.name] = arg
    missing = [name for name, required in sig.params if required and name not in bound]
    if missing:
        if all(a.name is None for a in args):
            ctx.report("E203", f"{sig.name}() takes at least {_plural(sig.min_args, 'argument')}, "
                       f"got {len(positional)}", where)
        else:
            listed = ", ".join(f"'{m}'" for m in missing)
            ctx.report("E206", f"{sig.name}() is missing {listed}", where)
    return bound


class CallChecker:
    """Walks every expression of a program once."""

    def __init__(self, ctx: Context, file: str) -> None:
        self.ctx = ctx
        self.file = file
        self.funcs = ctx.funcs_for(file)
        self.systems = ctx.systems_for(file)
        self.allowed_lambdas: set[int] = set()
        self.key_forms: set[int] = set()  # `header("Idempotency-Key", o.id)` as a call's idempotency_key
        self.signatures: dict[str, Signature | None] = {}

    def check(self, program: nodes.Program, exempt: set[int]) -> None:
        """`exempt`: ids of setting-function calls the settings pass already checked."""
        for root, _where in program_exprs(program):
            for node in expr_nodes(root):
                kind = type(node)
                if kind is nodes.Call:
                    assert isinstance(node, nodes.Call)
                    if id(node) not in exempt and id(node) not in self.key_forms:
                        self.call(node)
                elif kind is nodes.ApiCall:
                    assert isinstance(node, nodes.ApiCall)
                    self.api_call(node)
                elif kind is nodes.ObjectLit:
                    assert isinstance(node, nodes.ObjectLit)
                    self.object_keys(node)
                elif kind is nodes.Lambda and id(node) not in self.allowed_lambdas:
                    self.ctx.report("E106", "a lambda can only be an argument of a builtin that takes a function",
                                    node.span, "such as map, filter, find, any, all or sort_by")

    def call(self, call: nodes.Call) -> None:
        if call.func in self.signatures:
            sig = self.signatures[call.func]
        else:
            sig = self.signatures[call.func] = self.ctx.signature(call.func, self.file)
        if sig is None:
            if call.func in SETTING_FUNCTIONS:
                if call.func in KEY_LOCATIONS:
                    self.ctx.report("E208", f"'{call.func}' is a setting function: it is only valid in an "
                                    "operation's `idempotency_key` option or a call's `idempotency_key:` argument",
                                    call.func_span, f'call sys.op(…, idempotency_key: {call.func}("…", o.id))')
                else:
                    self.ctx.report("E208", f"'{call.func}' is a setting function: it is only valid in a system's "
                                    "`auth` setting or an operation's `paginate` option", call.func_span)
            elif not self.ctx.incomplete:
                hint = did_you_mean(call.func, [*self.funcs, *self.ctx.builtins])
                if call.func in self.ctx.funcs:
                    hint = f"'{call.func}' is declared in {self.ctx.funcs[call.func][1]}: import it"
                self.ctx.report("E202", f"unknown function '{call.func}'", call.func_span, hint)
            return
        bound = check_arguments(self.ctx, sig, call.args, call.span)
        for name, arg in bound.items():
            if isinstance(arg.value, nodes.Lambda):
                if sig.kind == "builtin" and name in CALLABLE_PARAMS:
                    self.allowed_lambdas.add(id(arg.value))
                    taken = len(arg.value.params)
                    if taken != 1:  # every builtin calls its function with one item
                        self.ctx.report("E222", f"{call.func}() calls '{name}' with one argument (an item), "
                                        f"but this lambda takes {taken}", arg.value.span,
                                        "write it as `item => …`")
                else:
                    self.ctx.report("E106", f"'{name}' of {call.func}() is not a function parameter",
                                    arg.value.span, "only builtins such as map or filter take lambdas")
                    self.allowed_lambdas.add(id(arg.value))
        if sig.variadic:  # lambdas among *args (e.g. a variadic compose) are the builtin's business
            for arg in call.args[len(sig.params):]:
                if arg.name is None and isinstance(arg.value, nodes.Lambda):
                    self.allowed_lambdas.add(id(arg.value))

    def api_call(self, call: nodes.ApiCall) -> None:
        system = self.systems.get(call.system)
        if system is None:
            if not self.ctx.incomplete:
                hint = did_you_mean(call.system, self.systems)
                if hint is None and call.system in self.ctx.systems:
                    hint = f"'{call.system}' is declared in {self.ctx.systems[call.system].file}: import it"
                self.ctx.report("E200", f"unknown system '{call.system}'", call.system_span, hint)
            return
        op = system.operations.get(call.operation)
        if op is None:
            if system.complete and not self.ctx.incomplete:
                hint = did_you_mean(call.operation, system.operations)
                self.ctx.report("E201", f"system '{system.name}' has no operation '{call.operation}'",
                                call.operation_span, hint or self.operations_hint(system))
            return
        label = f"{call.system}.{call.operation}"
        given: set[str] = set()
        allowed = op.argument_names
        for arg in call.args:
            if arg.name is None:
                self.ctx.report("E209", f"arguments of {label}() must be named", arg.span,
                                "name them: path parameters by name, query: {…}, body: …, headers: {…}")
                continue
            if arg.name in given:
                self.ctx.report("E205", f"argument '{arg.name}' of {label}() given twice", arg.span)
            given.add(arg.name)
            if not (arg.name == "query" and "query" in op.query_params):  # then `query: "x"` is ?query=x
                self.api_argument_kind(label, arg.name, arg.value, op.path_params)
            if arg.name == KEY_ARGUMENT and self.key_form(label, arg.value):
                continue  # the call says where its key goes: any operation takes it
            if arg.name not in allowed and (not op.from_spec or arg.name == KEY_ARGUMENT):
                hint = did_you_mean(arg.name, allowed)
                if arg.name == KEY_ARGUMENT:
                    hint = (f"{label} has no idempotency_key: option to say where the key goes: say it here, "
                            'idempotency_key: header("Idempotency-Key", …) (or query/body)')
                self.ctx.report("E210", f"{label}() has no argument '{arg.name}'", arg.span,
                                hint or "use path parameters by name, query: {…}, body: … or headers: {…}")
        missing = [p for p in op.path_params if p not in given]
        if missing and not op.from_spec and all(a.name is not None for a in call.args):  # spec operations: spec_calls reports missing parameters
            listed = ", ".join(f"'{m}'" for m in missing)
            self.ctx.report("E211", f"{label}() is missing path parameter {listed} of \"{op.path}\"",
                            call.operation_span, f"pass it by name: {missing[0]}: …")
        if call.mode == "each" and not op.has_items:
            self.ctx.report("E212", f"'each' needs an operation with `items`, and {label} has none",
                            call.span, f"add `{{ items: \"…\" }}` to the operation, or use `call {label}(…)`")

    def key_form(self, label: str, value: nodes.Node) -> bool:
        """Is a call's `idempotency_key:` the form `header(NAME, SOURCE)` (or query/body)? Checks it if so."""
        if not isinstance(value, nodes.Call) or value.func not in KEY_LOCATIONS:
            return False
        self.key_forms.add(id(value))
        if len(value.args) < 2:
            self.ctx.report("E203", f"at a call, {value.func}() takes the key's name and its source", value.span,
                            f'such as {value.func}("…", o.id): the key is made from o.id (without a source, give '
                            f"the operation the option idempotency_key: {value.func}(\"…\"))")
            return True
        sig = Signature(value.func, "setting function", (("name", True), ("source", True)))
        bound = check_arguments(self.ctx, sig, value.args, value.span)
        name = bound.get("name")
        if name is not None and not literal_string(name.value):
            self.ctx.report("E223", f"the name of {value.func}() in the idempotency_key of {label}() must be a "
                            "string", name.value.span, f'such as {value.func}("Idempotency-Key", o.id)'
                            if value.func == "header" else f'such as {value.func}("idempotency_key", o.id)')
        return True

    def api_argument_kind(self, label: str, name: str, value: nodes.Node, path_params: tuple[str, ...]) -> None:
        """`query:` and `headers:` are objects; a path parameter is text or a number."""
        kind = describe_kind(value)
        if kind is None:
            return
        if name in ("query", "headers") and kind != "an object":
            hint = (f'{name}: {{key: value, …}}; to send a query parameter named "query", write query: {{"query": …}}'
                    if name == "query" else f"{name}: {{key: value, …}}")
            self.ctx.report("E223", f"'{name}' of {label}() must be an object, got {kind}", value.span, hint)
        elif name in path_params and kind in ("a list", "an object", "a lambda", "null"):
            self.ctx.report("E223", f"path parameter '{name}' of {label}() must be text or a number, got {kind}",
                            value.span)

    def operations_hint(self, system: SystemModel) -> str | None:
        names = sorted(system.operations)
        if not names:
            return None
        shown = ", ".join(names[:8]) + (", …" if len(names) > 8 else "")
        return f"its operations: {shown}"

    def object_keys(self, obj: nodes.ObjectLit) -> None:
        first: dict[str, nodes.Entry] = {}
        for entry in obj.entries:
            if entry.key in first:
                line = first[entry.key].key_span.line
                self.ctx.report("E115", f"duplicate key '{entry.key}' in object", entry.key_span,
                                f"first given at line {line}")
            else:
                first[entry.key] = entry


def check_calls(ctx: Context, exempt: set[int]) -> None:
    for file, program in ctx.project.programs.items():
        CallChecker(ctx, file).check(program, exempt)


__all__ = ["CALL_ARGUMENTS", "CallChecker", "check_arguments", "check_calls"]
