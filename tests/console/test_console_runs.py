"""Pipes and runs in the console over HTTP, against the real host: schedules with their next run in the
pipe's zone, the webhook token shown once, toggles, Run now, the run's page with its log, counts on the
flowchart, Reprocess, the filters, and another project's pipes and runs staying invisible."""

from __future__ import annotations

import re
import uuid

from host.harness import HostServer, Tenant

from console.support import (
    TALLY,
    TALLY_INPUT,
    Browserless,
    ended_run,
    make_flow,
    make_pipe,
    publish,
    wait_run,
)


def _signed_in(console: HostServer, tenant: Tenant) -> Browserless:
    browser = Browserless(console)
    browser.sign_in(tenant.token)
    return browser


def _tally(tenant: Tenant) -> dict[str, str]:
    flow = make_flow(tenant, "Tally", "tally", TALLY)
    publish(tenant, flow["id"])
    return flow


def test_a_schedule_pipe_shows_its_next_run_in_its_own_time_zone(console: HostServer, tenant: Tenant) -> None:
    flow = _tally(tenant)
    browser = _signed_in(console, tenant)
    assert "No pipes yet" in browser.http.get("/pipes").text
    answer = browser.post("/pipes/new", {"csrf": browser.csrf(), "flow_id": flow["id"], "trigger": "schedule",
                                         "name": "Nightly", "schedules": "0 6 * * *\n", "timezone": "Asia/Tokyo",
                                         "overlap": "skip", "missed": "skip", "enabled": "true"})
    assert answer.status_code == 303 and answer.headers["location"] == "/pipes"
    pipe = tenant.http.get("/v2/pipes").json()["data"][0]
    page = browser.http.get("/pipes").text
    shown = re.search(r'data-testid="next-run" title="([^"]+) UTC">([^<]+)<', page)
    assert shown is not None and shown.group(1) == pipe["next_run_at"]
    assert shown.group(2).endswith(" 06:00 Asia/Tokyo")  # 06:00 there, whatever the UTC time is


def test_bad_pipe_fields_are_shown_as_the_apis_problems(console: HostServer, tenant: Tenant) -> None:
    flow = _tally(tenant)
    browser = _signed_in(console, tenant)
    answer = browser.post("/pipes/new", {"csrf": browser.csrf(), "flow_id": flow["id"], "trigger": "schedule",
                                         "schedules": "every tuesday", "timezone": "Mars/Olympus"})
    assert answer.status_code == 422
    problems = re.findall(r'data-testid="problem">([^<]+)<', answer.text)
    assert any(p.startswith("data.schedules[0]:") for p in problems), problems
    assert any(p.startswith("data.timezone:") for p in problems), problems
    assert "every tuesday" in answer.text  # the form keeps what was typed
    assert tenant.http.get("/v2/pipes").json()["data"] == []


def test_a_webhook_token_is_shown_once_and_never_again(console: HostServer, tenant: Tenant) -> None:
    flow = _tally(tenant)
    browser = _signed_in(console, tenant)
    answer = browser.post("/pipes/new", {"csrf": browser.csrf(), "flow_id": flow["id"], "trigger": "webhook",
                                         "enabled": "true"})
    assert answer.status_code == 201
    token = re.search(r'value="([^"]+)" data-testid="webhook-token"', answer.text)
    assert token is not None
    pipe = tenant.http.get("/v2/pipes").json()["data"][0]
    delivered = console.client().post(f"/listener/{pipe['id']}?wait=20", json=TALLY_INPUT,
                                      headers={"Authorization": f"Bearer {token.group(1)}"})
    assert delivered.status_code == 200 and delivered.json()["data"]["status"] == "ok", delivered.text
    for path in ("/pipes", f"/runs/{delivered.json()['data']['id']}", "/runs", f"/flows/{flow['id']}"):
        assert token.group(1) not in browser.http.get(path).text, path
    rotated = browser.post(f"/pipes/{pipe['id']}/token", {"csrf": browser.csrf()})
    fresh = re.search(r'value="([^"]+)" data-testid="webhook-token"', rotated.text)
    assert rotated.status_code == 201 and fresh is not None and fresh.group(1) != token.group(1)
    old = console.client().post(f"/listener/{pipe['id']}", json={}, headers={"Authorization": f"Bearer {token.group(1)}"})
    assert old.status_code == 401


