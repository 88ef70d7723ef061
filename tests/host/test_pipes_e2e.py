"""Pipes end to end against a real `flowlang serve`: webhooks, schedules, runs, logs, reprocess.

Every test takes the `executor` fixture: the server it talks to runs its flows on that engine (issue 13
adds Temporal to its parameters), so both engines pass the same suite.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from host.flows import create, publish, put, put_file
from host.harness import HostServer, Tenant, start_server

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
if str(EXAMPLES) not in sys.path:
    sys.path.insert(0, str(EXAMPLES))

import fake_systems  # noqa: E402

from flowlang.host.webhooks import sign  # noqa: E402


@pytest.fixture(scope="module", params=["inprocess"])
def executor(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostServer]:
    """A server running its flows on one executor, with a test clock file for its scheduler."""
    pytest.importorskip("starlette", reason="the host needs the serve extra: pip install -e '.[serve]'")
    directory = tmp_path_factory.mktemp(f"pipes-{request.param}")
    clock = directory / "clock"
    with start_server(directory, env={"FLOWLANG_TEST_CLOCK": str(clock)}) as server:
        server.clock = clock  # type: ignore[attr-defined]
        yield server


@pytest.fixture(scope="module")
def fake() -> Iterator[fake_systems.RunningServer]:
    with fake_systems.start() as server:
        yield server


def tenant_of(server: HostServer) -> Tenant:
    return server.tenant()


def order_flow(tenant: Tenant, fake: fake_systems.RunningServer) -> dict[str, Any]:
    """examples/order_webhook.flow published with its shared files, its credentials pointing at the fake ERP."""
    for path in ("systems.flow", "specs/elasticpath-flows.yaml", "samples/order_webhook.json"):
        put_file(tenant, path, (EXAMPLES / path).read_text())
    for name, value in (("ERP_URL", fake.url + "/erp"), ("ERP_TOKEN", "demo-erp-token")):
        done = tenant.http.put(f"/v2/credentials/{name}", json={"data": {"type": "credential", "value": value}})
        assert done.status_code in (200, 201), done.text
    flow = create(tenant, enabled=True, source=(EXAMPLES / "order_webhook.flow").read_text())
    publish(tenant, flow["id"])
    return flow


def webhook(tenant: Tenant, flow_id: str, **fields: Any) -> dict[str, Any]:
    done = tenant.http.post("/v2/pipes", json={"data": {"type": "pipe", "flow_id": flow_id, "trigger": "webhook",
                                                        **fields}})
    assert done.status_code == 201, done.text
    return dict(done.json()["data"])


def wait_run(tenant: Tenant, run_id: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        data = tenant.http.get(f"/v2/runs/{run_id}").json()["data"]
        if data["status"] not in ("queued", "running") or time.monotonic() > deadline:
            return dict(data)
        time.sleep(0.1)


ORDER = json.loads((EXAMPLES / "samples" / "order_webhook.json").read_text())


def test_a_delivery_runs_the_published_flow_and_its_result_and_logs_are_readable(executor, fake) -> None:
    tenant = tenant_of(executor)
    flow = order_flow(tenant, fake)
    pipe = webhook(tenant, flow["id"])
    assert pipe["listener_url"] == f"{executor.url}/listener/{pipe['id']}"
    fake.clear()
    answer = httpx.post(pipe["listener_url"], json=ORDER, headers={"Authorization": f"Bearer {pipe['token']}"})
    assert answer.status_code == 202, answer.text
    assert answer.json()["data"]["status"] == "queued"
    run = wait_run(tenant, answer.json()["data"]["id"])
    assert run["status"] == "ok", run["error"]
    assert (run["trigger"], run["version"], run["input"]) == ("webhook", 1, ORDER)
    assert run["result"]["order_id"].startswith("SO-")
    assert (run["succeeded"], run["failed"]) == (run["result"]["lines"] - 1, 1)
    assert run["requests"] == len([r for r in fake.requests() if r["path"].startswith("/erp")])
    logs = tenant.http.get(f"/v2/runs/{run['id']}/logs", params={"page[limit]": 100}).json()
    messages = [line["message"] for line in logs["data"]]
    assert any(f"is {run['result']['order_id']} in the ERP" in m for m in messages)
    assert "demo-erp-token" not in json.dumps(logs) and fake.url not in json.dumps(logs)
    listed = tenant.http.get("/v2/runs", params={"filter": f"eq(pipe_id,{pipe['id']})"}).json()
    assert [r["id"] for r in listed["data"]] == [run["id"]]


def test_wait_answers_with_the_run_and_504_when_it_takes_longer(executor) -> None:
    tenant = tenant_of(executor)
    flow = create(tenant, enabled=True, source='flow slowish {\n  wait number(source.seconds)\n  return source\n}\n')
    publish(tenant, flow["id"])
    pipe = webhook(tenant, flow["id"])
    key = {"X-Api-Key": pipe["token"]}
    quick = httpx.post(pipe["listener_url"] + "?wait=30", json={"seconds": 0}, headers=key, timeout=40)
    assert quick.status_code == 200, quick.text
    assert (quick.json()["data"]["status"], quick.json()["data"]["result"]) == ("ok", {"seconds": 0})
    slow = httpx.post(pipe["listener_url"] + "?wait=0.5", json={"seconds": 2}, headers=key)
    assert slow.status_code == 504
    run_id = slow.json()["errors"][0]["meta"]["run_id"]
    assert wait_run(tenant, run_id)["status"] == "ok"  # the run went on


def test_refused_deliveries(executor) -> None:
    tenant = tenant_of(executor)
    flow = create(tenant, enabled=True, source='flow echo {\n  return source\n}\n')
    publish(tenant, flow["id"])
    pipe = webhook(tenant, flow["id"])
    url, token = pipe["listener_url"], pipe["token"]
    body = b'{"id": 7}'
    assert httpx.post(url, content=body, headers={"Authorization": "Bearer nope"}).status_code == 401
    assert httpx.post(url, content=body).status_code == 401
    wrong = httpx.post(url, content=body, headers={"X-Flowlang-Signature": sign(b'{"id": 8}', token)})
    assert wrong.status_code == 401 and "does not match the body" in wrong.json()["errors"][0]["detail"]
    signed = httpx.post(url, content=body, headers={"X-Flowlang-Signature": sign(body, token)})
    assert signed.status_code == 202
    not_json = httpx.post(url, content=b"<xml/>", headers={"X-Api-Key": token})
    assert not_json.status_code == 400 and "not valid JSON" in not_json.json()["errors"][0]["detail"]
    huge = httpx.post(url, content=b'"' + b"x" * (1 << 20) + b'"', headers={"X-Api-Key": token})
    assert huge.status_code == 413
    disabled = tenant.http.put(f"/v2/pipes/{pipe['id']}", json={"data": {"type": "pipe", "enabled": False}})
    assert disabled.status_code == 200 and disabled.json()["data"]["enabled"] is False
    refused = httpx.post(url, content=body, headers={"X-Api-Key": token})
    assert refused.status_code == 400 and "disabled" in refused.json()["errors"][0]["detail"]
    runs = tenant.http.get("/v2/runs", params={"filter": f"eq(pipe_id,{pipe['id']})"}).json()
    assert runs["meta"]["results"]["total"] == 1  # only the signed delivery ran


def test_a_repeated_idempotency_key_starts_one_run(executor) -> None:
    tenant = tenant_of(executor)
    flow = create(tenant, enabled=True, source='flow echo {\n  return source\n}\n')
    publish(tenant, flow["id"])
    pipe = webhook(tenant, flow["id"])
    headers = {"X-Api-Key": pipe["token"], "Idempotency-Key": f"order-{uuid.uuid4()}"}
    first = httpx.post(pipe["listener_url"], json={"n": 1}, headers=headers)
    again = httpx.post(pipe["listener_url"], json={"n": 1}, headers=headers)
    assert first.status_code == again.status_code == 202
    assert first.json()["data"]["id"] == again.json()["data"]["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    other = httpx.post(pipe["listener_url"], json={"n": 1}, headers={"X-Api-Key": pipe["token"]})
    assert other.json()["data"]["id"] != first.json()["data"]["id"]


def test_a_publish_during_a_run_does_not_change_it_and_reprocess_uses_the_new_version(executor) -> None:
    tenant = tenant_of(executor)
    flow = create(tenant, enabled=True, source='flow v {\n  wait 1.5s\n  return "one"\n}\n')
    publish(tenant, flow["id"])
    pipe = webhook(tenant, flow["id"])
    started = httpx.post(pipe["listener_url"], json={}, headers={"X-Api-Key": pipe["token"]}).json()["data"]["id"]
    deadline = time.monotonic() + 10
    while tenant.http.get(f"/v2/runs/{started}").json()["data"]["status"] != "running":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    put(tenant, flow["id"], source='flow v {\n  return "two"\n}\n')
    publish(tenant, flow["id"])
    run = wait_run(tenant, started)
    assert (run["version"], run["result"]) == (1, "one")
    again = tenant.http.post(f"/v2/runs/{started}/reprocess")
    assert again.status_code == 202
    redone = wait_run(tenant, again.json()["data"]["id"])
    assert (redone["version"], redone["result"], redone["reprocess_of"]) == (2, "two", started)


def test_invalid_schedules_are_422_with_the_checkers_message(executor) -> None:
    tenant = tenant_of(executor)
    flow = create(tenant, enabled=True, source='flow f {\n}\n')
    bad = tenant.http.post("/v2/pipes", json={"data": {"type": "pipe", "flow_id": flow["id"], "trigger": "schedule",
                                                       "schedules": ["61 * * * *"], "timezone": "Mars/Base"}})
    assert bad.status_code == 422
    details = [e["detail"] for e in bad.json()["errors"]]
    assert "data.schedules[0]: invalid cron expression '61 * * * *': minute 61 is out of range 0-59" in details
    assert any("unknown time zone 'Mars/Base'" in d for d in details)


def test_a_schedule_fires_once_per_due_time_on_the_test_clock(executor) -> None:
    clock: Path = executor.clock  # type: ignore[attr-defined]
    clock.write_text("2026-03-29T00:40:00Z")
    tenant = tenant_of(executor)
    flow = create(tenant, enabled=True, source='flow tick {\n  state.n = (state?.n ?? 0) + 1\n  return state.n\n}\n')
    publish(tenant, flow["id"])
    made = tenant.http.post("/v2/pipes", json={"data": {"type": "pipe", "flow_id": flow["id"], "trigger": "schedule",
                                                        "schedules": ["*/15 * * * *"], "timezone": "Europe/Berlin"}})
    assert made.status_code == 201, made.text
    pipe = made.json()["data"]
    time.sleep(1)  # the scheduler sets next_run_at from the test clock
    assert tenant.http.get(f"/v2/pipes/{pipe['id']}").json()["data"]["next_run_at"] == "2026-03-29T00:45:00Z"
    for moment in ("2026-03-29T00:45:01Z", "2026-03-29T00:50:00Z", "2026-03-29T01:00:02Z"):  # 01:00 UTC: 03:00 CEST
        clock.write_text(moment)
        time.sleep(1.2)
    deadline = time.monotonic() + 20
    while True:
        runs = tenant.http.get("/v2/runs", params={"filter": f"eq(pipe_id,{pipe['id']})"}).json()["data"]
        if (len(runs) >= 2 and all(r["status"] == "ok" for r in runs)) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert sorted(r["scheduled_for"] for r in runs) == ["2026-03-29T00:45:00Z", "2026-03-29T01:00:00Z"]
    assert sorted(r["result"] for r in runs) == [1, 2]
    assert tenant.http.get(f"/v2/pipes/{pipe['id']}").json()["data"]["next_run_at"] == "2026-03-29T01:15:00Z"


def test_the_flows_own_schedule_is_the_default_of_its_pipe(executor) -> None:
    tenant = tenant_of(executor)
    flow = create(tenant, enabled=True, source='flow nightly {\n  schedule: "0 3 * * *"\n  return 1\n}\n')
    publish(tenant, flow["id"])
    made = tenant.http.post("/v2/pipes", json={"data": {"type": "pipe", "flow_id": flow["id"], "trigger": "schedule"}})
    assert made.status_code == 201, made.text
    assert (made.json()["data"]["schedules"], made.json()["data"]["timezone"]) == (["0 3 * * *"], "UTC")
    plain = create(tenant, enabled=True, source="flow plain {\n}\n")
    refused = tenant.http.post("/v2/pipes", json={"data": {"type": "pipe", "flow_id": plain["id"],
                                                           "trigger": "schedule"}})
    assert refused.status_code == 422 and "no schedule: setting" in refused.json()["errors"][0]["detail"]
