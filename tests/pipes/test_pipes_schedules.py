"""Schedule pipes end to end against a real `flowlang serve` on its test clock: due times, time zones,
the flow's own schedule.

Every test takes the `executor` fixture (conftest.py), so every engine and store passes the same suite.
"""

from __future__ import annotations

import time

from engines import fires_on_the_test_clock
from host.flows import create
from served import published, runs_of, set_clock


def test_invalid_schedules_are_422_with_the_checkers_message(executor) -> None:
    tenant = executor.tenant()
    flow = create(tenant, enabled=True, source='flow f {\n}\n')
    bad = tenant.http.post("/v2/pipes", json={"data": {"type": "pipe", "flow_id": flow["id"], "trigger": "schedule",
                                                       "schedules": ["61 * * * *"], "timezone": "Mars/Base"}})
    assert bad.status_code == 422
    details = [e["detail"] for e in bad.json()["errors"]]
    assert "data.schedules[0]: invalid cron expression '61 * * * *': minute 61 is out of range 0-59" in details
    assert any("unknown time zone 'Mars/Base'" in d for d in details)


def test_a_schedule_fires_once_per_due_time_on_the_test_clock(executor, request) -> None:
    fires_on_the_test_clock(request)
    set_clock(executor, "2026-03-29T00:40:00Z")
    tenant = executor.tenant()
    flow = published(tenant, 'flow tick {\n  state.n = (state?.n ?? 0) + 1\n  return state.n\n}\n')
    made = tenant.http.post("/v2/pipes", json={"data": {"type": "pipe", "flow_id": flow["id"], "trigger": "schedule",
                                                        "schedules": ["*/15 * * * *"], "timezone": "Europe/Berlin"}})
    assert made.status_code == 201, made.text
    pipe = made.json()["data"]
    time.sleep(1)  # the scheduler sets next_run_at from the test clock
    assert tenant.http.get(f"/v2/pipes/{pipe['id']}").json()["data"]["next_run_at"] == "2026-03-29T00:45:00Z"
    for moment in ("2026-03-29T00:45:01Z", "2026-03-29T00:50:00Z", "2026-03-29T01:00:02Z"):  # 01:00 UTC: 03:00 CEST
        set_clock(executor, moment)
        time.sleep(1.2)
    deadline = time.monotonic() + 20
    while True:
        runs = runs_of(tenant.http, pipe["id"])
        if (len(runs) >= 2 and all(r["status"] == "ok" for r in runs)) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert sorted(r["scheduled_for"] for r in runs) == ["2026-03-29T00:45:00Z", "2026-03-29T01:00:00Z"]
    assert sorted(r["result"] for r in runs) == [1, 2]
    assert tenant.http.get(f"/v2/pipes/{pipe['id']}").json()["data"]["next_run_at"] == "2026-03-29T01:15:00Z"


def test_the_flows_own_schedule_is_the_default_of_its_pipe(executor) -> None:
    tenant = executor.tenant()
    flow = published(tenant, 'flow nightly {\n  schedule: "0 3 * * *"\n  return 1\n}\n')
    made = tenant.http.post("/v2/pipes", json={"data": {"type": "pipe", "flow_id": flow["id"], "trigger": "schedule"}})
    assert made.status_code == 201, made.text
    assert (made.json()["data"]["schedules"], made.json()["data"]["timezone"]) == (["0 3 * * *"], "UTC")
    plain = create(tenant, enabled=True, source="flow plain {\n}\n")
    refused = tenant.http.post("/v2/pipes", json={"data": {"type": "pipe", "flow_id": plain["id"],
                                                           "trigger": "schedule"}})
    assert refused.status_code == 422 and "no schedule: setting" in refused.json()["errors"][0]["detail"]
