"""Versions in the console over HTTP: publish (and its refusal with diagnostics), roll back, the side-by-side
diff, the published source highlighted; new flows from a template (with its shared files) and by import."""

from __future__ import annotations

import json
import re

from host.harness import HostServer, Tenant

from console.support import Browserless, api_flow, make_flow, publish

V1 = "flow prices {\n  total = 1\n  return total\n}\n"
V2 = "flow prices {\n  total = 2\n  log success \"done\"\n  return total\n}\n"


def _signed_in(console: HostServer, tenant: Tenant) -> Browserless:
    browser = Browserless(console)
    browser.sign_in(tenant.token)
    return browser


def test_publish_makes_a_version_and_the_flow_page_shows_its_highlighted_source(
        console: HostServer, tenant: Tenant) -> None:
    flow = make_flow(tenant, "Prices", "prices", V1)
    browser = _signed_in(console, tenant)
    page = browser.http.get(f"/flows/{flow['id']}").text
    assert "not published" in page and "Nothing published yet" in page
    answer = browser.post(f"/flows/{flow['id']}/publish", {"csrf": browser.csrf()})
    assert answer.status_code == 303 and answer.headers["location"] == f"/flows/{flow['id']}?notice=published&version=1"
    assert api_flow(tenant, flow["id"])["meta"]["published_version"] == 1
    page = browser.http.get(answer.headers["location"]).text
    assert "Published version 1." in page and 'data-testid="version-row" data-number="1"' in page
    assert '<span class="fl-declaration">flow</span> <span class="fl-definition">prices</span>' in page
    assert '<link rel="stylesheet" href="/static/highlight.css">' in page
    css = browser.http.get("/static/highlight.css")
    assert css.status_code == 200 and ".fl-keyword" in css.text and css.headers["content-type"].startswith("text/css")
    again = browser.post(f"/flows/{flow['id']}/publish", {"csrf": browser.csrf()})
    assert again.headers["location"].endswith("notice=unchanged&version=1")


def test_publishing_a_draft_with_an_error_shows_the_apis_diagnostic_and_its_line(
        console: HostServer, tenant: Tenant) -> None:
    flow = make_flow(tenant, "Broken", "broken", "flow broken {\n  total = 1\n  return totl\n}\n")
    browser = _signed_in(console, tenant)
    answer = browser.post(f"/flows/{flow['id']}/publish", {"csrf": browser.csrf()})
    assert answer.status_code == 422
    assert ("Not published: broken.flow:3:10: error[E101]: undefined variable &#39;totl&#39;" in answer.text)
    assert re.search(r'data-testid="diagnostic" data-line="3">3:10: error\[E101\]', answer.text)
    assert api_flow(tenant, flow["id"])["meta"]["published_version"] is None


def test_save_and_merge_saves_the_draft_then_publishes_it(console: HostServer, tenant: Tenant) -> None:
    flow = make_flow(tenant, "Merge", "merge", V1)
    browser = _signed_in(console, tenant)
    edit = browser.http.get(f"/flows/{flow['id']}/edit").text
    etag = re.search(r'name="etag" value="([^"]*)"', edit).group(1)  # type: ignore[union-attr]
    fields = {"csrf": browser.csrf(), "etag": etag.replace("&#34;", '"'), "name": "Merge", "description": "",
              "enabled": "true", "sample": "", "source": V2.replace("prices", "merge"), "action": "publish"}
    answer = browser.post(f"/flows/{flow['id']}/edit", fields)
    assert answer.status_code == 303 and "notice=published&version=1" in answer.headers["location"]
    versions = tenant.http.get(f"/v2/flows/{flow['id']}/versions").json()["data"]
    assert [v["source"] for v in versions] == [V2.replace("prices", "merge")]


def test_rollback_publishes_an_old_version_again_and_the_diff_shows_both_sides(
        console: HostServer, tenant: Tenant) -> None:
    flow = make_flow(tenant, "Prices", "prices", V1)
    publish(tenant, flow["id"])
    tenant.http.put(f"/v2/flows/{flow['id']}", json={"data": {"type": "flow", "source": V2}})
    publish(tenant, flow["id"])
    browser = _signed_in(console, tenant)
    diff = browser.http.get(f"/flows/{flow['id']}/diff?a=1&b=2")
    assert diff.status_code == 200
    rows = re.findall(r'<tr class="d-(\w+)" data-kind="\w+">\s*<td class="ln">(\d*)</td>.*?<td class="ln">(\d*)</td>',
                      diff.text, re.S)
    assert rows == [("equal", "1", "1"), ("replace", "2", "2"), ("insert", "", "3"), ("equal", "3", "4"),
                    ("equal", "4", "5")]  # a final newline ends line 4; it starts no line 5
    assert '<span class="fl-number">2</span>' in diff.text  # each side highlighted
    answer = browser.post(f"/flows/{flow['id']}/versions/1/rollback", {"csrf": browser.csrf()})
    assert answer.status_code == 303 and answer.headers["location"].endswith("notice=rolled-back&version=3&of=1")
    versions = tenant.http.get(f"/v2/flows/{flow['id']}/versions").json()["data"]
    newest = versions[0]
    assert (newest["number"], newest["source"], newest["note"]) == (3, V1, "rollback to version 1")
    same = browser.http.get(f"/flows/{flow['id']}/diff?a=1&b=3").text
    assert "The two are the same." in same
    draft = browser.http.get(f"/flows/{flow['id']}/diff?a=3&b=draft").text
    assert "version 3 → the draft" in draft


