"""The console shows the warnings the API answers with, where the user acts: Save & Merge (H102) and a pipe
saved or switched on for a flow that cannot run yet (H201, H202)."""

from __future__ import annotations

from host.harness import Tenant

from console.browser import Page
from console.support import make_flow, make_pipe

KEYED = 'flow keyed {\n  return {key: secret("SHOP_KEY")}\n}\n'


def test_save_and_merge_shows_the_publish_warnings(page: Page, tenant: Tenant) -> None:
    flow = make_flow(tenant, "Keyed", "keyed", KEYED)
    page.sign_in(tenant.token)
    page.go(f"/flows/{flow['id']}/edit")
    page.click("publish")  # Save & Merge
    assert page.find("published-version").text == "version 1"
    (warning,) = page.find_all("warning")
    assert warning.get_attribute("data-code") == "H102"
    assert warning.text.startswith(f"warning[H102] line 2: no credential SHOP_KEY in project {tenant.slug}")
    assert "hint: store it: PUT /v2/credentials/SHOP_KEY" in warning.text
    page.go(f"/flows/{flow['id']}")
    assert page.find_all("warning") == []  # shown once, where the user published


def test_a_pipe_saved_for_a_flow_that_cannot_run_shows_why(page: Page, tenant: Tenant) -> None:
    from selenium.webdriver.support.ui import Select

    flow = make_flow(tenant, "Never published", "never-published", 'flow never_published {\n  return 1\n}\n',
                     enabled=False)
    page.sign_in(tenant.token)
    page.go(f"/pipes/new?flow={flow['id']}")
    Select(page.find("pipe-flow")).select_by_value(flow["id"])
    page.find("trigger-webhook").click()
    page.click("create-pipe")
    page.allow_status_error(201)
    codes = [w.get_attribute("data-code") for w in page.find_all("warning")]
    assert codes == ["H201", "H202"]
    assert "flow never-published has no published version" in page.find("warnings").text


def test_switching_on_a_pipe_for_a_flow_that_cannot_run_shows_why(page: Page, tenant: Tenant) -> None:
    flow = make_flow(tenant, "Not yet", "not-yet", 'flow not_yet {\n  return 1\n}\n', enabled=False)
    pipe = make_pipe(tenant, flow["id"], "webhook", name="Early hook", enabled=False)
    page.sign_in(tenant.token)
    page.go("/pipes")
    assert page.find_all("warning") == []  # a pipe that is off warns of nothing
    page.submit(page.find("pipe-enabled"))
    assert page.find("pipe-enabled").get_attribute("aria-checked") == "true"
    assert tenant.http.get(f"/v2/pipes/{pipe['id']}").json()["data"]["enabled"] is True
    codes = [w.get_attribute("data-code") for w in page.find_all("warning")]
    assert codes == ["H201", "H202"]
    assert "flow not-yet has no published version" in page.find("warnings").text
    page.go("/pipes")
    assert page.find_all("warning") == []  # shown once, where the user switched it on
