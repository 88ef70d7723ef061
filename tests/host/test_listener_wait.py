"""The listener's `?wait=`: seconds from 0 to 60; anything else is a 400 naming the range, and nothing is queued."""

from __future__ import annotations

import httpx
import pytest

from host.flows import create, publish
from host.harness import Tenant


@pytest.fixture
def pipe(tenant: Tenant) -> dict[str, str]:
    flow = create(tenant, enabled=True, source="flow echo {\n  return source\n}\n")
    publish(tenant, flow["id"])
    done = tenant.http.post("/v2/pipes", json={"data": {"type": "pipe", "flow_id": flow["id"], "trigger": "webhook"}})
    assert done.status_code == 201, done.text
    return dict(done.json()["data"])


@pytest.mark.parametrize("wait", ["-1", "-0.5", "61", "1e9", "inf", "nan", "abc", ""])
def test_a_wait_out_of_range_is_a_400_and_queues_nothing(tenant: Tenant, pipe: dict[str, str], wait: str) -> None:
    answer = httpx.post(pipe["listener_url"], params={"wait": wait}, json={"n": 1},
                        headers={"X-Api-Key": pipe["token"]})
    assert answer.status_code == 400, answer.text
    detail = answer.json()["errors"][0]["detail"]
    assert "from 0 to 60" in detail and repr(wait) in detail
    runs = tenant.http.get("/v2/runs", params={"filter": f"eq(pipe_id,{pipe['id']})"}).json()
    assert runs["data"] == []


@pytest.mark.parametrize("wait", ["0", "60", "2.5"])
def test_a_wait_in_range_is_taken(tenant: Tenant, pipe: dict[str, str], wait: str) -> None:
    answer = httpx.post(pipe["listener_url"], params={"wait": wait}, json={"n": 1},
                        headers={"X-Api-Key": pipe["token"]}, timeout=70)
    assert answer.status_code in (200, 504), answer.text
    if answer.status_code == 200:
        assert answer.json()["data"]["result"] == {"n": 1}


def test_a_payload_no_json_answer_could_hold_is_a_400_and_queues_nothing(tenant: Tenant,
                                                                         pipe: dict[str, str]) -> None:
    for body, said in ((b'{"id": "\\ud800"}', "the string at /id holds a lone UTF-16 surrogate"),
                       (b'{"n": 1e999}', "the number 1e999 is too large"),
                       (b'{"id": "a\\u0000"}', "the string at /id holds a NUL character")):
        answer = httpx.post(pipe["listener_url"], content=body, headers={"X-Api-Key": pipe["token"],
                                                                          "Content-Type": "application/json"})
        assert answer.status_code == 400 and said in answer.json()["errors"][0]["detail"], answer.text
    runs = tenant.http.get("/v2/runs", params={"filter": f"eq(pipe_id,{pipe['id']})"}).json()
    assert runs["data"] == []
