"""The code generator: a checked project -> one standalone Python module (Python 3.11+ and httpx only).

`compile_project(project, flow_name)` returns the module's source text. The pipeline: AST -> safe
context (`context.py`: mangled names, repr()'d literals, code laid out as ruff formats it) -> Jinja2
template (`templates/module.py.j2`) -> call sites resolved (`sites.py`) -> `compile()` check.

The module inlines the runtime and the builtins the flow uses (`inline.py`), evaluates expressions
with the same `values.*` functions as the interpreter, and runs through the shared
`launcher.launch()`, so output, logs, exit codes and state are the interpreter's.
"""

from __future__ import annotations

import functools
import sys
from typing import Any

import jinja2

from flowlang.codegen.context import SITES_MARKER, build_context, sites_table
from flowlang.codegen.inline import InlineError
from flowlang.codegen.names import CodegenError

__all__ = ["CodegenError", "compile_project"]

# The generator recurses over expressions and blocks; what the checker accepts (E021, E126, E127) fits in this
# (Python-to-Python calls do not use the C stack on 3.11+), as it does in the checker's own passes.
RECURSION_LIMIT = 20_000


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("flowlang.codegen", "templates"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # the output is Python; every value is escaped by the context builder
    )


def compile_project(project: Any, flow_name: str | None = None, counting: bool = False) -> str:
    """The standalone module that runs flow `flow_name` of a checked `flowlang.loader.Project`.

    `counting`: every statement calls `rt.hit(where)` as it begins and every `catch` `rt.caught(…)`, for
    the per-node counts of a run made with `count_locations` (runtime/counts.py); the module made
    without it has no such calls.

    Raises CodegenError when the flow cannot be chosen or the module would not be valid Python.
    """
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, RECURSION_LIMIT))
    try:
        context, sites = build_context(project, flow_name, counting)
    except InlineError as exc:
        raise CodegenError(f"cannot inline the runtime: {exc}") from None
    except RecursionError:
        raise CodegenError("the flow is nested too deeply to compile") from None
    finally:
        sys.setrecursionlimit(previous)
    laid_out = _environment().get_template("module.py.j2").render(context)
    source, entries = sites.resolve(laid_out)
    if source.count(SITES_MARKER) != 1:
        raise CodegenError("the template must hold the call-site table once")
    source = source.replace(SITES_MARKER, sites_table(entries, context["n"]["Where"]))
    try:
        compile(source, f"<compiled {project.root}>", "exec")
    except (SyntaxError, RecursionError, MemoryError) as exc:  # never hand out a broken module
        detail = exc.msg if isinstance(exc, SyntaxError) else type(exc).__name__
        raise CodegenError(f"the generated module is not valid Python: {detail}") from None
    return source
