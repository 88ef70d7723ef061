"""`flowlang test --coverage`: which statements of the flows the tests ran were reached (on the compiled engine).

A compiled module writes `# file:line: statement` above the code of every statement; tracing the module's
lines while the tests run tells which statements ran. Statements of the flows no test runs are not listed.
"""

from __future__ import annotations

import re
import sys
import threading
from types import FrameType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flowlang.testing.runner import Session

_STATEMENT = re.compile(r"^\s*# (.+?):(\d+): ")
COMPILED_PREFIX = "<compiled "
_MODULES: dict[str, str] = {}  # code filename of a compiled module -> its source (see engines.Engines)


def remember(filename: str, source: str) -> None:
    """Called for every compiled module the tests load."""
    _MODULES[filename] = source


def line_table(source: str) -> dict[int, tuple[str, int]]:
    """Generated line -> (flow file, flow line) of the statement whose code starts there."""
    table: dict[int, tuple[str, int]] = {}
    for number, line in enumerate(source.splitlines(), 1):
        found = _STATEMENT.match(line)
        if found:
            table[number + 1] = (found.group(1), int(found.group(2)))
    return table


def statement_lines(session: Session | None = None) -> dict[str, set[int]]:
    """Every statement line of every flow file a compiled module was made from."""
    lines: dict[str, set[int]] = {}
    for source in _MODULES.values():
        for file, line in line_table(source).values():
            lines.setdefault(file, set()).add(line)
    return lines


class Tracker:
    """A context manager tracing compiled flow code in every thread; `reached`: file -> lines."""

    def __init__(self) -> None:
        self.reached: dict[str, set[int]] = {}
        self._tables: dict[str, dict[int, tuple[str, int]]] = {}

    def _table(self, filename: str) -> dict[int, tuple[str, int]]:
        table = self._tables.get(filename)
        if table is None:
            table = self._tables[filename] = line_table(_MODULES.get(filename, ""))
        return table

    def _global(self, frame: FrameType, event: str, arg: Any) -> Any:
        if event == "call" and frame.f_code.co_filename.startswith(COMPILED_PREFIX):
            return self._local
        return None

    def _local(self, frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            hit = self._table(frame.f_code.co_filename).get(frame.f_lineno)
            if hit is not None:
                self.reached.setdefault(hit[0], set()).add(hit[1])
        return self._local

    def __enter__(self) -> Tracker:
        sys.settrace(self._global)
        threading.settrace(self._global)
        return self

    def __exit__(self, *exc: object) -> None:
        sys.settrace(None)
        threading.settrace(None)
