"""What every checker pass shares: the code table, project, systems, funcs, builtins, and the report."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from flowlang import nodes
from flowlang.diagnostics import ERROR, WARNING, Diagnostic, Span
from flowlang.loader import LOADER_CODES, Project
from flowlang.systems import SystemModel

if TYPE_CHECKING:
    from flowlang.stdlib import Builtin

# The checker's codes: code -> (severity, one-line meaning); docs/diagnostics.md has one section each.
CHECKER_CODES: dict[str, tuple[str, str]] = {
    # names, scopes, control flow, declarations
    "E100": (ERROR, "nesting too deep to check"),
    "E101": (ERROR, "undefined variable"),
    "E102": (ERROR, "variable assigned on only some paths before it is read"),
    "E103": (ERROR, "`break` or `continue` outside a loop"),
    "E104": (ERROR, "`break` or `return` inside a parallel loop"),
    "E105": (ERROR, "outer variable changed inside a parallel loop other than by `+=`/`-=`"),
    "E106": (ERROR, "lambda where no function is expected"),
    "E107": (ERROR, "`source`, `state` or `checkpoint` used in a func"),
    "E108": (ERROR, "`source` or `state` assigned, or used as a loop or catch variable"),
    "E110": (ERROR, "duplicate flow"),
    "E111": (ERROR, "duplicate flow slug"),
    "E112": (ERROR, "duplicate system"),
    "E113": (ERROR, "duplicate func"),
    "E114": (ERROR, "duplicate operation in a system"),
    "E115": (ERROR, "duplicate key in an object literal"),
    "E116": (ERROR, "duplicate parameter"),
    "E117": (ERROR, "duplicate setting"),
    "E118": (ERROR, "func named like a builtin"),
    "E119": (ERROR, "parameter without a default after one with a default"),
    "E120": (ERROR, "unknown flow in a test's `run`"),
    "E121": (ERROR, "test that runs no flow"),
    "E122": (ERROR, "`given` value of the wrong kind"),
    "E123": (ERROR, "API call inside a test"),
    "E124": (ERROR, "bad use of calls(), logs() or a func in a test"),
    "E125": (ERROR, "duplicate test name"),
    "E126": (ERROR, "nesting deeper than a compiled module can hold"),
    "E127": (ERROR, "expression nested deeper than a compiled module can hold"),
    "W101": (WARNING, "unused loop or catch variable"),
    "W102": (WARNING, "variable assigned but never read"),
    "W103": (WARNING, "unreachable code"),
    # systems, operations, calls, builtins, settings
    "E200": (ERROR, "unknown system"),
    "E201": (ERROR, "unknown operation"),
    "E202": (ERROR, "unknown function"),
    "E203": (ERROR, "wrong number of arguments"),
    "E204": (ERROR, "unknown named argument"),
    "E205": (ERROR, "argument given twice"),
    "E206": (ERROR, "missing required argument"),
    "E207": (ERROR, "positional argument after a named one"),
    "E208": (ERROR, "setting function outside a system setting"),
    "E209": (ERROR, "positional argument in an API call"),
    "E210": (ERROR, "unknown argument of an API call"),
    "E211": (ERROR, "missing path parameter"),
    "E212": (ERROR, "`each` on an operation without `items`"),
    "E213": (ERROR, "unknown setting"),
    "E214": (ERROR, "wrong kind of value for a setting"),
    "E215": (ERROR, "bad duration or number"),
    "E216": (ERROR, "invalid cron expression"),
    "E217": (ERROR, "`source` sample file not found"),
    "E218": (ERROR, "`source` sample is not valid JSON"),
    "E219": (ERROR, "system without `base_url`"),
    "E220": (ERROR, "invalid operation path"),
    "E221": (ERROR, "expression not allowed in a setting"),
    "E222": (ERROR, "lambda with the wrong number of parameters"),
    "E223": (ERROR, "API call argument of the wrong kind"),
    "W201": (WARNING, "field not in the `source` sample"),
    "W202": (WARNING, "field of a test's `with source:` not in the flow's sample"),
}


class CodeTable(Mapping[str, tuple[str, str]]):
    """Every code `flowlang check` reports: the loader's and checker's, then the OpenAPI part's.

    `flowlang.openapi` imports yaml, which most checks never need, so its table is read on first use.
    """

    def __init__(self, own: dict[str, tuple[str, str]]) -> None:
        self._own = own
        self._all: dict[str, tuple[str, str]] | None = None

    def _everything(self) -> dict[str, tuple[str, str]]:
        if self._all is None:
            try:
                from flowlang.openapi import OPENAPI_CODES
            except ImportError:  # the OpenAPI part (or yaml) is not installed
                OPENAPI_CODES = {}
            self._all = {**self._own, **OPENAPI_CODES}
        return self._all

    def __getitem__(self, code: str) -> tuple[str, str]:
        found = self._own.get(code)
        return found if found is not None else self._everything()[code]

    def __contains__(self, code: object) -> bool:
        return code in self._own or code in self._everything()

    def __iter__(self) -> Iterator[str]:
        return iter(self._everything())

    def __len__(self) -> int:
        return len(self._everything())


CODES = CodeTable({**LOADER_CODES, **CHECKER_CODES})


# Builtin parameter names that take a function (a lambda may be passed there); see stdlib/registry.py.
CALLABLE_PARAMS = ("fn", "key", "predicate")
# Names the runtime provides in a flow.
FLOW_NAMES = ("source", "state")


def load_builtins() -> dict[str, Builtin]:
    """The stdlib registry (the language server's docs); whatever is registered when some stdlib module
    cannot be imported. The checker reads `builtin_signatures()` instead."""
    from flowlang import stdlib

    try:
        return dict(stdlib.load_all())
    except ImportError:
        return dict(stdlib.BUILTINS)


class Signature:
    """Parameters of a builtin, func or setting function as the argument checks see them.

    A plain class (one per builtin at every check): a dataclass costs ~1.7 M instructions of start-up."""

    __slots__ = ("kind", "name", "params", "variadic")

    def __init__(self, name: str, kind: str, params: tuple[tuple[str, bool], ...],
                 variadic: str | None = None) -> None:
        self.name = name
        self.kind = kind  # "builtin", "func" or "setting function"
        self.params = params  # (name, required)
        self.variadic = variadic  # name of a `*args` parameter of a builtin

    @property
    def min_args(self) -> int:
        return sum(1 for _, required in self.params if required)

    def param_at(self, index: int) -> str | None:
        if index < len(self.params):
            return self.params[index][0]
        return self.variadic


def builtin_signatures() -> dict[str, Signature]:
    """Every builtin's signature, from the generated table (see builtin_gen.py): no stdlib module imported."""
    from flowlang.checker.builtin_table import BUILTIN_TABLE

    return {name: Signature(name, "builtin", params, variadic)
            for name, (params, variadic) in BUILTIN_TABLE.items()}


def func_signature(func: nodes.Func) -> Signature:
    return Signature(func.name, "func", tuple((p.name, p.default is None) for p in func.params))


class Context:
    """The checker's shared state; passes add diagnostics with `report`."""

    def __init__(self, project: Project, systems: dict[str, SystemModel], builtins: dict[str, Signature]) -> None:
        self.project = project
        self.systems = systems
        self.builtins = builtins
        self.funcs: dict[str, tuple[nodes.Func, str]] = {}  # name -> (first declaration, file)
        self.visible: dict[str, set[str]] = {}  # file -> files whose names it sees
        # True when some file could not be loaded or parsed: unknown names may be defined there, so
        # "unknown system/operation/function" is not reported.
        self.incomplete = False
        self.diagnostics: list[Diagnostic] = []

    def report(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(code, CODES[code][0], message, span, hint))

    def funcs_for(self, file: str) -> dict[str, nodes.Func]:
        files = self.visible.get(file, {file})
        return {name: func for name, (func, where) in self.funcs.items() if where in files}

    def systems_for(self, file: str) -> dict[str, SystemModel]:
        files = self.visible.get(file, {file})
        return {name: sys for name, sys in self.systems.items() if sys.file in files}

    def signature(self, name: str, file: str) -> Signature | None:
        """The signature of a func visible from `file`, else of a builtin, else None."""
        entry = self.funcs.get(name)
        if entry is not None and entry[1] in self.visible.get(file, {file}):
            return func_signature(entry[0])
        return self.builtins.get(name)


def visibility(project: Project) -> dict[str, set[str]]:
    """For each file: itself and every file it imports, directly or not."""
    result: dict[str, set[str]] = {}
    for file in project.programs:
        seen = {file}
        stack = list(project.imports.get(file, ()))
        while stack:
            other = stack.pop()
            if other not in seen:
                seen.add(other)
                stack.extend(project.imports.get(other, ()))
        result[file] = seen
    return result


def build_context(project: Project, systems: dict[str, SystemModel]) -> Context:
    ctx = Context(project, systems, builtin_signatures())
    ctx.visible = visibility(project)
    ctx.incomplete = any(d.is_error for d in project.diagnostics)
    for file, program in project.programs.items():
        for func in program.funcs:
            ctx.funcs.setdefault(func.name, (func, file))
    return ctx
