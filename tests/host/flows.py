"""Small .flow sources and request helpers shared by the host tests."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx

from host.harness import Tenant

HELLO = 'flow hello {\n  return {greeting: "hi"}\n}\n'
BROKEN = "flow hello {\n  y = 1\n  return {greeting: nope, other: also_nope}\n}\n"


def create(tenant: Tenant, **fields: Any) -> dict[str, Any]:
    """POST a flow (a random slug unless given); returns its `data`."""
    data = {"type": "flow", "name": "Products", "slug": f"s-{uuid.uuid4().hex[:8]}", **fields}
    response = tenant.http.post("/v2/flows", json={"data": data})
    assert response.status_code == 201, response.text
    return dict(response.json()["data"])


def put(tenant: Tenant, flow_id: str, **fields: Any) -> dict[str, Any]:
    response = tenant.http.put(f"/v2/flows/{flow_id}", json={"data": {"type": "flow", **fields}})
    assert response.status_code == 200, response.text
    return dict(response.json()["data"])


def publish(tenant: Tenant, flow_id: str, status: int = 201) -> dict[str, Any]:
    response = tenant.http.post(f"/v2/flows/{flow_id}/publish")
    assert response.status_code == status, response.text
    return dict(response.json())


def put_file(tenant: Tenant, path: str, content: str) -> None:
    response = tenant.http.put(f"/v2/files/{path}", json={"data": {"type": "file", "content": content}})
    assert response.status_code in (200, 201), response.text


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
