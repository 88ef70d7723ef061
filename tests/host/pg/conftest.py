"""The API tests of tests/host again, with `host` served from PostgreSQL instead of SQLite."""

from __future__ import annotations

import pytest

from host.harness import HostServer


@pytest.fixture(scope="session")
def host(postgres_host: HostServer) -> HostServer:
    return postgres_host


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Keep in test_api_on_postgres.py only the tests that take `host`, the ones this folder moves to
    PostgreSQL. The others its star imports bring (servers of their own on SQLite, and test_concurrency's
    test that names its servers: `host` and `postgres_host`, both PostgreSQL here) would run exactly as they
    already do in their own modules: the same test twice, proving nothing more."""
    items[:] = [item for item in items
                if item.path.name != "test_api_on_postgres.py" or "host" in getattr(item, "fixturenames", ())]
