"""Helpers of the console tests that talk HTTP: flows made through the API, a console session without a browser."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import httpx
from host.harness import HostServer, Tenant

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_NONCE = re.compile(r'name="login_nonce" value="([^"]+)"')


def make_flow(tenant: Tenant, name: str, slug: str, source: str | None = None, **extra: Any) -> dict[str, Any]:
    """A flow created through the API (as any client would), as the API shows it."""
    doc = {"data": {"type": "flow", "name": name, "slug": slug, "description": extra.pop("description", ""),
                    "enabled": extra.pop("enabled", True), **({"source": source} if source else {}), **extra}}
    answer = tenant.http.post("/v2/flows", json=doc)
    assert answer.status_code == 201, answer.text
    data: dict[str, Any] = answer.json()["data"]
    return data


def api_flow(tenant: Tenant, flow_id: str) -> dict[str, Any]:
    answer = tenant.http.get(f"/v2/flows/{flow_id}")
    assert answer.status_code == 200, answer.text
    data: dict[str, Any] = answer.json()["data"]
    return data


class Browserless:
    """A console session held by an httpx client: cookies kept, redirects not followed, CSRF read from pages."""

    def __init__(self, console: HostServer) -> None:
        self.http = console.client(follow_redirects=False)
        self.origin = console.url

    def sign_in(self, token: str) -> httpx.Response:
        form = self.http.get("/login")
        nonce = _NONCE.search(form.text)
        assert nonce, form.text
        return self.http.post("/login", data={"login_nonce": nonce.group(1), "token": token, "next": "/flows"},
                              headers={"Origin": self.origin})

    def csrf(self, path: str = "/flows") -> str:
        found = _CSRF.search(self.http.get(path).text)
        assert found, f"no CSRF field on {path}"
        return found.group(1)

    def post(self, path: str, fields: dict[str, str], origin: str | None = None) -> httpx.Response:
        return self.http.post(path, data=fields, headers={"Origin": origin or self.origin})


TALLY = """flow tally {
  for item in source.items {
    if item.ok {
      log success "item {item.id}"
    } else {
      log failure "item {item.id} failed"
    }
  }
  return {count: length(source.items)}
}
"""
TALLY_INPUT = {"items": [{"id": 1, "ok": True}, {"id": 2, "ok": False}, {"id": 3, "ok": True}]}


def publish(tenant: Tenant, flow_id: str) -> dict[str, Any]:
    answer = tenant.http.post(f"/v2/flows/{flow_id}/publish")
    assert answer.status_code in (200, 201), answer.text
    data: dict[str, Any] = answer.json()["data"]
    return data


def make_pipe(tenant: Tenant, flow_id: str, trigger: str = "webhook", **fields: Any) -> dict[str, Any]:
    answer = tenant.http.post("/v2/pipes", json={"data": {"type": "pipe", "flow_id": flow_id, "trigger": trigger,
                                                          **fields}})
    assert answer.status_code == 201, answer.text
    data: dict[str, Any] = answer.json()["data"]
    return data


def ended_run(tenant: Tenant, pipe_id: str, payload: Any) -> dict[str, Any]:
    """A run of the pipe with `payload` as its input, once it has ended."""
    answer = tenant.http.post(f"/v2/pipes/{pipe_id}/run", json={"data": {"input": payload}})
    assert answer.status_code == 202, answer.text
    return wait_run(tenant, answer.json()["data"]["id"])


def wait_run(tenant: Tenant, run_id: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        data: dict[str, Any] = tenant.http.get(f"/v2/runs/{run_id}").json()["data"]
        if data["status"] not in ("queued", "running") or time.monotonic() > deadline:
            return data
        time.sleep(0.1)
