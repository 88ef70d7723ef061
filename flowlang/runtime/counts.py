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

import itertools
import threading
from collections.abc import Callable
from typing import Any

from flowlang.runtime.errors import Where

COUNT_KINDS = ("statement", "iteration", "call", "func", "catch", "failure")


class LocationCounts:
    """Counters by kind and location. Each location has an `itertools.count`, whose `next()` is one step
    under the GIL: parallel iterations count into the same counter without a lock (a lock is only taken
    to add a location seen for the first time)."""

    def __init__(self) -> None:
        self._places: dict[str, dict[Where, itertools.count[int]]] = {kind: {} for kind in COUNT_KINDS}
        self._lock = threading.Lock()

    def adder(self, kind: str) -> Callable[[Where], None]:
        """`add(where)` for one kind: what a counting Run binds to the methods engines call."""
        places, lock = self._places[kind], self._lock

        def add(where: Where) -> None:
            counter = places.get(where)
            if counter is None:
                if where is None:
                    return
                with lock:
                    counter = places.setdefault(where, itertools.count(1))
            next(counter)

        return add

    def add(self, kind: str, where: Where) -> None:
        self.adder(kind)(where)

    def records(self, prefix: str = "") -> list[dict[str, Any]]:
        """The counts as JSON-ready records by kind, file and line (the columns of a line added up), in
        file and line order; `prefix` is cut off file names."""
        totals: dict[tuple[str, int, str], int] = {}
        with self._lock:
            for kind, places in self._places.items():
                for where, counter in list(places.items()):
                    if where is not None:
                        key = (where[0].removeprefix(prefix) if prefix else where[0], where[1], kind)
                        totals[key] = totals.get(key, 0) + int(repr(counter)[6:-1]) - 1  # "count(N)"
        return [{"kind": kind, "file": file, "line": line, "count": n}
                for (file, line, kind), n in sorted(totals.items())]
