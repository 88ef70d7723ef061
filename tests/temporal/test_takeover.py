"""Issue 13's proof: kill -9 of the worker in the middle of a run; another worker finishes it from its checkpoint.

The run (the flow of docs/scale-out.md) writes 500 records one by one to a destination (a real HTTP server on 127.0.0.1) with a `checkpoint`
after each. Its first worker is killed with SIGKILL after about 100 writes; a second worker takes the run over
once Temporal sees no heartbeat (HEARTBEAT_TIMEOUT), loads the state of the last checkpoint and goes on. No
record is lost, at most the one in flight is sent twice, and with the same idempotency key, so a destination
that honours keys stores each record exactly once.
"""

from __future__ import annotations

import json
import os
import re
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from host.flows import create, publish, wait_run
from host.harness import Tenant, clean_env, start_server
from temporal.devserver import free_port, running_temporal
from temporal.workers import Workers, temporal_workers

RECORDS = 500
DOC = Path(__file__).resolve().parents[2] / "docs" / "scale-out.md"
FLOW = re.findall(r"```flow\n(.*?)```", DOC.read_text(), re.S)[0]  # the doc's example is the flow that runs


@dataclass
class Destination:
    """Records POSTed to /records: every delivery, and the records stored once per Idempotency-Key."""

    received: list[tuple[str, int]] = field(default_factory=list)
    stored: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""


@pytest.fixture
def destination() -> Iterator[Destination]:
    dest = Destination()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            key = self.headers["Idempotency-Key"]
            time.sleep(0.01)  # a destination that takes its time: the run lasts several seconds
            with dest.lock:
                dest.received.append((key, body["n"]))
                dest.stored.setdefault(key, body["n"])
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    dest.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield dest
    server.shutdown()
    server.server_close()


def test_a_run_whose_worker_is_killed_is_finished_by_another_from_its_checkpoint(
    tmp_path: Path, destination: Destination
) -> None:
    with temporal_workers(tmp_path, None, workers=1) as (args, env, workers), \
            start_server(tmp_path, None, args=args, env=env) as server:
        tenant = server.tenant()
        done = tenant.http.put("/v2/credentials/DEST_URL", json={"data": {"type": "credential",
                                                                          "value": destination.url}})
        assert done.status_code in (200, 201), done.text
        flow = create(tenant, enabled=True, source=FLOW)
        publish(tenant, flow["id"])
        made = tenant.http.post("/v2/pipes", json={"data": {"type": "pipe", "flow_id": flow["id"],
                                                            "trigger": "webhook"}})
        pipe = made.json()["data"]
        answer = httpx.post(pipe["listener_url"], json={}, headers={"Authorization": f"Bearer {pipe['token']}"})
        assert answer.status_code == 202, answer.text
        run_id = answer.json()["data"]["id"]

        deadline = time.monotonic() + 60
        while len(destination.received) < 100:
            assert time.monotonic() < deadline, workers.log()
            time.sleep(0.01)
        workers.processes[0].send_signal(signal.SIGKILL)
        workers.processes[0].wait()
        written_by_first = len(destination.received)
        assert written_by_first < RECORDS
        killed_at = time.monotonic()
        workers.start()  # the second worker

        while True:
            run = tenant.http.get(f"/v2/runs/{run_id}").json()["data"]
            if run["status"] not in ("queued", "running") or time.monotonic() - killed_at > 60:
                break
            time.sleep(0.1)
        assert run["status"] == "ok", (run["error"], workers.log())
        assert run["result"] == RECORDS
        log = _log(tenant, run_id)
        messages = [line["message"] for line in log]
        assert any("attempt 2: the run goes on on another worker" in m for m in messages), messages[-5:]
        # the run's counts cover both attempts, as its log does (not only the second worker's part)
        levels = [line["level"] for line in log]
        assert run["succeeded"] == levels.count("success") >= RECORDS, (run["succeeded"], levels.count("success"))
        assert run["failed"] == levels.count("failure") == 0

    numbers = [n for _, n in destination.received]
    assert sorted(set(numbers)) == list(range(RECORDS))  # no record is lost
    assert len(numbers) - RECORDS <= 1  # at most the one in flight was sent twice ...
    assert sorted(destination.stored.values()) == list(range(RECORDS))  # ... with its key: stored once
    assert len(destination.stored) == RECORDS


def _log(tenant: Tenant, run_id: str) -> list[dict[str, Any]]:
    """Every line of the run's log, page after page."""
    lines: list[dict[str, Any]] = []
    page: str | None = f"/v2/runs/{run_id}/logs?page[limit]=100"
    while page:
        answer = tenant.http.get(page).json()
        lines.extend(answer["data"])
        page = answer.get("links", {}).get("next")
    return lines


def _start_run(tenant: Tenant, destination: Destination) -> str:
    done = tenant.http.put("/v2/credentials/DEST_URL", json={"data": {"type": "credential",
                                                                      "value": destination.url}})
    assert done.status_code in (200, 201), done.text
    flow = create(tenant, enabled=True, source=FLOW)
    publish(tenant, flow["id"])
    made = tenant.http.post("/v2/pipes", json={"data": {"type": "pipe", "flow_id": flow["id"], "trigger": "webhook"}})
    pipe = made.json()["data"]
    answer = httpx.post(pipe["listener_url"], json={}, headers={"Authorization": f"Bearer {pipe['token']}"})
    assert answer.status_code == 202, answer.text
    return str(answer.json()["data"]["id"])


def test_a_run_goes_on_when_the_temporal_server_restarts_mid_run(tmp_path: Path, destination: Destination) -> None:
    port, folder = free_port(), str(tmp_path / "temporal")
    os.makedirs(folder)
    temporal = running_temporal(port, folder)
    address = temporal.__enter__()
    env = {"FLOWLANG_SECRET_KEY": Fernet.generate_key().decode(), "FLOWLANG_TEMPORAL_HEARTBEAT_TIMEOUT": "10"}
    args = ("--engine", "temporal", "--temporal", address, "--task-queue", "restart")
    try:
        with start_server(tmp_path, None, args=args, env=env) as server:
            workers = Workers(tmp_path, server.db, address, "restart", clean_env(env))
            try:
                workers.start()
                tenant = server.tenant()
                run_id = _start_run(tenant, destination)
                deadline = time.monotonic() + 60
                while len(destination.received) < 100:
                    assert time.monotonic() < deadline, workers.log()
                    time.sleep(0.01)
                temporal.__exit__(None, None, None)  # the Temporal server stops mid-run ...
                temporal = running_temporal(port, folder)
                assert temporal.__enter__() == address  # ... and comes back on its database
                run = wait_run(tenant, run_id, timeout=60)
                assert run["status"] == "ok", (run["error"], workers.log())
                assert run["result"] == RECORDS
            finally:
                workers.stop()
    finally:
        temporal.__exit__(None, None, None)
    numbers = [n for _, n in destination.received]
    assert sorted(set(numbers)) == list(range(RECORDS))  # none lost
    assert len(numbers) - RECORDS <= 1 and len(destination.stored) == RECORDS  # none stored twice
