"""Pipes and runs in a real Chromium: toggle a pipe, trigger a run, watch it finish, read its log (green and
red lines), see the counts on the flowchart, reprocess it; log paging; new flows from a template and from an
export file chosen in the file picker; hostile log lines and payloads shown as text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from host.harness import HostServer, Tenant

from console.browser import Page
from console.support import TALLY, ended_run, make_flow, make_pipe, publish

COUNT_UP = """flow count_up {
  items = [1, 2, 3]
  for i in items {
    if i == 2 {
      log failure "item {i} failed"
    } else {
      log success "item {i}"
    }
  }
  wait 1s
  return {done: length(items)}
}
"""
# line -> (count, state) of each node after a run: the loop and its `if` ran 3 times, `log failure` once
COUNT_UP_COUNTS = {"1": ("1", "ok"), "2": ("1", "ok"), "3": ("3", "ok"), "4": ("3", "ok"), "5": ("1", "failed"),
                   "7": ("2", "ok"), "10": ("1", "ok"), "11": ("1", "ok")}
CALLS = """system console_host {
  base_url: "%s"

  GET icon "/static/favicon.svg"
  GET flows "/v2/flows"
}

flow calls {
  for i in [1, 2, 3] {
    icon = call console_host.icon()
  }
  try {
    call console_host.flows()
  } catch err {
    log warn "refused: {err.status}"
  }
  if false {
    call console_host.icon()
  }
}
"""
OK_GREEN = "rgb(26, 127, 55)"  # --ok
FAILED_RED = "rgb(207, 34, 46)"  # --failed


def _counted(page: Page) -> dict[str, tuple[str, str]]:
    """line -> (count, state) of the flowchart's nodes that carry a count (the end carries none)."""
    return {n.get_attribute("data-line"): (n.get_attribute("data-count"), n.get_attribute("data-state"))
            for n in page.find_all("flowchart-node", "[data-count]")}


def _wait_status(page: Page, wanted: str, timeout: float = 30) -> None:
    """Until the run page (reloading itself while the run is active) shows `wanted`."""
    from selenium.webdriver.support.ui import WebDriverWait

    def shown(driver: Any) -> bool:
        found = driver.execute_script(
            "const s = document.querySelector('[data-testid=run-status]'); return s && s.textContent")
        return bool(found == wanted)

    WebDriverWait(page.driver, timeout, poll_frequency=0.2, ignored_exceptions=(Exception,)).until(shown)
    page.collect()


def test_toggle_a_pipe_run_it_watch_it_finish_read_its_log_and_reprocess(page: Page, tenant: Tenant) -> None:
    flow = make_flow(tenant, "Count up", "count-up", COUNT_UP)
    publish(tenant, flow["id"])
    pipe = make_pipe(tenant, flow["id"], "webhook", name="Count hook", enabled=False)
    page.sign_in(tenant.token)
    page.go("/pipes")
    toggle = page.find("pipe-enabled")
    assert toggle.get_attribute("aria-checked") == "false"
    assert page.find("run-now").get_attribute("disabled") is not None
    page.submit(toggle)
    assert page.find("pipe-enabled").get_attribute("aria-checked") == "true"
    assert tenant.http.get(f"/v2/pipes/{pipe['id']}").json()["data"]["enabled"] is True
    page.click("run-now")
    assert page.path().startswith("/runs/")
    first = page.path()
    assert page.find("run-status").text in ("queued", "running")  # `wait 1s`: it has not ended yet
    _wait_status(page, "ok")
    lines = page.find_all("log-line")
    assert [(li.get_attribute("data-level"), li.find_element("css selector", ".message").text) for li in lines][:3] == [
        ("success", "item 1"), ("failure", "item 2 failed"), ("success", "item 3")]
    colours = [page.script("return getComputedStyle(arguments[0]).color", li) for li in lines[:2]]
    assert colours == [OK_GREEN, FAILED_RED]
    assert page.find("run-succeeded").text == "2" and page.find("run-failed").text == "1"
    assert _counted(page) == COUNT_UP_COUNTS
    assert "Count hook" in page.driver.find_element("css selector", "main .heading").text
    page.click("reprocess")
    assert page.path() != first
    _wait_status(page, "ok")
    assert "reprocessing" in page.driver.find_element("css selector", "main .heading").text
    page.go(f"/flows/{flow['id']}")
    assert _counted(page) == COUNT_UP_COUNTS  # the flow page: the last run's counts
    page.go("/flows")
    assert page.find("flow-last-run").text.startswith("ok")
    assert page.find("flow-published").text == "version 1"


def test_after_a_run_every_node_shows_its_count_and_a_refused_call_is_marked(
        page: Page, tenant: Tenant, console: HostServer) -> None:
    """API calls to the console's own server: three that answer, one refused (no token: 401) and caught."""
    flow = make_flow(tenant, "Calls", "calls", CALLS % console.url)
    publish(tenant, flow["id"])
    run = ended_run(tenant, make_pipe(tenant, flow["id"])["id"], None)
    assert run["status"] == "ok", run
    page.sign_in(tenant.token)
    for path in (f"/runs/{run['id']}", f"/flows/{flow['id']}"):
        page.go(path)
        calls = {n.get_attribute("data-line"): (n.get_attribute("data-count"), n.get_attribute("data-state"))
                 for n in page.find_all("flowchart-node", '[data-kind="call"]')}
        assert calls == {"10": ("3", "ok"), "13": ("1", "failed"), "18": ("0", "idle")}, path
        refused = page.find_all("flowchart-node", '[data-kind="call"][data-line="13"]')[0]
        badge = refused.find_element("css selector", ".fc-badge title")
        assert badge.get_attribute("textContent") == "1 call, failed 1 time"
        assert _counted(page)["9"] == ("3", "ok") and _counted(page)["14"] == ("1", "ok")  # the loop, the catch


