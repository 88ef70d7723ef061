"""The API tests of tests/host again, with `host` served from PostgreSQL instead of SQLite."""

from __future__ import annotations

import pytest

from host.harness import HostServer


@pytest.fixture(scope="session")
def host(postgres_host: HostServer) -> HostServer:
    return postgres_host
