"""How often each place of a flow ran in one run, and where it failed: what the console's flowchart shows.

A run counts only when it was asked to (`Run(count_locations=True)`, the host's runs): otherwise none of
this is reached. Counts are kept by (kind, file, line):

- `statement`: a statement began (an assignment, `if`, `try`, `log`, `return`, …; an `else if` when its
  condition is reached). Engines report these only from code compiled for counting (the interpreter's
  `compile_project(…, counting=True)`, the code generator's `compile_project(…, counting=True)`).
- `iteration`: one iteration of the `for`/`each`/`parallel`/`while` loop at that line.
- `call`: an API call (`call` or `each`) at that line was made.
- `func`: a func was called at that line.
- `catch`: the `catch` block at that line handled an error.
- `failure`: an error was raised at that line, caught or not (the `file:line` of the error).
"""

from __future__ import annotations

import threading
from typing import Any

from flowlang.runtime.errors import Where

COUNT_KINDS = ("statement", "iteration", "call", "func", "catch", "failure")


class LocationCounts:
    """Counters by (kind, file, line); thread-safe (parallel iterations count into the same one)."""

    def __init__(self) -> None:
        self.found: dict[tuple[str, str, int], int] = {}
        self._lock = threading.Lock()

    def add(self, kind: str, where: Where) -> None:
        if where is None:
            return
        key = (kind, where[0], where[1])
        with self._lock:
            self.found[key] = self.found.get(key, 0) + 1

    def records(self, prefix: str = "") -> list[dict[str, Any]]:
        """The counts as JSON-ready records, in file and line order; `prefix` is cut off file names."""
        with self._lock:
            items = sorted(self.found.items(), key=lambda item: (item[0][1], item[0][2], item[0][0]))
        return [{"kind": kind, "file": file.removeprefix(prefix) if prefix else file, "line": line, "count": n}
                for (kind, file, line), n in items]