def test_toggle_run_now_and_the_runs_page_with_log_counts_and_reprocess(console: HostServer, tenant: Tenant) -> None:
    flow = _tally(tenant)
    pipe = make_pipe(tenant, flow["id"], "webhook", enabled=False)
    browser = _signed_in(console, tenant)
    refused = browser.post(f"/pipes/{pipe['id']}/run", {"csrf": browser.csrf()})
    assert refused.status_code == 400 and f"pipe {pipe['id']} is disabled" in refused.text
    on = browser.post(f"/pipes/{pipe['id']}/enabled", {"csrf": browser.csrf(), "enabled": "true"})
    assert on.status_code == 303 and tenant.http.get(f"/v2/pipes/{pipe['id']}").json()["data"]["enabled"] is True
    first = ended_run(tenant, pipe["id"], TALLY_INPUT)
    assert first["status"] == "ok"
    page = browser.http.get(f"/runs/{first['id']}").text
    levels = re.findall(r'<li class="log-(\w+)" data-testid="log-line"', page)
    assert levels == ["success", "failure", "success", "info"], levels
    assert '<a href="#L4">tally.flow:4</a>' in page and 'data-testid="run-succeeded">2<' in page
    counts = dict(re.findall(r'data-line="(\d+)" data-count="(\d+)" data-state="\w+"', page))
    # the flow started once, the loop ran 3 times, so did its if; success twice, failure once; one return
    assert counts == {"1": "1", "2": "3", "3": "3", "4": "2", "6": "1", "9": "1"}
    assert 'data-line="6" data-count="1" data-state="failed"' in page  # a `log failure` that logged
    assert "&#34;count&#34;: 3" in page  # the result, pretty-printed
    again = browser.post(f"/runs/{first['id']}/reprocess", {"csrf": browser.csrf()})
    assert again.status_code == 303
    second_id = again.headers["location"].rsplit("/", 1)[1]
    second = wait_run(tenant, second_id)
    assert second["reprocess_of"] == first["id"] and second["input"] == TALLY_INPUT and second["status"] == "ok"
    now = browser.post(f"/pipes/{pipe['id']}/run", {"csrf": browser.csrf()})
    assert now.status_code == 303 and now.headers["location"].startswith("/runs/")
    wait_run(tenant, now.headers["location"].rsplit("/", 1)[1])
    listed = browser.http.get("/runs").text
    assert len(re.findall(r'data-testid="run-row"', listed)) == 3
    flow_page = browser.http.get(f"/flows/{flow['id']}").text
    assert "counts of the" in flow_page  # the flowchart of the published version, with the last run's counts


def test_a_failed_run_links_its_error_to_the_line(console: HostServer, tenant: Tenant) -> None:
    source = 'flow boom {\n  n = 1\n  fail "no luck {n}"\n}\n'
    flow = make_flow(tenant, "Boom", "boom", source)
    publish(tenant, flow["id"])
    pipe = make_pipe(tenant, flow["id"], "webhook")
    run = ended_run(tenant, pipe["id"], {"<b>": "</pre><script>x</script>"})
    assert run["status"] == "failed"
    page = _signed_in(console, tenant).http.get(f"/runs/{run['id']}").text
    assert '<a href="#L3" data-testid="error-location">boom.flow:3:3</a>: no luck 1' in page
    assert 'data-line="2" data-count="1" data-state="ok"' in page
    assert 'data-line="3" data-count="1" data-state="failed"' in page  # the `fail` that ended it
    assert "<script>x</script>" not in page and "&lt;/pre&gt;&lt;script&gt;x&lt;/script&gt;" in page


def test_the_runs_filters_and_their_bad_values(console: HostServer, tenant: Tenant) -> None:
    flow = _tally(tenant)
    pipe = make_pipe(tenant, flow["id"], "webhook")
    good = ended_run(tenant, pipe["id"], TALLY_INPUT)
    bad = ended_run(tenant, pipe["id"], {"items": None})
    assert (good["status"], bad["status"]) == ("ok", "failed")
    browser = _signed_in(console, tenant)

    def rows(**params: str) -> list[str]:
        return re.findall(r'data-testid="run-row" data-id="([^"]+)"', browser.http.get("/runs", params=params).text)

    assert rows() == [bad["id"], good["id"]]
    assert rows(status="failed") == [bad["id"]]
    assert rows(flow=flow["id"], status="ok") == [good["id"]]
    assert rows(pipe=pipe["id"]) == [bad["id"], good["id"]]
    today = good["meta"]["timestamps"]["created_at"][:10]
    assert rows(date=today) == [bad["id"], good["id"]]
    assert rows(date="2001-01-01") == []
    answer = browser.http.get("/runs", params={"status": "<i>", "date": "yesterday", "flow": "eq(x)"})
    assert answer.status_code == 200
    assert "status must be one of" in answer.text and "date must be a day as YYYY-MM-DD" in answer.text
    assert "<i>" not in answer.text


def test_another_projects_pipes_and_runs_are_not_found(console: HostServer, tenant: Tenant) -> None:
    other = console.tenant()
    flow = _tally(other)
    pipe = make_pipe(other, flow["id"], "webhook")
    run = ended_run(other, pipe["id"], TALLY_INPUT)
    browser = _signed_in(console, tenant)
    for path in (f"/runs/{run['id']}", f"/runs/{uuid.uuid4()}"):
        answer = browser.http.get(path)
        assert answer.status_code == 404 and "Tally" not in answer.text
    assert pipe["id"] not in browser.http.get("/pipes").text and run["id"] not in browser.http.get("/runs").text
    for path in (f"/pipes/{pipe['id']}/run", f"/pipes/{pipe['id']}/enabled", f"/runs/{run['id']}/reprocess",
                 f"/pipes/{pipe['id']}/delete"):
        assert browser.post(path, {"csrf": browser.csrf(), "enabled": "false"}).status_code == 404, path
    assert other.http.get(f"/v2/pipes/{pipe['id']}").json()["data"]["enabled"] is True
    assert len(other.http.get("/v2/runs").json()["data"]) == 1
