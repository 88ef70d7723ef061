"""Fixtures of the host tests, meant for reuse by every test that needs a running `flowlang serve`.

- `host` (session): one real `flowlang serve` on a SQLite file, on a free 127.0.0.1 port, in a subprocess
  (see harness.py: `HostServer` has `.url`, `.db`, `.log()`, `.tenant()`, `.client(token)`, `.flowlang()`).
  Tests share it; each takes its own project with `host.tenant()` (or the `tenant` fixture), so they
  never see each other's flows. Start a private one with `harness.start_server(tmp_path)` when a test
  must restart or kill the server.
- `tenant`: a fresh project with a token on `host`, and an httpx client signed in to it
  (`tenant.http.get("/v2/flows")`).
- `postgres_host` (session): the same server on the session's PostgreSQL (`postgres_url`, tests/conftest.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from host.harness import HostServer, Tenant, start_server


@pytest.fixture(scope="session")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostServer]:
    """A real `flowlang serve` on SQLite for the whole session."""
    pytest.importorskip("starlette", reason="the host needs the serve extra: pip install -e '.[serve]'")
    with start_server(tmp_path_factory.mktemp("host")) as server:
        yield server


@pytest.fixture
def tenant(host: HostServer) -> Tenant:
    """A new project with its own token on the shared server."""
    return host.tenant()


@pytest.fixture
def private_host(tmp_path: Path) -> Iterator[HostServer]:
    """A server of the test's own (its own database), stopped when the test ends."""
    with start_server(tmp_path / "private") as server:
        yield server


@pytest.fixture(scope="session")
def postgres_host(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostServer]:
    """A real `flowlang serve --db postgresql://…` for the session."""
    with start_server(tmp_path_factory.mktemp("pghost"), postgres_url) as server:
        yield server
