"""The store: SQLite in WAL mode with a busy timeout, migrations recorded by name and applied once."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy", reason="the host needs the serve extra: pip install -e '.[serve]'")

from sqlalchemy import text

from flowlang.host.store import Store, StoreError
from flowlang.host.store.migrations import available


def sqlite(path: Path) -> str:
    return f"sqlite:///{path}"


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    store = Store(sqlite(tmp_path / "h.db"))
    with store.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    store.close()


def test_a_new_database_gets_every_migration(tmp_path: Path) -> None:
    store = Store(sqlite(tmp_path / "h.db"))
    assert store.applied == available() and "m0001_core" in available()
    store.close()


def test_opening_again_applies_nothing_twice(tmp_path: Path) -> None:
    Store(sqlite(tmp_path / "h.db")).close()
    store = Store(sqlite(tmp_path / "h.db"))
    with store.read() as conn:
        count = conn.execute(text("SELECT count(*) FROM schema_migrations")).scalar()
    assert count == len(available())
    store.close()


def test_a_database_that_cannot_be_opened_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "h.db").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match=r"cannot open the database .*h\.db: file is not a database"):
        Store(sqlite(tmp_path / "h.db"))


def test_an_older_database_is_upgraded_in_place_keeping_its_data(tmp_path: Path) -> None:
    from flowlang.host.store import flows, projects, versions

    old = Store(sqlite(tmp_path / "h.db"), migrate_to="m0001_core")
    assert old.applied == ["m0001_core"]
    with old.write() as conn:
        project, _ = projects.ensure_project(conn, "acme")
        flow = flows.create_flow(conn, project.id, {"name": "A", "slug": "a", "source": "flow a {}"})
    with old.read() as conn:
        tables = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "flow_versions" not in tables
    old.close()
    new = Store(sqlite(tmp_path / "h.db"))
    assert new.applied == available()
    with new.write() as conn:
        assert flows.get_flow(conn, project.id, flow.id) == flow
        assert versions.add_version(conn, flow.id, "flow a {}", {}, "test").number == 1
    new.close()


def test_a_database_of_a_newer_flowlang_is_refused_unchanged(tmp_path: Path) -> None:
    store = Store(sqlite(tmp_path / "h.db"))
    with store.write() as conn:
        conn.execute(text("INSERT INTO schema_migrations (name, applied_at) VALUES ('m9999_future', 'x')"))
    store.close()
    before = (tmp_path / "h.db").read_bytes()
    with pytest.raises(StoreError, match=r"cannot open the database .*h\.db: a newer flowlang migrated it "
                                         r"\(m9999_future unknown to this one\): upgrade flowlang"):
        Store(sqlite(tmp_path / "h.db"))
    assert (tmp_path / "h.db").read_bytes() == before


def test_no_piece_of_a_database_password_is_in_the_error(tmp_path: Path) -> None:
    # An unencoded '@' and ':' in the password: the URL parser splits it and quotes a piece of it.
    with pytest.raises(StoreError) as caught:
        Store("postgresql://flow:p@ss:w0rd-42@127.0.0.1:1/flows")
    message = str(caught.value)
    assert message.startswith("cannot open the database postgresql://flow:***@127.0.0.1:1/flows: ")
    assert "w0rd" not in message and "p@ss" not in message, message
    with pytest.raises(StoreError) as refused:
        Store("postgresql://flow:s3cret-pw@127.0.0.1:1/flows")
    assert "s3cret" not in str(refused.value) and "127.0.0.1" in str(refused.value)
