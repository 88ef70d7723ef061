"""Fixtures of the runtime core tests: a fake HTTP client and a Run wired to a real state file."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from flowlang.runtime.context import Run
from flowlang.runtime.errors import Where
from flowlang.runtime.runlog import RunLog
from flowlang.runtime.state import StateStore


class FakeHttp:
    """Stands in for http.HttpClient: same constructor and methods, answers from memory."""

    def __init__(
        self,
        systems: dict[str, Any],
        *,
        secrets: set[str] | None = None,
        on_request: Callable[..., None] | None = None,
        pages: list[list[Any]] | None = None,
    ) -> None:
        self.systems = systems
        self.secrets = secrets
        self.on_request = on_request
        self.pages = pages if pages is not None else [[1, 2], [3]]
        self.sent: list[tuple[str, str, dict[str, Any]]] = []
        self.closed = False

    def _send(self, system: str, operation: str, args: dict[str, Any]) -> None:
        self.sent.append((system, operation, args))
        if self.on_request is not None:
            self.on_request("GET", f"http://fake/{system}/{operation}", 200, 0.001)

    def request(self, system: str, operation: str, args: dict[str, Any], where: Where) -> dict[str, Any]:
        self._send(system, operation, args)
        return {"status": 200, "ok": True, "headers": {}, "body": args}

    def records(self, system: str, operation: str, args: dict[str, Any], where: Where) -> Iterator[Any]:
        for page in self.pages:
            self._send(system, operation, args)
            yield from page

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def state_path(tmp_path: Path) -> Path:
    return tmp_path / "state.db"


@pytest.fixture
def store(state_path: Path) -> Iterator[StateStore]:
    with StateStore(state_path) as opened:
        yield opened


@pytest.fixture
def log_stream() -> io.StringIO:
    return io.StringIO()


@pytest.fixture
def make_run(store: StateStore, log_stream: io.StringIO) -> Callable[..., Run]:
    """A Run on the fake HTTP client and the tmp state store; keyword arguments override."""

    def make(**options: Any) -> Run:
        log = options.pop("log", None) or RunLog(log_stream)
        run = Run(flow=options.pop("flow", "sync"), log=log, store=store, **options)
        if run.http is None:
            run.http = FakeHttp({}, on_request=run.count_request)
        return run

    return make
