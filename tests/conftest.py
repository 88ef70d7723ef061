"""Shared pytest configuration, and the fixtures of more than one test folder.

- `postgres_url` (session): a real PostgreSQL cluster started once for the whole run (tests/host/postgres.py),
  skipped with the reason when it cannot start; tests/host and tests/pipes both use it.
- `temporal_address` (session): a real Temporal dev server (tests/temporal/devserver.py), skipped with the reason
  when it cannot start; tests/temporal and tests/pipes both use it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The URL of a real PostgreSQL started for the session (skipped, with the reason, without one)."""
    from host.postgres import PostgresUnavailable, running_postgres

    pytest.importorskip("psycopg", reason="the PostgreSQL store needs psycopg: pip install -e '.[serve]'")
    try:
        with running_postgres() as url:
            yield url
    except PostgresUnavailable as exc:
        pytest.skip(f"no PostgreSQL for the store tests: {exc}")


@pytest.fixture(scope="session")
def temporal_address() -> Iterator[str]:
    """HOST:PORT of a real Temporal dev server started for the session (skipped, with the reason, without one)."""
    from temporal.devserver import TemporalUnavailable, shared_temporal

    pytest.importorskip("temporalio", reason="the Temporal executor needs temporalio: pip install -e '.[temporal]'")
    try:
        yield shared_temporal()
    except TemporalUnavailable as exc:
        pytest.skip(f"no Temporal dev server: {exc}")
