"""Fixtures of the pipes tests: the fake systems, a recorder that keeps everything in memory, flow jobs, and
`executor`: a real `flowlang serve` running its flows on one engine, on SQLite and on PostgreSQL."""

from __future__ import annotations

import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from host.harness import HostServer, start_server

from flowlang.host.executors import LogLine, RunJob, RunOutcome

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
if str(EXAMPLES) not in sys.path:
    sys.path.insert(0, str(EXAMPLES))

import fake_systems  # noqa: E402  (lives in examples/, put on sys.path above)


class MemoryRecorder:
    """A Recorder that keeps logs, state and outcomes in dicts; `wait(run_id)` blocks until a run ends."""

    def __init__(self) -> None:
        self.lines: dict[str, list[LogLine]] = {}
        self.states: dict[tuple[str, str], dict[str, Any]] = {}
        self.outcomes: dict[str, RunOutcome] = {}
        self.saves = 0
        self._done = threading.Condition()

    def log_lines(self, run_id: str, lines: list[LogLine]) -> None:
        with self._done:
            self.lines.setdefault(run_id, []).extend(lines)

    def load_state(self, project: str, state_key: str) -> dict[str, Any]:
        with self._done:
            return dict(self.states.get((project, state_key), {}))

    def save_state(self, project: str, state_key: str, state: dict[str, Any]) -> None:
        with self._done:
            self.states[(project, state_key)] = dict(state)
            self.saves += 1

    def finish(self, run_id: str, outcome: RunOutcome) -> None:
        with self._done:
            assert run_id not in self.outcomes, f"run {run_id} finished twice"
            self.outcomes[run_id] = outcome
            self._done.notify_all()

    def wait(self, run_id: str, timeout: float = 30) -> RunOutcome:
        with self._done:
            assert self._done.wait_for(lambda: run_id in self.outcomes, timeout), f"run {run_id} did not end"
            return self.outcomes[run_id]

    def messages(self, run_id: str) -> list[str]:
        with self._done:
            return [line.message for line in self.lines.get(run_id, [])]


@pytest.fixture
def recorder() -> MemoryRecorder:
    return MemoryRecorder()


@pytest.fixture(scope="session")
def fake_server() -> Iterator[fake_systems.RunningServer]:
    with fake_systems.start() as server:
        yield server


@pytest.fixture
def fake(fake_server: fake_systems.RunningServer) -> fake_systems.RunningServer:
    """The shared fake-systems server with its seeded data restored and its request log empty."""
    fake_server.reset()
    return fake_server


def example_files(*names: str) -> dict[str, str]:
    """Files of examples/ by their name there (what a stored flow version holds)."""
    return {name: (EXAMPLES / name).read_text(encoding="utf-8") for name in names}


def job(root: str, files: dict[str, str], *, input: Any = None, credentials: dict[str, str] | None = None,
        state_key: str = "flow-1", version: int = 1) -> RunJob:
    return RunJob(run_id=uuid.uuid4().hex, project="acme", flow_id="flow-1", flow_name=None,
                  version=version, root=root, files=files, input=input,
                  credentials=credentials or {}, state_key=state_key)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def pipes_db(request: pytest.FixtureRequest) -> str | None:
    """The database of a module's server: its own SQLite file (None), or a fresh database of the session's
    PostgreSQL (one per server: two servers on one database would fire each other's schedules)."""
    if request.param == "sqlite":
        return None
    url: str = request.getfixturevalue("postgres_url")
    psycopg = pytest.importorskip("psycopg", reason="the PostgreSQL store needs psycopg: pip install -e '.[serve]'")
    name = f"pipes_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="module", params=["inprocess"])
def executor(request: pytest.FixtureRequest, pipes_db: str | None,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostServer]:
    """A server running its flows on one executor (issue 13 adds Temporal to the parameters), with a test
    clock file for its scheduler (served.clock_of): every end-to-end pipes test runs on each engine."""
    pytest.importorskip("starlette", reason="the host needs the serve extra: pip install -e '.[serve]'")
    directory = tmp_path_factory.mktemp(f"pipes-{request.param}")
    clock = directory / "clock"
    with start_server(directory, pipes_db, env={"FLOWLANG_TEST_CLOCK": str(clock)}) as server:
        yield server
