"""The store on a real PostgreSQL: migrations applied once by name, an older schema upgraded in place."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from flowlang.host.settings import Settings
from flowlang.host.store import Store, flows, projects, versions
from flowlang.host.store.migrations import available


@pytest.fixture
def schema_url(postgres_url: str) -> str:
    """A database of the test's own on the session's server."""
    name = f"t_{uuid.uuid4().hex[:10]}"
    admin = Store(Settings(db=postgres_url).db_url)
    with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.close()
    return Settings(db=postgres_url.rsplit("/", 1)[0] + "/" + name).db_url


def test_a_new_database_gets_every_migration(schema_url: str) -> None:
    store = Store(schema_url)
    assert store.dialect == "postgresql" and store.applied == available()
    store.close()
    again = Store(schema_url)
    with again.read() as conn:
        assert conn.execute(text("SELECT count(*) FROM schema_migrations")).scalar() == len(available())
    again.close()


def test_an_older_database_is_upgraded_in_place_keeping_its_data(schema_url: str) -> None:
    old = Store(schema_url, migrate_to="m0001_core")
    with old.write() as conn:
        project, _ = projects.ensure_project(conn, "acme")
        flow = flows.create_flow(conn, project.id, {"name": "A", "slug": "a", "enabled": True})
    old.close()
    new = Store(schema_url)
    assert new.applied == available()
    with new.write() as conn:
        assert flows.get_flow(conn, project.id, flow.id, for_update=True) == flow
        assert versions.add_version(conn, flow.id, "flow a {}", {"x.flow": "x"}, "t").number == 1
    new.close()
