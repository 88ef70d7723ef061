"""Screenshots of the console for docs/console.md: every page at 1280×800 in a real (headless) Chromium.

    python docs/console_screenshots.py            # writes docs/images/console-*.png

It starts `flowlang serve` on 127.0.0.1 with a fresh database, fills a project through the API (a flow from
a template, a flow with two versions, its runs, two pipes), and saves one PNG per page. The browser tests
run `populate` and `shoot` too (tests/console/test_browser_shots.py), so the script keeps working.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
SIZE = (1280, 800)

COUNT_UP = """flow count_up {
  name: "Count up"
  items = [1, 2, 3, 4]
  for i in items {
    if i == 3 {
      log failure "item {i}: the ERP refused it"
    } else {
      log success "item {i} synced"
    }
  }
  return {done: length(items)}
}
"""


def _ok(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code < 300, answer.text
    data: dict[str, Any] = answer.json()["data"]
    return data


def _ended(http: httpx.Client, run_id: str) -> dict[str, Any]:
    for _ in range(300):
        run = _ok(http.get(f"/v2/runs/{run_id}"))
        if run["status"] not in ("queued", "running"):
            return run
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} did not end")


def populate(http: httpx.Client) -> dict[str, str]:
    """A project to show, made through the API as any client would; the ids the pages need."""
    _ok(http.post("/v2/flows", params={"template": "order-webhook"}))
    flow = _ok(http.post("/v2/flows", json={"data": {
        "type": "flow", "name": "Count up", "slug": "count-up", "enabled": True,
        "description": "Sync the items of the day, one log line each",
        "source": COUNT_UP.replace("[1, 2, 3, 4]", "[1, 2, 3]")}}))
    _ok(http.post(f"/v2/flows/{flow['id']}/publish"))
    _ok(http.put(f"/v2/flows/{flow['id']}", json={"data": {"type": "flow", "source": COUNT_UP}}))
    _ok(http.post(f"/v2/flows/{flow['id']}/publish"))
    _ok(http.put(f"/v2/flows/{flow['id']}", json={"data": {"type": "flow",
                                                            "source": COUNT_UP.replace("length(items)", "lenght(items)")}}))
    _ok(http.post("/v2/pipes", json={"data": {"type": "pipe", "flow_id": flow["id"], "trigger": "schedule",
                                              "name": "Every morning", "schedules": ["0 6 * * 1-5"],
                                              "timezone": "Europe/Berlin"}}))
    hook = _ok(http.post("/v2/pipes", json={"data": {"type": "pipe", "flow_id": flow["id"], "trigger": "webhook",
                                                     "name": "Shop webhook"}}))
    run = _ok(http.post(f"/v2/pipes/{hook['id']}/run", json={"data": {"input": {"order": 1001}}}))
    ended = _ended(http, run["id"])
    return {"flow": flow["id"], "run": ended["id"], "pipe": hook["id"]}


def shoot(driver: Any, base: str, token: str, ids: dict[str, str], out: Path) -> list[Path]:
    """Sign in and save one PNG per page into `out`; returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    metrics = {"width": SIZE[0], "height": SIZE[1], "deviceScaleFactor": 1, "mobile": False}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)  # the page itself is 1280×800
    try:
        return _shoot(driver, base, token, ids, out)
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def _shoot(driver: Any, base: str, token: str, ids: dict[str, str], out: Path) -> list[Path]:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    written: list[Path] = []

    def save(name: str, path: str) -> None:
        driver.get(base + path)
        driver.execute_script("document.activeElement && document.activeElement.blur()")
        target = out / f"console-{name}.png"
        driver.save_screenshot(str(target))
        written.append(target)

    driver.get(base + "/login")  # a page naming its icon (an SVG document has Chromium fetch /favicon.ico)
    driver.delete_all_cookies()
    save("sign-in", "/login")
    driver.find_element(By.ID, "token").send_keys(token)
    driver.find_element(By.CSS_SELECTOR, '[data-testid="sign-in"]').click()
    WebDriverWait(driver, 20).until(lambda d: d.current_url.endswith("/flows"))
    flow = ids["flow"]
    for name, path in (("flows", "/flows"), ("flow", f"/flows/{flow}"), ("diff", f"/flows/{flow}/diff?a=1&b=2"),
                       ("edit", f"/flows/{flow}/edit"), ("new-flow", "/flows/new"), ("pipes", "/pipes"),
                       ("runs", "/runs"), ("run", f"/runs/{ids['run']}")):
        save(name, path)
    return written


def main() -> int:
    sys.path.insert(0, str(ROOT / "tests"))
    from console.browser import missing, open_browser
    from host.harness import start_server

    reason = missing()
    if reason:
        print(f"no browser: {reason}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as directory, start_server(Path(directory)) as server:
        tenant = server.tenant("acme")
        ids = populate(tenant.http)
        with open_browser() as driver:
            for path in shoot(driver, server.url, tenant.token, ids, IMAGES):
                print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
