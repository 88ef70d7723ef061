"""Idempotency keys: the same key for the same write on a re-run, so a destination that honours keys sees it once.

`idempotency_key: header("Idempotency-Key")` (or `query("key")`, `body("key")`) on an operation makes every call
of it carry a key. Without a source the key is derived from the flow, its attempt (how many runs of the flow
succeeded before: a run after a failed or killed one repeats its keys), the operation and the call's position
(how many calls of that operation came before it in this run, per parallel iteration). With a source
(`call shop.create(…, idempotency_key: o.id)`, or `idempotency_key: header("Idempotency-Key", o.id)`, where the
call also says where the key goes) it is derived from the flow, the call site (flowlang/keysites.py) and that
value only: the same in every run, resumed or not.
"""

from __future__ import annotations

import threading
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from flowlang.runtime.values import to_json

LOCATIONS = ("header", "query", "body")
# The parallel iterations the current thread runs inside: (index in the outer loop, index in the inner one…).
PARALLEL_PATH: ContextVar[tuple[int, ...]] = ContextVar("flowlang_parallel_path", default=())


@dataclass(frozen=True)
class IdempotencyKey:
    """Where an operation sends its key: a header, a query parameter or a field of the JSON body."""

    location: str  # header | query | body
    name: str


@dataclass(frozen=True)
class KeySource:
    """A call's `idempotency_key:` argument as the engines pass it: the value the key is made from, the call
    site's name, and where the key goes when the call says so (`header("Idempotency-Key", o.id)`), else None
    (where the operation's `idempotency_key:` option says)."""

    value: Any
    site: str
    key: IdempotencyKey | None = None


def run_scope(flow: str, succeeded_before: int) -> str:
    """What a run's derived keys have in common: the flow and its attempt."""
    return f"{flow}#{succeeded_before}"


def _uuid(parts: list[Any]) -> str:
    import hashlib  # here, with uuid: ~10 ms to import, for flows that call APIs only
    import uuid

    digest = hashlib.sha256(to_json(parts).encode("utf-8")).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


class KeyMaker:
    """The keys of one run: positions are counted per operation and parallel iteration."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, tuple[int, ...]], int] = {}
        self._lock = threading.Lock()

    def derived(self, scope: str, operation: str) -> str:
        """The key of the next call of `operation` (`system.op`) in the run `scope`."""
        path = PARALLEL_PATH.get()
        with self._lock:
            number = self._counts.get((operation, path), 0)
            self._counts[(operation, path)] = number + 1
        return _uuid(["flowlang-idempotency", scope, operation, list(path), number])

    @staticmethod
    def given(flow: str, site: str, source: Any) -> str:
        """The key of a call whose source is given: the same for the same value at the same call site, in any run."""
        return _uuid(["flowlang-idempotency", flow, site, "source", source])
