"""`--plan`: a run that sends its reads for real and no write; each write is written down and answered `planned`.

A read is a GET or HEAD, or an operation marked `safe: true` (a POST search, say). Every other request is a
write: it is not sent, the plan keeps its method, URL and body, and the flow gets
`{status: 0, ok: true, planned: true, headers: {}, body: null}`. The first time the flow reads `status`,
`headers` or `body` of such an answer, the run log warns that what follows depends on a response the plan
made up. The launcher prints the planned writes at the end (a table, or JSON) and commits no state.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flowlang.runtime.errors import Where
from flowlang.runtime.masking import mask_secrets
from flowlang.runtime.values import to_json

READ_METHODS = frozenset({"GET", "HEAD"})
MADE_UP = frozenset({"status", "headers", "body"})  # the fields of a planned answer the plan invents
BODY_WIDTH = 60  # characters of a body the text table shows (the JSON has it whole)


@dataclass
class PlannedWrite:
    """One request a plan did not send."""

    operation: str  # "system.operation"
    method: str
    url: str
    body: Any
    where: Where = None


class PlannedResponse(dict[str, Any]):
    """The answer to a planned write; reading a field the plan made up warns once per run."""

    def __init__(self, plan: Plan, write: PlannedWrite) -> None:
        super().__init__(status=0, ok=True, planned=True, headers={}, body=None)
        self._plan = plan
        self._write = write

    def __getitem__(self, key: Any) -> Any:
        if key in MADE_UP:
            self._plan.used(self._write, key)
        return super().__getitem__(key)

    def get(self, key: Any, default: Any = None) -> Any:
        if key in MADE_UP:
            self._plan.used(self._write, key)
        return super().get(key, default)


@dataclass
class Plan:
    """The writes of one planned run, in the order the flow made them."""

    writes: list[PlannedWrite] = field(default_factory=list)
    warn: Callable[[str, Where], None] | None = None  # the run log's warning, set by the launcher
    warned: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @staticmethod
    def is_write(method: str, safe: bool) -> bool:
        return method.upper() not in READ_METHODS and not safe

    def write(self, operation: str, method: str, url: str, body: Any, where: Where) -> PlannedResponse:
        planned = PlannedWrite(operation, method, url, body, where)
        with self._lock:
            self.writes.append(planned)
        return PlannedResponse(self, planned)

    def used(self, write: PlannedWrite, key: str) -> None:
        with self._lock:
            if self.warned:
                return
            self.warned = True
        if self.warn is not None:
            self.warn(f"the flow reads `{key}` of the answer to a planned write ({write.operation}): a plan "
                      "answers writes with {status: 0, ok: true, planned: true, body: null}, so what the flow "
                      "does next may differ from a real run", write.where)

    def per_operation(self) -> dict[str, list[PlannedWrite]]:
        grouped: dict[str, list[PlannedWrite]] = {}
        for planned in self.writes:
            grouped.setdefault(planned.operation, []).append(planned)
        return grouped

    def as_json(self, flow: str, status: str, result: Any, secrets: set[str]) -> str:
        """The plan as JSON: every write whole (secrets masked), the run's status and the flow's result."""
        data = {
            "flow": flow, "status": status, "result": result,
            "writes": [{"operation": w.operation, "method": w.method, "url": w.url, "body": w.body,
                        "line": w.where[1] if w.where else None} for w in self.writes],
        }
        return mask_secrets(to_json(data, indent=2), secrets) + "\n"

    def as_table(self, flow: str, status: str, secrets: set[str]) -> str:
        """The writes per operation: a count, then each write's method, URL and (shortened) body."""
        count = len(self.writes)
        ending = "" if status == "planned" else " before the flow failed"
        lines = [f"plan of flow {flow}: {count} write{'' if count == 1 else 's'} planned{ending}, none sent"]
        grouped = self.per_operation()
        if grouped:
            width = max(len(name) for name in grouped)
            lines.append("")
            lines.append(f"  {'operation'.ljust(width)}  writes")
            lines.extend(f"  {name.ljust(width)}  {len(items):>6}" for name, items in grouped.items())
        for name, items in grouped.items():
            lines.append("")
            lines.append(f"{name}:")
            for w in items:
                where = f"  (line {w.where[1]})" if w.where else ""
                body = "" if w.body is None else "  " + _short(mask_secrets(to_json(w.body), secrets))
                lines.append(f"  {w.method} {w.url}{body}{where}")
        return mask_secrets("\n".join(lines), secrets) + "\n"


def _short(text: str) -> str:
    return text if len(text) <= BODY_WIDTH else text[:BODY_WIDTH - 1] + "…"
