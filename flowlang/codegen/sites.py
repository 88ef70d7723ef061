"""Builtin call sites: where each builtin call of the flow ends up in the module, for error locations.

Builtins are called directly (no wrapper on the hot path). When one fails, the module's `locate()`
finds the failing call's line and column through the traceback (`co_positions`) and looks them up in
the SITES table, which names the builtin and its `.flow` location. While code is laid out, a call's
function name is a placeholder of the same length (so the layout is the same); `resolve` replaces the
placeholders and records their final positions (1-based lines, UTF-8 byte columns, as Python reports).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flowlang.codegen import names

_BASE = 0xE000  # Unicode private use area: never in generated code otherwise (literals escape it)
_DIGITS = 0x800
_FILL = chr(0xF8FF)
_PLACEHOLDER = re.compile(f"[{chr(_BASE)}-{chr(_BASE + _DIGITS - 1)}]+{_FILL}*")


@dataclass
class Sites:
    """The builtin call sites of one module, by placeholder."""

    calls: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # placeholder -> (py, name, where)

    def placeholder(self, python_name: str, flow_name: str, where: str) -> str:
        """A stand-in for `python_name` at one call site, of the same length."""
        n = len(self.calls)
        digits = ""
        while True:
            digits += chr(_BASE + n % _DIGITS)
            n //= _DIGITS
            if not n:
                break
        if len(digits) > len(python_name):
            raise names.CodegenError("too many builtin calls in one module")
        token = digits + _FILL * (len(python_name) - len(digits))
        self.calls[token] = (python_name, flow_name, where)
        return token

    @staticmethod
    def erased(text: str) -> str:
        """`text` with every placeholder blanked: two renderings of the same code compare equal."""
        return _PLACEHOLDER.sub("_", text)

    def resolve(self, text: str) -> tuple[str, list[str]]:
        """`text` with the real names put back, and the SITES entries `(line, col): (name, where)`."""
        out_lines: list[str] = []
        entries: list[str] = []
        for number, line in enumerate(text.split("\n"), 1):
            if _PLACEHOLDER.search(line) is None:
                out_lines.append(line)
                continue
            built = ""
            last = 0
            for match in _PLACEHOLDER.finditer(line):
                python_name, flow_name, where = self.calls[match.group()]
                built += line[last : match.start()]
                column = len(built.encode("utf-8"))
                entries.append(f"({number}, {column}): ({names.string(flow_name)}, {where}),")
                built += python_name
                last = match.end()
            out_lines.append(built + line[last:])
        return "\n".join(out_lines), entries
