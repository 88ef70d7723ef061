"""Helpers of the console tests that talk HTTP: flows made through the API, a console session without a browser."""

from __future__ import annotations

import re
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
