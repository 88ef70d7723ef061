"""Webhook pipes end to end against a real `flowlang serve`: deliveries, refusals, runs, logs, reprocess.

Every test takes the `executor` fixture (conftest.py): the server it talks to runs its flows on that engine,
on SQLite and on PostgreSQL, so every engine and store passes the same suite.
"""

from __future__ import annotations

import json
import time
import uuid

import httpx
from host.flows import publish, put
from served import EXAMPLES, order_flow, published, wait_run, webhook

from flowlang.host.webhooks import sign

ORDER = json.loads((EXAMPLES / "samples" / "order_webhook.json").read_text())


def test_a_delivery_runs_the_published_flow_and_its_result_and_logs_are_readable(executor, fake) -> None:
    tenant = executor.tenant()
    flow = order_flow(tenant, fake.url)
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
    tenant = executor.tenant()
    flow = published(tenant, 'flow slowish {\n  wait number(source.seconds)\n  return source\n}\n')
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
    tenant = executor.tenant()
    flow = published(tenant, 'flow echo {\n  return source\n}\n')
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
    tenant = executor.tenant()
    flow = published(tenant, 'flow echo {\n  return source\n}\n')
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
    tenant = executor.tenant()
    flow = published(tenant, 'flow v {\n  wait 1.5s\n  return "one"\n}\n')
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


def test_the_token_is_shown_once_and_a_rotation_retires_the_old_one(executor) -> None:
    tenant = executor.tenant()
    flow = published(tenant, 'flow echo {\n  return source\n}\n')
    pipe = webhook(tenant, flow["id"])
    assert "token" not in tenant.http.get(f"/v2/pipes/{pipe['id']}").json()["data"]
    assert all("token" not in p for p in tenant.http.get("/v2/pipes").json()["data"])
    rotated = tenant.http.post(f"/v2/pipes/{pipe['id']}/token")
    assert rotated.status_code == 201
    new = rotated.json()["data"]["token"]
    assert new != pipe["token"]
    old = httpx.post(pipe["listener_url"], json={}, headers={"X-Api-Key": pipe["token"]})
    assert old.status_code == 401
    assert httpx.post(pipe["listener_url"], json={}, headers={"X-Api-Key": new}).status_code == 202
    assert httpx.post(pipe["listener_url"], content=b"{}",
                      headers={"X-Flowlang-Signature": sign(b"{}", new)}).status_code == 202


def test_a_disabled_flow_refuses_deliveries_and_manual_runs(executor) -> None:
    tenant = executor.tenant()
    flow = published(tenant, 'flow echo {\n  return source\n}\n')
    pipe = webhook(tenant, flow["id"])
    put(tenant, flow["id"], enabled=False)
    refused = httpx.post(pipe["listener_url"], json={}, headers={"X-Api-Key": pipe["token"]})
    assert refused.status_code == 400 and refused.json()["errors"][0]["title"] == "Flow Disabled"
    manual = tenant.http.post(f"/v2/pipes/{pipe['id']}/run")
    assert manual.status_code == 400 and "disabled" in manual.json()["errors"][0]["detail"]
    put(tenant, flow["id"], enabled=True)
    ran = tenant.http.post(f"/v2/pipes/{pipe['id']}/run", json={"data": {"input": {"n": 2}}})
    assert ran.status_code == 202
    done = wait_run(tenant, ran.json()["data"]["id"])
    assert (done["status"], done["trigger"], done["result"]) == ("ok", "manual", {"n": 2})
