"""Runtime errors: a kind, a message, the `.flow` location, and for HTTP errors the response."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# (file, line, column) of the flowlang source that was running; None when unknown.
Where = tuple[str, int, int] | None

# The documented values of `err.kind` in a `catch` block.
KINDS = (
    "http",        # a non-2xx response (after retries)
    "timeout",     # the request timed out (after retries)
    "connection",  # the server could not be reached (after retries)
    "json",        # a response or parse_json input that is not valid JSON
    "data",        # a missing field, index out of range, wrong type of value
    "user",        # raised by `fail`
    "limit",       # step limit or recursion limit reached
    "input",       # bad input payload, env file, or missing env/secret
)


def suggest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to `name`, or None when nothing is close enough.

    Failing a close spelling, the only candidate that `name` abbreviates (`qty` -> `quantity`).
    """
    names = [str(c) for c in candidates]
    import difflib  # here: only an error needs it

    found = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    if found:
        return found[0]
    longer = [c for c in names if len(name) >= 2 and c[:1] == name[:1] and _abbreviates(name, c)]
    return longer[0] if len(longer) == 1 else None


def _abbreviates(short: str, full: str) -> bool:
    """Are the letters of `short` found in `full`, in order?"""
    rest = iter(full)
    return len(short) < len(full) and all(ch in rest for ch in short)


class FlowError(Exception):
    """An error raised while a flow runs; `catch err` sees it as `to_value()`."""

    def __init__(
        self,
        kind: str,
        message: str,
        where: Where = None,
        *,
        hint: str | None = None,
        status: int | None = None,
        body: Any = None,
        system: str | None = None,
        operation: str | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.where = where
        self.hint = hint
        self.status = status
        self.body = body
        self.system = system
        self.operation = operation
        self.stack: list[str] = []  # "flow sync at sync.flow:12:5", innermost first
        # While the error unwinds through calls: where the last frame added to `stack` was called from.
        self.stack_where: Where = None

    def located(self, where: Where) -> FlowError:
        """Give the error a location if it has none yet (the innermost location wins)."""
        if self.where is None:
            self.where = where
        return self

    def to_value(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "message": self.message,
            "status": self.status,
            "body": self.body,
            "system": self.system,
            "operation": self.operation,
            "line": self.where[1] if self.where else None,
        }

    def render(self) -> str:
        """`file:line:col: error: message (hint)` as printed when a run fails."""
        loc = f"{self.where[0]}:{self.where[1]}:{self.where[2]}: " if self.where else ""
        text = f"{loc}error: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class UserError(FlowError):
    """`fail e` raises this; kind "user"."""

    def __init__(self, message: str, where: Where = None) -> None:
        super().__init__("user", message, where)
