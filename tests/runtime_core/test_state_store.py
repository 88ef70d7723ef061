"""StateStore: per-flow state committed atomically, run history, and unusable databases."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

import pytest

from flowlang.runtime.errors import FlowError
from flowlang.runtime.state import KILLED, RunRecord, StateStore, format_runs


def test_opening_creates_the_folder_and_the_database(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "state.db"
    StateStore(path).close()
    assert path.is_file()


def test_a_flow_without_saved_state_loads_empty(store: StateStore) -> None:
    assert store.load("sync") == {}


def test_saved_state_is_read_back_by_a_later_store(state_path: Path) -> None:
    with StateStore(state_path) as first:
        first.save("sync", {"last_sync": "2026-01-01T00:00:00Z", "seen": [1, 2], "n": 3.5, "é": True})
    with StateStore(state_path) as second:
        assert second.load("sync") == {"last_sync": "2026-01-01T00:00:00Z", "seen": [1, 2], "n": 3.5, "é": True}


def test_save_replaces_the_whole_state_of_the_flow(store: StateStore) -> None:
    store.save("sync", {"a": 1, "b": 2})
    store.save("sync", {"b": 3})
    assert store.load("sync") == {"b": 3}


def test_save_keeps_keys_written_by_another_connection_since_the_load(store: StateStore, state_path: Path) -> None:
    store.save("sync", {"a": 1, "b": 1})
    state = store.load("sync")
    with StateStore(state_path) as other:  # `flowlang state set` while the run goes on
        other.set_key("sync", "c", "outside")
        other.set_key("sync", "b", "outside")
    state["a"] = 2
    store.save("sync", state)
    assert store.load("sync") == {"a": 2, "b": "outside", "c": "outside"}


def test_a_key_set_to_null_or_removed_is_deleted_from_the_database(store: StateStore, state_path: Path) -> None:
    store.save("sync", {"a": 1, "b": 2, "c": 3})
    state = store.load("sync")
    state["a"] = None
    del state["b"]
    store.save("sync", state)
    with sqlite3.connect(state_path) as db:
        assert db.execute("SELECT key FROM state WHERE flow = 'sync'").fetchall() == [("c",)]


def test_reset_deletes_the_whole_state_or_some_keys(store: StateStore) -> None:
    store.save("sync", {"a": 1, "b": 2, "c": 3})
    store.save("other", {"a": 1})
    assert store.reset("sync", ["a", "zzz"]) == 1
    assert store.load("sync") == {"b": 2, "c": 3}
    assert store.reset("sync") == 2
    assert (store.load("sync"), store.load("other")) == ({}, {"a": 1})


def test_flows_keep_separate_states(store: StateStore) -> None:
    store.save("one", {"k": 1})
    store.save("two", {"k": 2})
    assert (store.load("one"), store.load("two")) == ({"k": 1}, {"k": 2})


def test_a_value_that_is_not_json_fails_the_save_and_keeps_the_previous_state(store: StateStore) -> None:
    store.save("sync", {"a": 1})
    with pytest.raises(FlowError) as caught:
        store.save("sync", {"a": 2, "fn": lambda: None})
    assert caught.value.kind == "data"
    assert "state.fn" in caught.value.message
    assert store.load("sync") == {"a": 1}


def test_the_database_uses_wal_mode(store: StateStore, state_path: Path) -> None:
    with sqlite3.connect(state_path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_reader_sees_the_last_commit_while_another_connection_is_writing(
    store: StateStore, state_path: Path
) -> None:
    store.save("sync", {"cursor": 1})
    writer = sqlite3.connect(state_path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE state SET value = '2' WHERE flow = 'sync'")
    try:
        with StateStore(state_path) as reader:
            assert reader.load("sync") == {"cursor": 1}
    finally:
        writer.execute("COMMIT")
        writer.close()
    assert store.load("sync") == {"cursor": 2}


def test_saves_from_many_threads_each_commit_whole(store: StateStore) -> None:
    def save(n: int) -> None:
        for i in range(20):
            store.save("sync", {"writer": n, "i": i, "copy": n})

    threads = [threading.Thread(target=save, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    state = store.load("sync")
    assert state["i"] == 19
    assert state["writer"] == state["copy"]


def test_a_file_that_is_not_a_database_is_an_input_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(FlowError) as caught:
        StateStore(path)
    assert caught.value.kind == "input"
    assert str(path) in caught.value.message


def test_a_database_of_another_program_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE runs (x INTEGER)")
    with pytest.raises(FlowError, match="not the one flowlang writes"):
        StateStore(path)


def test_a_folder_in_place_of_the_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(FlowError) as caught:
        StateStore(tmp_path)
    assert caught.value.kind == "input"


def test_a_state_value_that_is_not_json_is_reported_with_its_key(store: StateStore, state_path: Path) -> None:
    with sqlite3.connect(state_path) as db:
        db.execute("INSERT INTO state VALUES ('sync', 'cursor', '{broken')")
    with pytest.raises(FlowError, match=r"state\.cursor"):
        store.load("sync")


# ---------------------------------------------------------------- run history


def test_a_started_run_is_recorded_as_running(store: StateStore) -> None:
    run_id = store.start_run("sync")
    [record] = store.list_runs()
    assert (record.id, record.flow, record.status, record.ended) == (run_id, "sync", "running", None)


def test_a_finished_run_records_its_status_counts_and_error(store: StateStore) -> None:
    run_id = store.start_run("sync")
    store.finish_run(run_id, "failed", succeeded=3, failed=1, requests=12, error="x.flow:1:1: error: boom")
    [record] = store.list_runs()
    assert (record.status, record.succeeded, record.failed, record.requests, record.error) == (
        "failed", 3, 1, 12, "x.flow:1:1: error: boom",
    )
    assert record.ended is not None and record.seconds is not None and record.seconds >= 0


def test_runs_are_listed_newest_first_and_limited(store: StateStore) -> None:
    ids = [store.start_run("sync") for _ in range(5)]
    assert [r.id for r in store.list_runs(limit=3)] == ids[::-1][:3]


def test_run_ids_are_unique(store: StateStore) -> None:
    assert len({store.start_run("sync") for _ in range(50)}) == 50


def test_runs_can_be_listed_for_one_flow(store: StateStore) -> None:
    store.start_run("one")
    two = store.start_run("two")
    store.start_run("one")
    assert [r.id for r in store.list_runs(flow="two")] == [two]


def test_an_unknown_run_status_is_refused(store: StateStore) -> None:
    run_id = store.start_run("sync")
    with pytest.raises(ValueError):
        store.finish_run(run_id, "great")


def test_the_runs_table_shows_one_line_per_run_under_a_header() -> None:
    record = RunRecord(
        "20260101-120000-abcdef", "sync", "2026-01-01T12:00:00.000Z", "2026-01-01T12:00:01.500Z",
        "failed", 3, 1, 12, "sync.flow:4:2: error: boom\nmore",
    )
    header, line = format_runs([record]).splitlines()
    assert header.split() == ["RUN", "FLOW", "STARTED", "(UTC)", "DURATION", "STATUS", "OK", "FAILED", "REQUESTS", "ERROR"]
    assert line.split() == [
        "20260101-120000-abcdef", "sync", "2026-01-01", "12:00:00", "1.50s", "failed", "3", "1", "12",
        "sync.flow:4:2:", "error:", "boom",
    ]


def test_a_running_run_has_no_duration_in_the_table(store: StateStore) -> None:
    store.start_run("sync")
    line = format_runs(store.list_runs()).splitlines()[1]
    assert " - " in line and "running" in line


def test_an_empty_history_says_so() -> None:
    assert format_runs([]) == "no runs recorded"


def test_runs_of_a_flow_can_be_asked_for_by_a_name_that_slugifies_to_its_slug(store: StateStore) -> None:
    run_id = store.start_run("sync-orders")
    store.start_run("other")
    assert [r.id for r in store.list_runs(flow="sync_orders")] == [run_id]
    assert [r.id for r in store.list_runs(flow="Sync Orders")] == [run_id]


def test_a_run_records_the_process_that_runs_it(store: StateStore) -> None:
    store.start_run("sync")
    assert store.list_runs()[0].pid == os.getpid()


def test_runs_left_running_are_marked_interrupted_and_returned(store: StateStore) -> None:
    left = store.start_run("sync")
    done = store.start_run("sync")
    store.finish_run(done, "ok")
    other = store.start_run("other")
    [orphan] = store.interrupt_orphans("sync")
    assert (orphan.id, orphan.status) == (left, "running")
    statuses = {r.id: (r.status, r.error) for r in store.list_runs()}
    assert statuses[left] == ("interrupted", KILLED)
    assert statuses[done][0] == "ok" and statuses[other][0] == "running"


def test_a_run_is_found_by_its_id_or_a_unique_prefix(store: StateStore) -> None:
    first = store.start_run("sync")
    second = store.start_run("sync")
    assert [r.id for r in store.find_runs(first)] == [first]
    assert [r.id for r in store.find_runs(second[:-3])] in ([second], [first, second], [second, first])
    assert len(store.find_runs(first[:9])) == 2  # ambiguous: both
    assert store.find_runs("nope") == []


def test_log_lines_are_stored_per_run_in_order(store: StateStore) -> None:
    run_id = store.start_run("sync")
    store.add_logs(run_id, [("t1", "info", "a.flow:1", "one"), ("t2", "error", None, "two")], 0)
    assert store.run_logs(run_id) == [
        {"time": "t1", "level": "info", "location": "a.flow:1", "message": "one"},
        {"time": "t2", "level": "error", "location": None, "message": "two"},
    ]
    assert store.run_logs("other") == []


def test_a_database_written_before_runs_had_a_pid_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE runs (id TEXT PRIMARY KEY, flow TEXT NOT NULL, started TEXT NOT NULL, ended TEXT,"
                   " status TEXT NOT NULL, succeeded INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0,"
                   " requests INTEGER NOT NULL DEFAULT 0, error TEXT)")
        db.execute("INSERT INTO runs (id, flow, started, status) VALUES ('r1', 'sync', '2026', 'ok')")
    with StateStore(path) as store:
        assert [(r.id, r.pid) for r in store.list_runs()] == [("r1", None)]
        store.start_run("sync")
