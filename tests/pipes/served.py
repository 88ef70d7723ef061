"""Helpers of the end-to-end pipes tests: flows, pipes and runs on a served host (the `executor` fixture)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from host.flows import create, publish, put_file
from host.harness import HostServer, Tenant

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def clock_of(server: HostServer) -> Path:
    """The file the server's scheduler reads its time from (FLOWLANG_TEST_CLOCK)."""
    return Path(server.env["FLOWLANG_TEST_CLOCK"])


def set_clock(server: HostServer, moment: str) -> None:
    """Move the server's scheduler to `moment` in one step: written aside, then renamed over the clock file,
    so a tick never reads a half-written time."""
    clock = clock_of(server)
    staged = clock.with_name(clock.name + ".new")
    staged.write_text(moment, encoding="utf-8")
    os.replace(staged, clock)


def until(check: Callable[[], Any], timeout: float = 20, what: str = "the condition") -> Any:
    """Poll `check` until it gives a true value (returned), failing after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout}s"
        time.sleep(0.1)


def order_flow(tenant: Tenant, fake_url: str) -> dict[str, Any]:
    """examples/order_webhook.flow published with its shared files, its credentials pointing at the fake ERP."""
    for path in ("systems.flow", "specs/elasticpath-flows.yaml", "samples/order_webhook.json"):
        put_file(tenant, path, (EXAMPLES / path).read_text())
    for name, value in (("ERP_URL", fake_url + "/erp"), ("ERP_TOKEN", "demo-erp-token")):
        done = tenant.http.put(f"/v2/credentials/{name}", json={"data": {"type": "credential", "value": value}})
        assert done.status_code in (200, 201), done.text
    flow = create(tenant, enabled=True, source=(EXAMPLES / "order_webhook.flow").read_text())
    publish(tenant, flow["id"])
    return flow


def published(tenant: Tenant, source: str) -> dict[str, Any]:
    """A new enabled flow with `source`, published once."""
    flow = create(tenant, enabled=True, source=source)
    publish(tenant, flow["id"])
    return flow


def webhook(tenant: Tenant, flow_id: str, **fields: Any) -> dict[str, Any]:
    """A new webhook pipe of the flow (its `data`, with the token shown once)."""
    done = tenant.http.post("/v2/pipes", json={"data": {"type": "pipe", "flow_id": flow_id, "trigger": "webhook",
                                                        **fields}})
    assert done.status_code == 201, done.text
    return dict(done.json()["data"])


def schedule(tenant: Tenant, flow_id: str, schedules: list[str], **fields: Any) -> dict[str, Any]:
    """A new schedule pipe of the flow (its `data`)."""
    done = tenant.http.post("/v2/pipes", json={"data": {"type": "pipe", "flow_id": flow_id, "trigger": "schedule",
                                                        "schedules": schedules, **fields}})
    assert done.status_code == 201, done.text
    return dict(done.json()["data"])


def wait_run(tenant: Tenant, run_id: str, timeout: float = 30) -> dict[str, Any]:
    """The run once it has ended (or as it is after `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while True:
        data = tenant.http.get(f"/v2/runs/{run_id}").json()["data"]
        if data["status"] not in ("queued", "running") or time.monotonic() > deadline:
            return dict(data)
        time.sleep(0.1)


def runs_of(client: httpx.Client, pipe_id: str) -> list[dict[str, Any]]:
    """Every run of the pipe, newest first."""
    answer = client.get("/v2/runs", params={"filter": f"eq(pipe_id,{pipe_id})", "page[limit]": 100})
    assert answer.status_code == 200, answer.text
    return list(answer.json()["data"])
