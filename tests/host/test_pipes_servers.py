"""Pipes across server processes: two servers on one database, and a server killed in the middle of a run."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from host.flows import published, runs_of, webhook
from host.harness import move_clock, start_server


@pytest.fixture(autouse=True)
def _serve_extra() -> None:
    pytest.importorskip("starlette", reason="the host needs the serve extra: pip install -e '.[serve]'")


def _fire(pipe: dict[str, Any], wait: bool = True) -> str:
    """Call the webhook pipe once; the id of its run (ended, when `wait`)."""
    answer = httpx.post(pipe["listener_url"], params={"wait": 30} if wait else {}, json={},
                        headers={"X-Api-Key": pipe["token"]}, timeout=40)
    assert answer.status_code in (200, 202), answer.text
    return str(answer.json()["data"]["id"])


def test_two_servers_on_one_database_fire_each_due_time_once(tmp_path: Path) -> None:
    clock = tmp_path / "clock"
    clock.write_text("2026-10-25T00:00:30Z")  # the night the clocks go back in Berlin
    env = {"FLOWLANG_TEST_CLOCK": str(clock)}
    db = str(tmp_path / "shared.db")
    with start_server(tmp_path / "a", db, env=env) as a, start_server(tmp_path / "b", db, env=env) as b:
        tenant = a.tenant()
        flow = published(tenant, "flow tick {\n  return 1\n}\n")
        made = tenant.http.post("/v2/pipes", json={"data": {
            "type": "pipe", "flow_id": flow["id"], "trigger": "schedule", "schedules": ["*/30 * * * *"],
            "timezone": "Europe/Berlin", "overlap": "queue"}})
        assert made.status_code == 201, made.text
        pipe_id = made.json()["data"]["id"]
        start = datetime(2026, 10, 25, 0, 0, 30, tzinfo=UTC).timestamp()
        for step in range(1, 9):  # four hours in half-hour steps, through the repeated 02:00-03:00 hour
            move_clock(clock, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + step * 1800)))
            deadline = time.monotonic() + 20  # the next step only once a server has fired this one
            while len(runs_of(tenant.http, pipe_id)) < step and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(1.2)  # both servers tick again on this time (1 s ticks): neither may fire it a second time
        from_b = runs_of(b.client(tenant.token), pipe_id)
        due = sorted(r["scheduled_for"] for r in from_b)
        assert len(due) == len(set(due)) == 8, due
        assert due[0] == "2026-10-25T00:30:00Z" and due[-1] == "2026-10-25T04:00:00Z"


def test_kill_9_mid_run_leaves_an_interrupted_run_and_the_committed_state(tmp_path: Path) -> None:
    db = str(tmp_path / "host.db")
    source = "flow long {\n  state.step = 1\n  checkpoint\n  state.step = 2\n  wait 60s\n  return state.step\n}\n"
    with start_server(tmp_path / "first", db) as first:
        tenant = first.tenant()
        flow = published(tenant, source)
        run_id = _fire(webhook(tenant, flow["id"]), wait=False)
        deadline = time.monotonic() + 20
        while True:
            with sqlite3.connect(db) as conn:
                row = conn.execute("SELECT state FROM flow_state WHERE flow_id = ?", (flow["id"],)).fetchone()
            if row is not None:
                break
            assert time.monotonic() < deadline, "the checkpoint was never committed"
            time.sleep(0.1)
        assert tenant.http.get(f"/v2/runs/{run_id}").json()["data"]["status"] == "running"
        os.kill(first.process.pid, signal.SIGKILL)
        first.process.wait(timeout=10)
    with start_server(tmp_path / "second", db) as second:
        client = second.client(tenant.token)
        run = client.get(f"/v2/runs/{run_id}").json()["data"]
        assert run["status"] == "interrupted"
        assert run["error"]["kind"] == "interrupted"
    with sqlite3.connect(db) as conn:
        state = conn.execute("SELECT state FROM flow_state WHERE flow_id = ?", (flow["id"],)).fetchone()[0]
    assert json.loads(state) == {"step": 1}  # the checkpoint's state, not the uncommitted step 2


def test_retention_deletes_old_runs_and_their_logs_and_gives_the_space_back(tmp_path: Path) -> None:
    db = str(tmp_path / "host.db")
    with start_server(tmp_path / "first", db) as first:
        tenant = first.tenant()
        flow = published(tenant, 'flow chatty {\n  for i in range(2000) {\n    log info "line {i} of a long log"\n  }\n}\n')
        pipe = webhook(tenant, flow["id"])
        ids = [_fire(pipe) for _ in range(3)]
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE runs SET created_at = '2020-01-01T00:00:00.000Z' WHERE id IN (?, ?)", ids[:2])
    before = os.path.getsize(db)
    with start_server(tmp_path / "second", db, env={"FLOWLANG_RUN_RETENTION_DAYS": "30"}) as second:
        client = second.client(tenant.token)
        assert [client.get(f"/v2/runs/{i}").status_code for i in ids] == [404, 404, 200]
        assert client.get(f"/v2/runs/{ids[2]}/logs").json()["meta"]["results"]["total"] > 2000
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM run_logs WHERE run_id IN (?, ?)", ids[:2]).fetchone() == (0,)
    assert os.path.getsize(db) < before


def test_an_unknown_engine_is_a_usage_error_naming_the_engines(tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "flowlang", "serve", "--db", str(tmp_path / "h.db"), "--port", "0",
                           "--engine", "warp"], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 2
    assert "error: --engine: unknown engine 'warp': use one of inprocess" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_run_whose_server_stopped_renewing_its_lease_is_marked_interrupted(tmp_path: Path) -> None:
    db = str(tmp_path / "host.db")
    with start_server(tmp_path / "one", db) as server:
        tenant = server.tenant()
        run_id = _fire(webhook(tenant, published(tenant, "flow quick {\n  return 1\n}\n")["id"]))
        with sqlite3.connect(db) as conn:  # as if a server on another machine took it and then vanished
            conn.execute("UPDATE runs SET status = 'running', ended_at = NULL, owner = 'elsewhere:4242:dead', "
                         "heartbeat_at = '2026-01-01T00:00:00.000Z' WHERE id = ?", (run_id,))
        deadline = time.monotonic() + 20
        while (run := tenant.http.get(f"/v2/runs/{run_id}").json()["data"])["status"] == "running":
            assert time.monotonic() < deadline, "the lost run stayed running"
            time.sleep(0.2)
        assert (run["status"], run["error"]["kind"]) == ("interrupted", "interrupted")
