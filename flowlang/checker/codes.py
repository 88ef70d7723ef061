"""The checker's code table: every diagnostic code it can report, its severity and one-line meaning."""

from __future__ import annotations

from flowlang.diagnostics import ERROR, WARNING
from flowlang.loader import LOADER_CODES

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
    "E108": (ERROR, "assignment to `source` or `state` itself"),
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
    "W201": (WARNING, "field not in the `source` sample"),
}

CODES: dict[str, tuple[str, str]] = {**LOADER_CODES, **CHECKER_CODES}


def severity(code: str) -> str:
    return CODES[code][0]
