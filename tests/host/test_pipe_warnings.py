"""A pipe created or left enabled on a flow that is disabled or has no published version is saved, and
its answer says why it will run nothing yet (meta.warnings H201, H202)."""

from __future__ import annotations

from typing import Any

from host.flows import HELLO, create, publish, put
from host.harness import Tenant


def _codes(data: dict[str, Any]) -> list[str]:
    return [w["code"] for w in data["meta"]["warnings"]]


def test_a_pipe_on_a_disabled_unpublished_flow_is_saved_with_warnings(tenant: Tenant) -> None:
    flow = create(tenant, source=HELLO, slug="quiet", enabled=False)
    made = tenant.http.post("/v2/pipes", json={"data": {"type": "pipe", "flow_id": flow["id"], "trigger": "webhook"}})
    assert made.status_code == 201, made.text
    pipe = made.json()["data"]
    assert _codes(pipe) == ["H201", "H202"]
    disabled, unpublished = pipe["meta"]["warnings"]
    assert disabled == {"severity": "warning", "code": "H201",
                        "message": "flow quiet is disabled: this pipe runs nothing until the flow is enabled",
                        "hint": f"PUT /v2/flows/{flow['id']} with data.enabled true"}
    assert unpublished["message"] == ("flow quiet has no published version: its runs fail until one is published "
                                      "(a pipe never runs a draft)")
    assert tenant.http.get(f"/v2/pipes/{pipe['id']}").status_code == 200  # saved all the same
    put(tenant, flow["id"], enabled=True)
    renamed = tenant.http.put(f"/v2/pipes/{pipe['id']}", json={"data": {"type": "pipe", "name": "orders"}})
    assert renamed.status_code == 200 and _codes(renamed.json()["data"]) == ["H202"]
    publish(tenant, flow["id"])
    fine = tenant.http.put(f"/v2/pipes/{pipe['id']}", json={"data": {"type": "pipe", "enabled": True}})
    assert fine.status_code == 200 and _codes(fine.json()["data"]) == []


def test_a_disabled_pipe_has_nothing_to_warn_of_until_it_is_enabled(tenant: Tenant) -> None:
    flow = create(tenant, source=HELLO, slug="later", enabled=True)
    body = {"data": {"type": "pipe", "flow_id": flow["id"], "trigger": "schedule", "schedules": ["0 6 * * *"],
                     "enabled": False}}
    made = tenant.http.post("/v2/pipes", json=body)
    assert made.status_code == 201 and _codes(made.json()["data"]) == []
    enabled = tenant.http.put(f"/v2/pipes/{made.json()['data']['id']}",
                              json={"data": {"type": "pipe", "enabled": True}})
    assert enabled.status_code == 200 and _codes(enabled.json()["data"]) == ["H202"]
