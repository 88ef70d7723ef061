"""One run per flow and state database, on both engines: a second live run is refused (or waits), the lock
dies with its process (kill -9), a run left `running` is marked interrupted, and saving merges keys."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from runtime_http.servers import FakeServer, Reply

from e2e.harness import TRACEBACK, Result, Write, flowlang, run_both, run_command
from flowlang.runtime.state import StateStore

HOLD = """\
system gate {
  base_url: env("GATE_URL", "http://127.0.0.1:9")
  timeout: 120s
  GET open "/open"
}
flow hold {
  state.count = (state.count ?? 0) + 1
  if source != null {
    log info "holding"
    if source.gate {
      call gate.open()
    } else {
      wait source.wait
    }
  }
  return state.count
}
"""


@pytest.fixture(params=["interpreted", "compiled"])
def command(request: pytest.FixtureRequest, write: Write) -> list[str]:
    """How to run hold.flow: `flowlang run hold.flow`, or its compiled module."""
    flow = write("hold.flow", HOLD)
    if request.param == "interpreted":
        return [sys.executable, "-m", "flowlang", "run", flow.name, "--state", "s.db"]
    assert flowlang("compile", flow.name, "-o", "hold.py", cwd=flow.parent).code == 0
    return [sys.executable, "hold.py", "--state", "s.db"]


def _start_holding(command: list[str], cwd: Path, seconds: float, gate: str | None = None) -> subprocess.Popen[str]:
    """Start a run that holds the lock for `seconds` (or until `gate`'s GET /open answers); returns once it is
    inside the flow."""
    (cwd / "in.json").write_text(json.dumps({"wait": seconds, "gate": gate is not None}), encoding="utf-8")
    env = {**os.environ, "GATE_URL": gate} if gate else None
    process = subprocess.Popen([*command, "--input", "in.json"], cwd=cwd, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env)
    assert process.stderr is not None
    assert "holding" in process.stderr.readline()
    return process


def _runs(db: Path) -> list[tuple[str, str, int | None]]:
    with sqlite3.connect(db) as con:
        return con.execute("SELECT id, status, pid FROM runs ORDER BY started, rowid").fetchall()


def test_a_second_run_is_refused_naming_the_first_and_kill_9_never_leaves_the_lock_held(
    command: list[str], tmp_path: Path
) -> None:
    first = _start_holding(command, tmp_path, 600)
    try:
        [(run_id, status, pid)] = _runs(tmp_path / "s.db")
        assert (status, pid) == ("running", first.pid)
        began = time.monotonic()
        second = run_command(command, tmp_path)
        assert time.monotonic() - began < 10  # at once, not after a database timeout
        assert second.code == 2
        assert "error: flow 'hold' is already running on the state database" in second.err
        assert f"run {run_id} (pid {first.pid}, started " in second.err
        assert "--wait-lock" in second.err
    finally:
        first.send_signal(signal.SIGKILL)
        first.communicate(timeout=20)
    third = run_command(command, tmp_path)
    assert third.code == 0, third.err
    assert json.loads(third.out) == 1  # the killed run committed nothing
    assert f"warn an earlier run of this flow, run {run_id} (pid {first.pid}" in third.err.lower()
    assert "was still recorded as running but its process is gone" in third.err
    statuses = [status for _, status, _ in _runs(tmp_path / "s.db")]
    assert statuses == ["interrupted", "ok"]  # the refused run never started


def test_wait_lock_waits_for_the_other_run_to_end(command: list[str], tmp_path: Path) -> None:
    # The first run holds the lock until the second says it waits, not for a fixed time: on a loaded machine
    # the second could start after a timed hold had ended, never wait, and fail the test (it did, compiled).
    opened = threading.Event()
    with FakeServer() as gate:
        gate.route("GET", "/open", lambda _: Reply(200, json={}) if opened.wait(60) else Reply(504))
        first = _start_holding(command, tmp_path, 0, gate=gate.url)
        waiting = subprocess.Popen([*command, "--wait-lock"], cwd=tmp_path, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        assert waiting.stderr is not None
        told = waiting.stderr.readline()  # the second run's first line: it waits for the first
        opened.set()
        _, first_err = first.communicate(timeout=60)
        out, rest = waiting.communicate(timeout=60)
    second = Result(waiting.returncode, out, told + rest)
    assert first.returncode == 0, first_err
    assert second.code == 0, second.err
    assert "waiting for run " in second.err and TRACEBACK not in second.err
    assert json.loads(second.out) == 2  # it started after the first run had committed its state
    assert [status for _, status, _ in _runs(tmp_path / "s.db")] == ["ok", "ok"]


def test_saving_keeps_keys_written_while_the_run_went_on(command: list[str], tmp_path: Path) -> None:
    first = _start_holding(command, tmp_path, 1.5)
    with StateStore(tmp_path / "s.db") as store:  # what `flowlang state set` does meanwhile
        store.set_key("hold", "note", "set while running")
    _, err = first.communicate(timeout=20)
    assert first.returncode == 0, err
    with StateStore(tmp_path / "s.db") as store:
        assert store.load("hold") == {"count": 1, "note": "set while running"}


KEYS = """\
flow keys {
  if source.first {
    state.a = 1
    state.gone = null
  } else {
    state.b = 2
  }
}
"""


def test_runs_touching_different_keys_keep_each_others_and_null_deletes_a_key(write: Write) -> None:
    flow = write("keys.flow", KEYS)
    for db in ("interpreted.db", "compiled.db"):
        with StateStore(flow.parent / db) as store:
            store.save("keys", {"gone": "old", "other": "untouched"})
    assert run_both(flow, "--input", "-", stdin='{"first": true}').code == 0
    assert run_both(flow, "--input", "-", stdin='{"first": false}').code == 0
    for db in ("interpreted.db", "compiled.db"):
        with sqlite3.connect(flow.parent / db) as con:
            rows = con.execute("SELECT key, value FROM state WHERE flow = 'keys' ORDER BY key").fetchall()
        assert rows == [("a", "1"), ("b", "2"), ("other", '"untouched"')]
