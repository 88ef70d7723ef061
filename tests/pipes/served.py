"""Helpers of the end-to-end pipes tests: flows, pipes and runs on a served host (the `executor` fixture)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from host.flows import published, put_file, runs_of, wait_run, webhook
from host.harness import HostServer, Tenant, move_clock

__all__ = ["EXAMPLES", "clock_of", "order_flow", "published", "runs_of", "schedule", "set_clock", "until",
           "wait_run", "webhook"]

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def clock_of(server: HostServer) -> Path:
    """The file the server's scheduler reads its time from (FLOWLANG_TEST_CLOCK)."""
    return Path(server.env["FLOWLANG_TEST_CLOCK"])


def set_clock(server: HostServer, moment: str) -> None:
    """Move the server's scheduler to `moment` in one step (harness.move_clock)."""
    move_clock(clock_of(server), moment)


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
    return published(tenant, (EXAMPLES / "order_webhook.flow").read_text())


def schedule(tenant: Tenant, flow_id: str, schedules: list[str], **fields: Any) -> dict[str, Any]:
    """A new schedule pipe of the flow (its `data`)."""
    done = tenant.http.post("/v2/pipes", json={"data": {"type": "pipe", "flow_id": flow_id, "trigger": "schedule",
                                                        "schedules": schedules, **fields}})
    assert done.status_code == 201, done.text
    return dict(done.json()["data"])
