"""The console in a real Chromium: sign in, the flows list, a flow's flowchart and source, editing a draft.

Every test fails on any JavaScript console error (the `page` fixture), CSP violations included.
"""

from __future__ import annotations

import uuid

from host.harness import HostServer, Tenant

from console.browser import Page
from console.support import EXAMPLES, api_flow, make_flow

WEBHOOK = (EXAMPLES / "order_webhook.flow").read_text(encoding="utf-8")


def test_sign_in_shows_the_projects_flows(page: Page, tenant: Tenant) -> None:
    make_flow(tenant, "Orders to ERP", "orders-to-erp", WEBHOOK)
    make_flow(tenant, "Prices", "prices", description="Nightly price sync")
    page.sign_in(tenant.token)
    assert page.path() == "/flows"
    rows = page.find_all("flow-row")
    assert [r.find_element("css selector", "a").text for r in rows] == ["Orders to ERP", "Prices"]


def test_a_wrong_token_is_refused_on_the_sign_in_page(page: Page) -> None:
    page.sign_in("flw_wrong")
    page.allow_status_error(401)
    assert page.find("login-error").text == "That token is unknown or revoked."
    assert page.path().startswith("/login")


def test_the_search_box_filters_as_you_type(page: Page, tenant: Tenant) -> None:
    for name in ("Customers to Magento", "Stock levels", "Customer loyalty"):
        make_flow(tenant, name, name.lower().replace(" ", "-"))
    page.sign_in(tenant.token)
    page.type("flow-search", "customer")
    shown = [r.find_element("css selector", "a").text for r in page.find_all("flow-row") if r.is_displayed()]
    assert shown == ["Customers to Magento", "Customer loyalty"]


def test_the_flow_page_shows_the_flowchart_with_one_node_per_call(page: Page, tenant: Tenant) -> None:
    flow = make_flow(tenant, "Orders to ERP", "orders-to-erp", WEBHOOK)
    page.sign_in(tenant.token)
    page.go(f"/flows/{flow['id']}")
    assert page.find("flow-title").text == "Orders to ERP"
    chart = page.find("flowchart")
    assert chart.tag_name == "svg"
    calls = page.find_all("flowchart-node", '[data-kind="call"]')
    assert [c.get_attribute("data-line") for c in calls] == ["25", "40"]  # erp.create_order, add_order_line
    funcs = page.find_all("flowchart-node", '[data-kind="func"]')
    assert len(funcs) == 4  # ship_to and order_line in the flow, money twice in order_line
    calls[1].click()
    page.collect()
    assert page.script("return window.location.hash") == "#L40"
    assert page.find("source").find_element("css selector", "#L40").text.strip().startswith("40")


def test_the_enabled_toggle_changes_the_flow_through_the_api(page: Page, tenant: Tenant) -> None:
    flow = make_flow(tenant, "Toggle me", "toggle-me", enabled=True)
    page.sign_in(tenant.token)
    toggle = page.find("flow-enabled")
    assert toggle.get_attribute("aria-checked") == "true"
    page.submit(toggle)
    assert page.find("flow-enabled").get_attribute("aria-checked") == "false"
    assert api_flow(tenant, flow["id"])["enabled"] is False


def test_saving_a_draft_with_an_error_shows_the_diagnostic_at_its_line(page: Page, tenant: Tenant) -> None:
    flow = make_flow(tenant, "Draft", "draft", "flow draft {\n  total = 1\n  return total\n}\n")
    page.sign_in(tenant.token)
    page.go(f"/flows/{flow['id']}/edit")
    assert page.find_all("diagnostic") == []
    broken = "flow draft {\n  total = 1\n  return totl\n}\n"
    page.script("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'))",
                page.find("editor"), broken)
    page.click("save")
    assert page.find("saved").text == "Draft saved."
    shown = {d.get_attribute("data-line"): d.text for d in page.find_all("diagnostic")}
    assert sorted(shown) == ["2", "3"]  # the error, and the warning it causes: `total` is never read
    assert "error[E101]: undefined variable 'totl'" in shown["3"] and "did you mean 'total'?" in shown["3"]
    assert "warning[W102]" in shown["2"]
    assert "draft.flow:3:10: error[E101]" in page.find("check-output").text
    assert api_flow(tenant, flow["id"])["source"] == broken


def test_a_new_flow_is_created_from_the_form(page: Page, tenant: Tenant) -> None:
    page.sign_in(tenant.token)
    page.click("new-flow")
    page.type("flow-name", "Brand new")
    page.type("flow-slug", "brand-new")
    page.click("create")
    assert page.path().endswith("/edit")
    listed = tenant.http.get("/v2/flows").json()["data"]
    assert [(f["name"], f["slug"]) for f in listed] == [("Brand new", "brand-new")]


def test_a_duplicate_slug_is_shown_as_the_apis_problem(page: Page, tenant: Tenant) -> None:
    make_flow(tenant, "Taken", "taken")
    page.sign_in(tenant.token)
    page.go("/flows/new")
    page.type("flow-name", "Again")
    page.type("flow-slug", "taken")
    page.click("create")
    page.allow_status_error(422)
    assert "a flow with slug 'taken' already exists" in page.find("problem").text


