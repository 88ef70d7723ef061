"""Fixtures of the pipes tests: the fake systems, a recorder that keeps everything in memory (jobs.py), and
`executor`: a real `flowlang serve` running its flows on one engine, on SQLite and on PostgreSQL."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator

import pytest
from engines import OWN_SCHEDULES, SERVED
from host.harness import HostServer, start_server
from jobs import EXAMPLES, MemoryRecorder

if str(EXAMPLES) not in sys.path:
    sys.path.insert(0, str(EXAMPLES))

import fake_systems  # lives in examples/, put on sys.path above


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


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def pipes_db(request: pytest.FixtureRequest) -> str | None:
    """The database of a server: its own SQLite file (None), or a fresh database of the session's
    PostgreSQL (one per server: two servers on one database would fire each other's schedules)."""
    if request.param == "sqlite":
        return None
    url: str = request.getfixturevalue("postgres_url")
    psycopg = pytest.importorskip("psycopg", reason="the PostgreSQL store needs psycopg: pip install -e '.[serve]'")
    name = f"pipes_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A module with FIRES_ON_THE_TEST_CLOCK skips its tests on the engines of OWN_SCHEDULES, before any fixture
    is set up (in the session-scoped `executor` a skip would be kept for every later test of that engine)."""
    callspec = getattr(item, "callspec", None)
    engine = callspec.params.get("executor") if callspec is not None else None
    module = getattr(item, "module", None)
    if engine in OWN_SCHEDULES and getattr(module, "FIRES_ON_THE_TEST_CLOCK", False):
        pytest.skip(OWN_SCHEDULES[engine])


@pytest.fixture(scope="session", params=sorted(SERVED))
def executor(request: pytest.FixtureRequest, pipes_db: str | None,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostServer]:
    """A server running its flows on one engine (engines.SERVED), with a test clock file for its scheduler
    (served.set_clock): every end-to-end pipes test runs on each engine and each store.

    One server per engine and store for the whole session (four in all, not four per module: starting a
    Temporal host with its workers costs seconds). Tests share it as they share `host`: each takes its own
    project (`executor.tenant()`) and looks at its own pipes only; a test that moves the clock does so on days
    of its own, and a pipe another test left behind fires nothing when the clock jumps over its due times
    (missed: skip, the default); on Temporal, whose Schedules keep real time, another test's pipe may fire,
    in its own project. So the tests do not depend on their order."""
    pytest.importorskip("starlette", reason="the host needs the serve extra: pip install -e '.[serve]'")
    directory = tmp_path_factory.mktemp(f"pipes-{request.param}")
    clock = directory / "clock"
    with SERVED[request.param](directory, pipes_db) as engine, \
            start_server(directory, pipes_db, args=engine.args,
                         env={**engine.env, "FLOWLANG_TEST_CLOCK": str(clock)}) as server:
        yield server
