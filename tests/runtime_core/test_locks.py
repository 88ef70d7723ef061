"""The run lock: one holder per flow and state database, named when it refuses, released with its process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from flowlang.runtime.errors import FlowError
from flowlang.runtime.locks import RunLock, lock_path

INFO = {"run": "20260101-120000-abcdef", "pid": 4242, "started": "2026-01-01T12:00:00.000Z"}


def test_the_lock_file_sits_beside_the_state_database(tmp_path: Path) -> None:
    db = str(tmp_path / "state.db")
    assert lock_path(db, "sync-orders") == db + ".sync-orders.lock"
    odd = lock_path(db, "../../etc/passwd")
    assert os.path.dirname(odd) == str(tmp_path) and "/" not in os.path.basename(odd)


def test_a_second_holder_is_refused_with_the_first_ones_run_pid_and_start(tmp_path: Path) -> None:
    db = str(tmp_path / "state.db")
    first = RunLock(db, "sync", "sync")
    first.acquire(INFO)
    try:
        with pytest.raises(FlowError) as caught:
            RunLock(db, "sync", "sync").acquire({"run": "other", "pid": 1, "started": "x"})
    finally:
        first.release()
    message = caught.value.message
    assert "flow 'sync' is already running" in message
    assert "run 20260101-120000-abcdef (pid 4242, started 2026-01-01T12:00:00.000Z)" in message
    assert "--wait-lock" in (caught.value.hint or "")


def test_other_flows_on_the_same_database_are_not_blocked(tmp_path: Path) -> None:
    db = str(tmp_path / "state.db")
    one, two = RunLock(db, "one", "one"), RunLock(db, "two", "two")
    one.acquire(INFO)
    two.acquire(INFO)
    assert one.held and two.held
    one.release()
    two.release()


def test_a_released_lock_can_be_taken_again(tmp_path: Path) -> None:
    db = str(tmp_path / "state.db")
    lock = RunLock(db, "sync", "sync")
    lock.acquire(INFO)
    lock.release()
    again = RunLock(db, "sync", "sync")
    again.acquire(INFO)
    assert again.holder() == INFO
    again.release()


def test_waiting_takes_the_lock_once_the_holder_releases_it(tmp_path: Path) -> None:
    db = str(tmp_path / "state.db")
    first = RunLock(db, "sync", "sync")
    first.acquire(INFO)
    seen: list[dict[str, object]] = []
    threading.Timer(0.5, first.release).start()
    began = time.monotonic()
    second = RunLock(db, "sync", "sync")
    second.acquire({"run": "second"}, wait=True, on_wait=seen.append)
    assert time.monotonic() - began >= 0.4
    assert seen == [INFO]
    second.release()


HOLDER = textwrap.dedent(
    """
    import sys, time
    from flowlang.runtime.locks import RunLock
    lock = RunLock(sys.argv[1], "sync", "sync")
    lock.acquire({"run": "held", "pid": 1, "started": "now"})
    print("locked", flush=True)
    time.sleep(600)
    """
)


def test_kill_9_of_the_holder_releases_the_lock(tmp_path: Path) -> None:
    db = str(tmp_path / "state.db")
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, db], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(FlowError, match="run held"):
            RunLock(db, "sync", "sync").acquire(INFO)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
    lock = RunLock(db, "sync", "sync")
    lock.acquire(INFO)
    assert lock.held
    lock.release()
