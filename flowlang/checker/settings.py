"""Settings: system settings, operation options and flow headers (keys, kinds of value, durations, cron)."""

from __future__ import annotations

import re
from collections.abc import Callable

from flowlang import nodes
from flowlang.checker.calls import check_arguments
from flowlang.checker.context import Context, Signature
from flowlang.checker.traverse import const_number, describe_kind, expr_nodes, statements
from flowlang.diagnostics import Span, did_you_mean
from flowlang.systems import (
    AUTH_FUNCTIONS,
    BODY_FORMATS,
    KEY_FUNCTIONS,
    OPERATION_OPTIONS,
    PAGINATION_FUNCTIONS,
    SETTING_FUNCTIONS,
    SYSTEM_SETTINGS,
    literal_string,
)

FLOW_SETTINGS = ("name", "description", "slug", "enabled", "source", "schedule")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
TEXT_PARAMS = ("token", "user", "password", "name", "value", "in", "token_url", "client_id",
               "client_secret", "scope", "param", "size_param", "limit_param", "from", "key", "has_more")
COUNT_PARAMS = ("start", "size", "limit")


class SettingsChecker:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.exempt: set[int] = set()  # setting-function calls checked here, skipped by the call pass

    # ------------------------------------------------------------------ shared

    def keys(self, settings: tuple[nodes.Setting, ...], known: tuple[str, ...], where: str) -> list[nodes.Setting]:
        """Report duplicate and unknown keys; return the settings worth checking further."""
        first: dict[str, nodes.Setting] = {}
        kept: list[nodes.Setting] = []
        for setting in settings:
            if isinstance(setting.value, nodes.Call) and setting.value.func in SETTING_FUNCTIONS:
                self.exempt.add(id(setting.value))  # reported here, or not at all, never as E208
            if setting.key in first:
                self.ctx.report("E117", f"duplicate setting '{setting.key}' in {where}", setting.key_span,
                                f"first set at line {first[setting.key].key_span.line}")
                continue
            first[setting.key] = setting
            if setting.key not in known:
                hint = did_you_mean(setting.key, known) or f"known settings: {', '.join(known)}"
                self.ctx.report("E213", f"unknown setting '{setting.key}' in {where}", setting.key_span, hint)
                continue
            kept.append(setting)
        return kept

    def wrong(self, setting: nodes.Setting, expected: str) -> None:
        got = describe_kind(setting.value)
        message = f"'{setting.key}' must be {expected}" + (f", got {got}" if got else "")
        self.ctx.report("E214", message, setting.value.span)

    def plain(self, setting: nodes.Setting, allow_none: bool = False) -> bool:
        """Settings are evaluated once at run start: no variables and no API calls."""
        ok = True
        for node in expr_nodes(setting.value):
            if isinstance(node, nodes.Name) and not (allow_none and node is setting.value and node.name == "none"):
                self.ctx.report("E221", f"'{node.name}' cannot be used in a setting", node.span,
                                "settings may use literals, env(…), secret(…) and builtins")
                ok = False
            elif isinstance(node, nodes.ApiCall):
                self.ctx.report("E221", "API calls cannot be used in a setting", node.span)
                ok = False
        return ok

    def number(self, setting: nodes.Setting, *, minimum: float, strict: bool, whole: bool,
               duration_ok: bool) -> None:
        value = setting.value
        number = const_number(value)
        if number is None:
            if describe_kind(value) is not None:
                self.wrong(setting, "a duration" if duration_ok else "a whole number" if whole else "a number")
            return
        amount, is_duration = number
        if is_duration and not duration_ok:
            what = {"retry": "a number of attempts", "max_pages": "a number of pages"}.get(
                setting.key, "a number per second")
            self.ctx.report("E214", f"'{setting.key}' is {what}, not a duration", value.span,
                            f"write {amount:g}" if amount == int(amount) else None)
        elif whole and amount != int(amount):
            self.ctx.report("E215", f"'{setting.key}' must be a whole number, got {amount:g}", value.span)
        elif amount < minimum or (strict and amount == minimum):
            bound = f"greater than {minimum:g}" if strict else f"at least {minimum:g}"
            self.ctx.report("E215", f"'{setting.key}' must be {bound}, got {self.text(value)}", value.span)

    def text(self, expr: nodes.Node) -> str:
        """A numeric constant as written: `-5s`, `0ms`, `-1`."""
        sign = ""
        while isinstance(expr, nodes.Unary) and expr.op == "-":
            sign, expr = ("" if sign else "-"), expr.operand
        if isinstance(expr, nodes.Duration):
            return sign + expr.text
        number = const_number(expr)
        return sign + (f"{number[0]:g}" if number else "?")

    def setting_call(self, setting: nodes.Setting, table: dict[str, tuple[tuple[str, bool], ...]],
                     expected: str) -> None:
        value = setting.value
        if setting.key == "auth" and isinstance(value, nodes.Name) and value.name == "none":
            return
        if isinstance(value, nodes.Call):
            self.exempt.add(id(value))  # an unknown function here is reported once, below
        if not isinstance(value, nodes.Call) or value.func not in table:
            hint = did_you_mean(value.func, table) if isinstance(value, nodes.Call) else None
            got = describe_kind(value)
            message = f"'{setting.key}' must be {expected}" + (f", got {got}" if got else "")
            self.ctx.report("E214", message, value.span, hint)
            return
        sig = Signature(value.func, "setting function", table[value.func])
        bound = check_arguments(self.ctx, sig, value.args, value.span)
        for name, arg in bound.items():
            got = describe_kind(arg.value)
            if name in TEXT_PARAMS and got not in (None, "a string"):
                self.ctx.report("E214", f"'{name}' of {value.func}() must be a string, got {got}", arg.value.span)
            elif name in COUNT_PARAMS and got not in (None, "a number"):
                self.ctx.report("E214", f"'{name}' of {value.func}() must be a whole number, got {got}",
                                arg.value.span)
            if name == "in" and literal_string(arg.value) not in (None, "header", "query"):
                self.ctx.report("E214", "'in' of api_key() must be \"header\" or \"query\"", arg.value.span)

    # ------------------------------------------------------------------ systems

    def system(self, system: nodes.System, file: str) -> None:
        where = f"system '{system.name}'"
        present = set()
        for setting in self.keys(system.settings, SYSTEM_SETTINGS, where):
            present.add(setting.key)
            if self.plain(setting, allow_none=setting.key == "auth"):
                SYSTEM_RULES[setting.key](self, setting)
        if "base_url" not in present and "spec" not in present:
            self.ctx.report("E219", f"system '{system.name}' has no base_url", system.name_span,
                            'add `base_url: "https://…"` (or `spec:` with a server URL)')
        for op in system.operations:
            self.operation_path(op)
            for setting in self.keys(op.options, OPERATION_OPTIONS, f"operation '{op.name}'"):
                if self.key_with_source(setting):
                    continue
                if self.plain(setting):
                    OPTION_RULES[setting.key](self, setting)

    def key_with_source(self, setting: nodes.Setting) -> bool:
        """`idempotency_key: header("Idempotency-Key", o.id)` on an operation: the source belongs to a call."""
        value = setting.value
        if setting.key != "idempotency_key" or not isinstance(value, nodes.Call) or len(value.args) < 2:
            return False
        self.exempt.add(id(value))
        fn = value.func
        self.ctx.report("E214", f"an operation's idempotency_key says only where the key goes: {fn}(name)",
                        value.args[1].span, f'give the source at each call, idempotency_key: {fn}("…", o.id), or '
                        f'keep {fn}("…") here and write idempotency_key: o.id at the call')
        return True

    def base_url(self, setting: nodes.Setting) -> None:
        kind = describe_kind(setting.value)
        if kind not in (None, "a string"):
            self.wrong(setting, "a URL string")
        url = literal_string(setting.value)
        if url is not None and not url.startswith(("http://", "https://")):
            self.ctx.report("E214", "'base_url' must start with http:// or https://", setting.value.span)

    def headers(self, setting: nodes.Setting) -> None:
        if not isinstance(setting.value, nodes.ObjectLit):
            self.wrong(setting, "an object of header names and values")
            return
        for entry in setting.value.entries:
            if isinstance(entry.value, nodes.ListLit | nodes.ObjectLit):
                self.ctx.report("E214", f"header '{entry.key}' must be text, got {describe_kind(entry.value)}",
                                entry.value.span)

    def spec(self, setting: nodes.Setting) -> None:
        if literal_string(setting.value) is None:
            self.wrong(setting, "the path of an OpenAPI document, as a plain string")

    def operation_path(self, op: nodes.Operation) -> None:
        path = op.path
        problem: str | None = None
        if not path.startswith(("/", "http://", "https://")):
            problem = "an operation path must start with '/'"
        elif path.count("{") != path.count("}") or re.search(r"\{[^}]*\{|\}[^{]*\}", path):
            problem = "unbalanced braces in the operation path"
        else:
            names = re.findall(r"\{([^{}]*)\}", path)
            bad = next((n for n in names if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", n)), None)
            if bad is not None:
                problem = f"path parameter '{{{bad}}}' must be a name (letters, digits, _)"
            elif len(set(names)) != len(names):
                problem = "a path parameter appears twice in the operation path"
        if problem:
            self.ctx.report("E220", problem, op.path_span)

    def string_option(self, setting: nodes.Setting) -> None:
        if literal_string(setting.value) is None:
            self.wrong(setting, "a plain string")

    def body_format(self, setting: nodes.Setting) -> None:
        text = literal_string(setting.value)
        if text is None:
            self.wrong(setting, 'one of "json", "form" or "multipart"')
        elif text not in BODY_FORMATS:
            hint = did_you_mean(text, BODY_FORMATS) or 'one of "json", "form" or "multipart"'
            self.ctx.report("E214", f"'body_format' must be \"json\", \"form\" or \"multipart\", got \"{text}\"",
                            setting.value.span, hint)

    def bool_option(self, setting: nodes.Setting) -> None:
        if not (isinstance(setting.value, nodes.Literal) and isinstance(setting.value.value, bool)):
            self.wrong(setting, "true or false")

    # ------------------------------------------------------------------ flows

    def flow(self, flow: nodes.Flow) -> None:
        for setting in self.keys(flow.settings, FLOW_SETTINGS, f"flow '{flow.name}'"):
            if not self.plain(setting):
                continue
            if setting.key == "enabled":
                self.bool_option(setting)
                continue
            text = literal_string(setting.value)
            if text is None and isinstance(setting.value, nodes.String):
                self.ctx.report("E214", f"'{setting.key}' must be a plain string: no interpolation here",
                                setting.value.span)
            elif text is None:
                self.wrong(setting, "a plain string")
            elif setting.key == "slug" and not SLUG.match(text):
                self.ctx.report("E214", f"slug '{text}' must be lowercase letters and digits joined by '-'",
                                setting.value.span)
            elif setting.key == "schedule":
                self.schedule(text, setting.value.span)

    def schedule(self, text: str, span: Span) -> None:
        # only flows with a schedule need it (~5 M instructions of start-up)
        from flowlang.checker.cron import check_cron

        problem = check_cron(text)
        if problem is None:
            return
        where = span
        if span.line == span.end_line and span.end_column - span.column == len(text) + 2:
            start = span.column + 1 + problem.offset  # exact columns when the string has no escapes
            where = Span(span.file, span.line, start, span.line, start + problem.length)
        self.ctx.report("E216", f"invalid cron expression: {problem.message}", where,
                        'five fields: minute hour day-of-month month day-of-week, e.g. "*/15 * * * *"')

    # ------------------------------------------------------------------ statements

    def statement_values(self, body: nodes.Block) -> None:
        """`wait` durations and `parallel` limits written as constants."""
        for stmt in statements(body):
            if isinstance(stmt, nodes.Wait):
                number = const_number(stmt.value)
                kind = describe_kind(stmt.value)
                if number is None and kind is not None:
                    self.ctx.report("E215", f"'wait' takes seconds (a number or a duration), got {kind}",
                                    stmt.value.span)
                elif number is not None and number[0] < 0:
                    self.ctx.report("E215", "'wait' cannot be negative", stmt.value.span)
            elif isinstance(stmt, nodes.For) and stmt.parallel is not None:
                number = const_number(stmt.parallel)
                kind = describe_kind(stmt.parallel)
                bad = (number is None and kind is not None) or (
                    number is not None and (number[1] or number[0] < 1 or number[0] != int(number[0]))
                )
                if bad:
                    self.ctx.report("E215", "'parallel' takes a whole number of at least 1", stmt.parallel.span)


Rule = Callable[[SettingsChecker, nodes.Setting], None]


def _number_rule(minimum: float, strict: bool, whole: bool, duration_ok: bool) -> Rule:
    def rule(checker: SettingsChecker, setting: nodes.Setting) -> None:
        checker.number(setting, minimum=minimum, strict=strict, whole=whole, duration_ok=duration_ok)

    return rule


def _auth(checker: SettingsChecker, setting: nodes.Setting) -> None:
    checker.setting_call(setting, AUTH_FUNCTIONS, "none, bearer(…), basic(…), api_key(…) or oauth2(…)")


def _paginate(checker: SettingsChecker, setting: nodes.Setting) -> None:
    checker.setting_call(setting, PAGINATION_FUNCTIONS,
                         "page(…), offset(…), cursor(…), after_last(…), next_link(…) or link_header()")


SYSTEM_RULES: dict[str, Rule] = {
    "base_url": SettingsChecker.base_url,
    "auth": _auth,
    "headers": SettingsChecker.headers,
    "timeout": _number_rule(0, strict=True, whole=False, duration_ok=True),
    "retry": _number_rule(0, strict=False, whole=True, duration_ok=False),
    "backoff": _number_rule(0, strict=False, whole=False, duration_ok=True),
    "max_wait": _number_rule(0, strict=True, whole=False, duration_ok=True),
    "rate_limit": _number_rule(0, strict=True, whole=False, duration_ok=False),
    "spec": SettingsChecker.spec,
}
def _idempotency_key(checker: SettingsChecker, setting: nodes.Setting) -> None:
    checker.setting_call(setting, KEY_FUNCTIONS, 'header("Idempotency-Key"), query("key") or body("key")')


OPTION_RULES: dict[str, Rule] = {
    "idempotency_key": _idempotency_key,
    "items": SettingsChecker.string_option,
    "paginate": _paginate,
    "retry": SYSTEM_RULES["retry"],
    "timeout": SYSTEM_RULES["timeout"],
    "idempotent": SettingsChecker.bool_option,
    "safe": SettingsChecker.bool_option,
    "max_pages": _number_rule(1, strict=False, whole=True, duration_ok=False),
    "body_format": SettingsChecker.body_format,
}


def check_settings(ctx: Context) -> set[int]:
    """Check every setting; returns the ids of setting-function calls already checked here."""
    checker = SettingsChecker(ctx)
    for file, program in ctx.project.programs.items():
        for system in program.systems:
            checker.system(system, file)
        for flow in program.flows:
            checker.flow(flow)
            checker.statement_values(flow.body)
        for func in program.funcs:
            checker.statement_values(func.body)
    return checker.exempt
