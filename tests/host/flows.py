"""Small .flow sources and request helpers shared by the host tests."""

from __future__ import annotations

import uuid
from typing import Any

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
