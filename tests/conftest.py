"""Shared pytest configuration, and the fixtures of more than one test folder.

- `postgres_url` (session): a real PostgreSQL cluster started once for the whole run (tests/host/postgres.py),
  skipped with the reason when it cannot start; tests/host and tests/pipes both use it.
- `temporal_address` (session): a real Temporal dev server (tests/temporal/devserver.py), skipped with the reason
  when it cannot start; tests/temporal and tests/pipes both use it.

`pytest_configure` compiles flowlang's modules to bytecode once (into the gitignored __pycache__ folders) when
this machine's PYTHONDONTWRITEBYTECODE would have every `flowlang` subprocess compile them again.

The `slow` marker (registered in pyproject.toml) goes on the end-to-end tests, here by where they are and what
they start (SLOW_PATHS, SLOW_FIXTURES) and elsewhere by `@pytest.mark.slow`: `python -m pytest -m "not slow"`
is the quick loop of a developer; CI runs every test.
"""

from __future__ import annotations

import compileall
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
SLOW_PATHS = (  # relative to tests/: every test in these runs flowlang in subprocesses or starts servers of its own
    "e2e/",  # each flow through `flowlang run` and its compiled module, in subprocesses
    "temporal/",  # Temporal dev server, workers, kill -9 and restarts
    "openapi/test_prism_e2e.py",  # Prism (Node.js)
    "cli/test_wheel_install.py",  # builds the wheel and installs it into a fresh venv
    "host/test_pipes_servers.py",  # servers of its own: two on one database, kill -9, restarts
    "pipes/test_key_change.py",  # two servers in turn on one database
)
SLOW_FIXTURES = frozenset({
    "pipes_db",  # the pipes suite on served hosts: each engine and store (tests/pipes/conftest.py `executor`)
    "driver",  # a real Chromium (tests/console)
})


def pytest_configure(config: pytest.Config) -> None:
    """Bytecode of flowlang's modules for the subprocesses the tests start (`flowlang run`, `serve`, `worker`…).

    With PYTHONDONTWRITEBYTECODE set (it is, on this machine and its CI) Python reads .pyc files but never
    writes them, so each `python -m flowlang` process of the suite compiled every module it imports from source:
    ~45% of the CPU of a `flowlang run hello.flow`. Compiled here once (a no-op when up to date); Python checks
    each .pyc against its source, so an edited module never runs stale."""
    spec = importlib.util.find_spec("flowlang")  # the installed (editable) package, without importing it
    if sys.dont_write_bytecode and spec is not None and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            compileall.compile_dir(folder, quiet=1)


class _ConftestFile(pytest.Module):
    """A conftest.py named on the command line (as /work/tools/land names each touched file): nothing to collect.
    Imported as a test module it would clash with the conftest module of another folder (all are `conftest`)."""

    def collect(self) -> list[pytest.Item | pytest.Collector]:
        return []


def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    if module_path.name == "conftest.py":
        return _ConftestFile.from_parent(parent, path=module_path)
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the end-to-end tests `slow` (see the module's docstring)."""
    for item in items:
        try:
            where = item.path.resolve().relative_to(TESTS).as_posix()
        except ValueError:
            continue
        if where.startswith(SLOW_PATHS) or SLOW_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


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
