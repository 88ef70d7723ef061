"""A run's counts on its flowchart: how often each node ran and whether it failed.

The run's record holds the runtime's per-location counts (`counts` of `GET /v2/runs/{id}`, see
flowlang/runtime/counts.py), by kind, file and line. A node takes the count of its own kind at its line:
an API call the calls made there, a func call the calls of the func, a loop its iterations, a `catch` the
errors it handled, anything else (assignments, `if`, `try`, `log`, `return`, …) the times its statement
began. A flow's start ran once; a func's start as often as its callers called it. A node is failed when
an error was raised at its line (a call refused, a `fail`, a missing field), caught or not, and a
`log failure` box when it logged at all. The error is put on the node at its line (a call or func call
there first), else on the nearest node above it in the same file (a statement written over several lines).
"""

from __future__ import annotations

from typing import Any

from flowlang.tools.graph import Badge, Graph
from flowlang.tools.graph import model as m

Key = tuple[str, int]
_BY_KIND = {m.CALL: "call", m.FUNC: "func", m.LOOP: "iteration", m.CATCH: "catch"}
_NOUN = {"call": "call", "func": "call", "iteration": "iteration", "catch": "error handled"}


def _tally(records: list[Any]) -> dict[str, dict[Key, int]]:
    """kind -> (file, line) -> count, keeping only well-formed records."""
    found: dict[str, dict[Key, int]] = {}
    for record in records:
        if not isinstance(record, dict):
            continue
        kind, file, line, count = (record.get(k) for k in ("kind", "file", "line", "count"))
        if isinstance(kind, str) and isinstance(file, str) and isinstance(line, int) and isinstance(count, int):
            place = found.setdefault(kind, {})
            place[(file, line)] = place.get((file, line), 0) + count
    return found


def _failed_nodes(graph: Graph, failures: dict[Key, int], prefix: str) -> dict[str, int]:
    """node id -> errors raised at it."""
    candidates = [n for n in graph.nodes() if n.kind not in (m.START, m.END)]
    found: dict[str, int] = {}
    for (file, line), count in failures.items():
        here = [n for n in candidates if n.file.removeprefix(prefix) == file and n.line == line]
        if not here:
            above = [n for n in candidates if n.file.removeprefix(prefix) == file and n.line < line]
            nearest = max((n.line for n in above), default=None)
            here = [n for n in above if n.line == nearest]
        if not here:
            continue
        chosen = next((n for n in here if n.kind in (m.CALL, m.FUNC, m.FAIL)), here[0])
        found[chosen.id] = found.get(chosen.id, 0) + count
    return found


def _times(count: int, noun: str = "time") -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def node_badges(graph: Graph, records: list[Any], prefix: str = "") -> dict[str, Badge]:
    """node id -> its badge, from a run's count records; `prefix` is cut off the graph's file names."""
    tally = _tally(records)
    failed = _failed_nodes(graph, tally.get("failure", {}), prefix)
    func_calls: dict[str, int] = {}
    for node in graph.nodes():
        if node.kind == m.FUNC and node.target:
            func_calls[node.target] = func_calls.get(node.target, 0) + tally.get("func", {}).get(
                (node.file.removeprefix(prefix), node.line), 0)
    badges: dict[str, Badge] = {}
    for chart in graph.charts:
        for node in m.iter_nodes(chart.body):
            if node.kind == m.END:
                continue
            kind = _BY_KIND.get(node.kind, "statement")
            if node.kind == m.START:
                count = 1 if chart.kind == "flow" else func_calls.get(chart.id, 0)
                note = "the flow ran" if chart.kind == "flow" else f"called {_times(count)}"
            else:
                count = tally.get(kind, {}).get((node.file.removeprefix(prefix), node.line), 0)
                note = (f"{_times(count, _NOUN[kind])}" if kind in _NOUN else f"ran {_times(count)}")
            errors = failed.get(node.id, 0)
            if errors:
                state, note = "failed", f"{note}, failed {_times(errors)}"
            elif node.kind == m.LOG and node.tone == "failure" and count:
                state = "failed"
            else:
                state = "ok" if count else "idle"
            badges[node.id] = Badge(str(count), state, note)
    return badges
