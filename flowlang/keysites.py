"""The call sites of idempotency keys: a name for each `call sys.op(…, idempotency_key: …)` of a project.

A key given a source (`idempotency_key: o.id`, `idempotency_key: header("Idempotency-Key", o.id)`) is derived
from the flow, this name and the source's value (runtime/idempotency.py), so two calls of one operation with the
same value (an order and its refund keyed by `o.id`) send different keys. The name is the flow or func the call
stands in, the operation, and how many keyed calls of that operation come before it there: editing other lines
(a fix before a resumed run) keeps every key; adding a keyed call of the same operation above it renumbers the
ones below. Both engines name sites with this function, so their keys are the same.
"""

from __future__ import annotations

from collections.abc import Iterable

from flowlang import nodes

KEY_ARGUMENT = "idempotency_key"

SiteKey = tuple[str, int, int]  # the call's (file, line, column), as the engines locate it


def key_sites(programs: Iterable[nodes.Program]) -> dict[SiteKey, str]:
    """The site name of every API call with an `idempotency_key:` argument, by the call's position."""
    sites: dict[SiteKey, str] = {}
    for program in programs:
        bodies = [(f"func {f.name}", f) for f in program.funcs] + [(f"flow {f.name}", f) for f in program.flows]
        for owner, decl in bodies:
            counts: dict[str, int] = {}
            for node in nodes.walk(decl):
                if isinstance(node, nodes.ApiCall) and any(a.name == KEY_ARGUMENT for a in node.args):
                    operation = f"{node.system}.{node.operation}"
                    counts[operation] = counts.get(operation, 0) + 1
                    span = node.span
                    sites[(span.file, span.line, span.column)] = f"{owner} {operation} {counts[operation]}"
    return sites


KEY_LOCATIONS = ("header", "query", "body")


def call_site_form(value: nodes.Node) -> tuple[str, nodes.Node, nodes.Node] | None:
    """`header("Idempotency-Key", o.id)` (or query/body, arguments by position or as `name:`, `source:`) as
    (location, name, source); None for any other value (a plain source, or a form the checker refuses)."""
    if not isinstance(value, nodes.Call) or value.func not in KEY_LOCATIONS or len(value.args) != 2:
        return None
    given: dict[str, nodes.Node] = {}
    for index, arg in enumerate(value.args):
        given[arg.name or ("name", "source")[index]] = arg.value
    if set(given) != {"name", "source"}:
        return None
    return value.func, given["name"], given["source"]
