"""The checker: `check(project)` runs every pass over a loaded project and returns sorted diagnostics.

Passes, one module each: declarations (duplicates), settings (systems, operations, flow headers), scopes
(names, definite assignment, unused variables, loops, unreachable code), calls (builtins, funcs, API
calls, lambdas, object keys), samples (`source:` files and field paths), tests (`test` blocks), and spec_calls (calls checked
against OpenAPI documents, when that module is installed).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable

from flowlang.checker.calls import check_calls
from flowlang.checker.context import CODES, build_context
from flowlang.checker.declarations import check_declarations
from flowlang.checker.depth import check_depth
from flowlang.checker.samples import check_samples
from flowlang.checker.scopes import check_scopes
from flowlang.checker.settings import check_settings
from flowlang.checker.tests import check_tests
from flowlang.diagnostics import ERROR, Diagnostic, Span
from flowlang.loader import Project
from flowlang.systems import SystemModel, build_systems

__all__ = ["CODES", "check", "check_spec_calls_hook"]

# Statements nest by recursion in the scopes pass; the parser already rejects very deep nesting, and this
# limit keeps what it accepts safe (Python-to-Python calls do not use the C stack on 3.11+).
RECURSION_LIMIT = 20_000

SpecCheck = Callable[[Project, dict[str, SystemModel]], list[Diagnostic]]


def check_spec_calls_hook() -> SpecCheck | None:
    """`flowlang.checker.spec_calls.check_spec_calls`, when the OpenAPI part provides it."""
    if importlib.util.find_spec("flowlang.checker.spec_calls") is None:
        return None
    module = importlib.import_module("flowlang.checker.spec_calls")
    hook: SpecCheck | None = getattr(module, "check_spec_calls", None)
    return hook


def _run_passes(project: Project) -> list[Diagnostic]:
    systems, spec_problems = build_systems(project.programs.values())
    ctx = build_context(project, systems)
    ctx.diagnostics.extend(spec_problems)
    check_declarations(ctx)
    exempt = check_settings(ctx)
    check_scopes(ctx)
    check_calls(ctx, exempt)
    check_samples(ctx)
    check_tests(ctx)
    check_depth(ctx)
    # Only flows with a `spec:` system need the OpenAPI modules (and yaml): start-up stays short without.
    spec_check = check_spec_calls_hook() if _has_spec(project) else None
    if spec_check is not None:
        ctx.diagnostics.extend(spec_check(project, systems))
    return ctx.diagnostics


def _has_spec(project: Project) -> bool:
    return any(s.key == "spec" for p in project.programs.values() for sy in p.systems for s in sy.settings)


def check(project: Project) -> list[Diagnostic]:
    """Every diagnostic of a project, sorted: the loader's and parser's first-hand ones included."""
    found = list(project.diagnostics)
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, RECURSION_LIMIT))
    try:
        found.extend(_run_passes(project))
    except RecursionError:
        span = Span(project.root, 1, 1, 1, 2)
        found.append(Diagnostic("E100", ERROR, "the flow is nested too deeply to check", span,
                                "split deeply nested blocks or expressions into funcs"))
    finally:
        sys.setrecursionlimit(previous)
    unique = {(d.sort_key(), d.message): d for d in found}
    return sorted(unique.values(), key=lambda d: (*d.sort_key(), d.message))