def test_a_long_log_is_read_page_by_page(page: Page, tenant: Tenant) -> None:
    source = "flow chatty {\n  for i in range(150) {\n    log info \"line {i}\"\n  }\n}\n"
    flow = make_flow(tenant, "Chatty", "chatty", source)
    publish(tenant, flow["id"])
    run = ended_run(tenant, make_pipe(tenant, flow["id"])["id"], None)
    assert run["status"] == "ok", run
    page.sign_in(tenant.token)
    page.go(f"/runs/{run['id']}")
    assert len(page.find_all("log-line")) == 100
    page.click("log-next")
    shown = page.find_all("log-line")
    assert shown[0].find_element("css selector", ".message").text == "line 100"
    assert page.find("log").get_attribute("start") == "101"
    assert len(shown) >= 50
    page.click("log-previous")
    assert page.find_all("log-line")[0].find_element("css selector", ".message").text == "line 0"


def test_new_flows_from_a_template_and_from_an_export_file(page: Page, tenant: Tenant, tmp_path: Path) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    page.sign_in(tenant.token)
    page.go("/flows/new")
    page.script("document.getElementById('template').value = 'order-webhook'")
    page.click("create-from-template")
    assert page.find("flow-title").text == "Order Webhook to ERP"
    assert len(page.find_all("flowchart-node", '[data-kind="call"]')) == 2
    exported = tenant.http.get(f"/v2/flows/{page.path().rsplit('/', 1)[1]}/export").json()
    exported["data"]["flow"].update(name="Imported orders", slug="imported-orders")
    file = tmp_path / "imported-orders.flow.json"
    file.write_text(json.dumps(exported), encoding="utf-8")
    page.go("/flows/new")
    page.find("import-file").send_keys(str(file))  # the file picker; console.js reads it into the text box
    WebDriverWait(page.driver, 10).until(lambda d: page.find("import-json").get_attribute("value"))
    page.click("import")
    assert page.find("flow-title").text == "Imported orders"
    assert sorted(f["slug"] for f in tenant.http.get("/v2/flows").json()["data"]) == [
        "imported-orders", "order-webhook-to-erp"]


def test_markup_in_log_lines_and_payloads_never_runs(page: Page, tenant: Tenant) -> None:
    flow = make_flow(tenant, "Tally", "tally", TALLY)
    publish(tenant, flow["id"])
    pipe = make_pipe(tenant, flow["id"])
    hostile = {"items": [{"id": "<img src=x onerror=\"window.__pwned='log'\">", "ok": False},
                         {"id": "</li><script>window.__pwned='li'</script>", "ok": True}],
               "<svg onload=\"window.__pwned='key'\">": "</pre><script>window.__pwned='input'</script>"}
    run = ended_run(tenant, pipe["id"], hostile)
    assert run["status"] == "ok" and run["failed"] == 1
    page.sign_in(tenant.token)
    for path in (f"/runs/{run['id']}", "/runs", f"/flows/{flow['id']}"):
        page.go(path)
        assert page.script("return window.__pwned === undefined"), path
        assert page.script("return document.querySelectorAll('main script, main img, main pre svg').length") == 0
    page.go(f"/runs/{run['id']}")
    messages = [li.find_element("css selector", ".message").text for li in page.find_all("log-line")]
    assert messages[0] == "item <img src=x onerror=\"window.__pwned='log'\"> failed"
    assert "</pre><script>window.__pwned='input'</script>" in page.find("run-input").text


def test_every_page_fits_a_phone_width_window(page: Page, tenant: Tenant) -> None:
    flow = make_flow(tenant, "A flow with a rather long name to wrap on a phone", "long-name", TALLY)
    publish(tenant, flow["id"])
    pipe = make_pipe(tenant, flow["id"], name="A webhook pipe with a long name")
    run = ended_run(tenant, pipe["id"], {"items": [{"id": "x" * 80, "ok": False}]})
    page.driver.set_window_size(390, 844)
    try:
        page.sign_in(tenant.token)
        for path in ("/flows", f"/flows/{flow['id']}", f"/flows/{flow['id']}/edit", "/flows/new", "/pipes",
                     "/pipes/new", "/runs", f"/runs/{run['id']}", f"/flows/{flow['id']}/diff?a=1&b=draft"):
            page.go(path)
            overflow = page.script("return document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, (path, overflow)
    finally:
        page.driver.set_window_size(1280, 800)


def test_times_are_shown_in_the_browsers_time_zone_with_utc_on_hover(page: Page, tenant: Tenant) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    flow = make_flow(tenant, "Tally", "tally", TALLY)
    publish(tenant, flow["id"])
    run = ended_run(tenant, make_pipe(tenant, flow["id"])["id"], {"items": []})
    created = datetime.fromisoformat(run["meta"]["timestamps"]["created_at"].replace("Z", "+00:00"))
    tokyo = created.astimezone(ZoneInfo("Asia/Tokyo"))  # 9 hours ahead of UTC, all year
    page.sign_in(tenant.token)
    page.driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "Asia/Tokyo"})
    try:
        page.go("/runs")
        shown = page.find_all("run-row")[0].find_element("css selector", "time")
        assert shown.get_attribute("title") == created.strftime("%Y-%m-%d %H:%M:%S UTC")
        clock = f":{tokyo.minute:02d}:{tokyo.second:02d}"
        hours = {f"{tokyo.hour}{clock}", f"{tokyo.hour:02d}{clock}", f"{tokyo.hour % 12 or 12}{clock}"}
        assert any(h in shown.text for h in hours), (shown.text, hours)
        assert str(tokyo.day) in shown.text and "UTC" not in shown.text
    finally:
        page.driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": ""})