def test_a_flow_of_another_project_is_not_found(page: Page, console: HostServer, tenant: Tenant) -> None:
    other = console.tenant()
    theirs = make_flow(other, "Their secret flow", f"secret-{uuid.uuid4().hex[:6]}", WEBHOOK)
    make_flow(tenant, "Mine", "mine")
    page.sign_in(tenant.token)
    assert "Their secret flow" not in page.driver.page_source
    for path in (f"/flows/{theirs['id']}", f"/flows/{theirs['id']}/edit"):
        page.go(path)
        page.allow_status_error(404)
        assert "Their secret flow" not in page.driver.page_source
        assert page.find("error-message").text.startswith("no flow")


def test_the_flows_page_fits_a_phone_width_window(page: Page, tenant: Tenant) -> None:
    make_flow(tenant, "A flow with a rather long name to wrap on a phone", "long-name")
    page.driver.set_window_size(390, 844)
    try:
        page.sign_in(tenant.token)
        overflow = page.script("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        assert page.find("flow-enabled").is_displayed()
    finally:
        page.driver.set_window_size(1280, 800)


def test_sign_out_returns_to_the_sign_in_page(page: Page, tenant: Tenant) -> None:
    page.sign_in(tenant.token)
    page.click("sign-out")
    assert page.path() == "/login"
    page.go("/flows")
    assert page.path().startswith("/login")


def test_publish_a_draft_with_an_error_then_fix_it_diff_and_roll_back(page: Page, tenant: Tenant) -> None:
    flow = make_flow(tenant, "Versions", "versions", "flow versions {\n  total = 1\n  return total\n}\n")
    page.sign_in(tenant.token)
    page.go(f"/flows/{flow['id']}/edit")
    broken = "flow versions {\n  total = 2\n  return totl\n}\n"
    page.script("arguments[0].value = arguments[1]", page.find("editor"), broken)
    page.click("publish")  # Save & Merge
    page.allow_status_error(422)
    assert "Not published: versions.flow:3:10: error[E101]" in page.find("problem").text
    assert [d.get_attribute("data-line") for d in page.find_all("diagnostic")] == ["2", "3"]  # W102 and E101
    fixed = "flow versions {\n  total = 2\n  return total\n}\n"
    page.script("arguments[0].value = arguments[1]", page.find("editor"), fixed)
    page.click("publish")
    assert page.path() == f"/flows/{flow['id']}?notice=published&version=1"
    assert page.find("published-version").text == "version 1"
    assert page.find("source").find_element("css selector", "#L2 code").text.strip() == "total = 2"
    spans = page.script("return Array.from(document.querySelectorAll('[data-testid=source] .fl-declaration'))"
                        ".map(s => [s.textContent, getComputedStyle(s).color])")
    assert spans[0][0] == "flow" and spans[0][1] != "rgb(31, 35, 40)"  # highlighted: not the text colour
    tenant.http.put(f"/v2/flows/{flow['id']}", json={"data": {"type": "flow", "source": fixed.replace("2", "3")}})
    page.go(f"/flows/{flow['id']}")
    page.click("publish")
    assert page.find("published-version").text == "version 2"
    page.click("compare")  # versions 1 and 2, as the radios start
    diff = page.find("version-diff")
    changed = diff.find_elements("css selector", "tr[data-kind=replace]")
    assert [r.text.split() for r in changed] == [["2", "total", "=", "2", "2", "total", "=", "3"]]
    page.go(f"/flows/{flow['id']}")
    page.script("window.confirm = () => true")  # the roll back asks first
    page.submit(page.find("rollback"))
    assert page.find("published-version").text == "version 3"
    assert "version 3 is a copy of version 1" in page.driver.find_element("css selector", ".flash").text


def test_the_editor_saves_the_metadata_and_source_sample_with_the_draft(page: Page, tenant: Tenant) -> None:
    from selenium.webdriver.common.by import By

    flow = make_flow(tenant, "Meta", "meta", "flow meta {\n  return source.id\n}\n")
    page.sign_in(tenant.token)
    page.go(f"/flows/{flow['id']}/edit")
    field = page.driver.find_element
    field(By.ID, "name").clear()
    field(By.ID, "name").send_keys("Meta renamed")
    field(By.ID, "description").send_keys("Orders, one by one")
    field(By.CSS_SELECTOR, 'input[name="enabled"]').click()  # it was enabled
    field(By.ID, "sample").send_keys('{"id": 7, "lines": []}')
    page.click("save")
    assert page.find("saved").text == "Draft saved."
    saved = api_flow(tenant, flow["id"])
    assert (saved["name"], saved["description"], saved["enabled"]) == ("Meta renamed", "Orders, one by one", False)
    assert saved["sample"] == {"id": 7, "lines": []}
    field(By.ID, "sample").clear()
    field(By.ID, "sample").send_keys("{not json")
    page.click("save")
    page.allow_status_error(422)
    assert page.find("problem").text.startswith("sample: not valid JSON")
    assert api_flow(tenant, flow["id"])["sample"] == {"id": 7, "lines": []}  # nothing saved