def test_a_diff_of_a_version_that_does_not_exist_says_which(console: HostServer, tenant: Tenant) -> None:
    flow = make_flow(tenant, "Prices", "prices", V1)
    publish(tenant, flow["id"])
    browser = _signed_in(console, tenant)
    for bad in ("7", "x", "<b>"):
        answer = browser.http.get(f"/flows/{flow['id']}/diff", params={"a": bad, "b": "1"})
        assert answer.status_code == 404
        assert "has no version" in answer.text and "its versions: 1, and draft" in answer.text
        assert "<b>" not in answer.text
    rollback = browser.post(f"/flows/{flow['id']}/versions/9/rollback", {"csrf": browser.csrf()})
    assert rollback.status_code == 404 and "no version" in rollback.text


def test_a_flow_from_a_template_brings_the_shared_files_it_imports(console: HostServer, tenant: Tenant) -> None:
    browser = _signed_in(console, tenant)
    form = browser.http.get("/flows/new").text
    assert 'value="order-webhook"' in form and "systems.flow" in form
    answer = browser.post("/flows/new", {"csrf": browser.csrf(), "mode": "template", "template": "order-webhook",
                                         "name": "", "slug": "", "files": "refuse"})
    assert answer.status_code == 303
    flow_id = answer.headers["location"].rsplit("/", 1)[1]
    files = [f["path"] for f in tenant.http.get("/v2/files").json()["data"]]
    assert "systems.flow" in files
    page = browser.http.get(f"/flows/{flow_id}").text
    assert "error[E01" not in page  # its import is found: the draft is checked with the shared files
    assert 'data-kind="call"' in page and "No problems" in page
    again = browser.post("/flows/new", {"csrf": browser.csrf(), "mode": "template", "template": "order-webhook",
                                        "name": "Second", "slug": "second", "files": "refuse"})
    assert again.status_code == 303 and api_flow(tenant, again.headers["location"].rsplit("/", 1)[1])["name"] == "Second"
    unknown = browser.post("/flows/new", {"csrf": browser.csrf(), "mode": "template", "template": "nope"})
    assert unknown.status_code == 404 and "no template &#39;nope&#39;" in unknown.text


def test_an_exported_flow_is_imported_into_another_project_with_its_files(
        console: HostServer, tenant: Tenant) -> None:
    browser = _signed_in(console, tenant)
    browser.post("/flows/new", {"csrf": browser.csrf(), "mode": "template", "template": "order-webhook"})
    flow_id = tenant.http.get("/v2/flows").json()["data"][0]["id"]
    exported = browser.http.get(f"/flows/{flow_id}/export")
    assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
    other = console.tenant()
    theirs = _signed_in(console, other)
    answer = theirs.post("/flows/new", {"csrf": theirs.csrf(), "mode": "import", "export": exported.text,
                                        "files": "refuse"})
    assert answer.status_code == 303
    imported = other.http.get("/v2/flows").json()["data"]
    assert [f["slug"] for f in imported] == [json.loads(exported.text)["data"]["flow"]["slug"]]
    assert "systems.flow" in [f["path"] for f in other.http.get("/v2/files").json()["data"]]


def test_a_bad_import_is_refused_with_a_clear_message(console: HostServer, tenant: Tenant) -> None:
    browser = _signed_in(console, tenant)
    for export, message in (("", "choose an export file"), ("{not json", "the export is not valid JSON"),
                            ('{"data": {"type": "flow"}}', "data.type: must be &#34;flow-export&#34;")):
        answer = browser.post("/flows/new", {"csrf": browser.csrf(), "mode": "import", "export": export})
        assert answer.status_code in (400, 422), answer.text
        assert message in answer.text, answer.text
    assert tenant.http.get("/v2/flows").json()["data"] == []
