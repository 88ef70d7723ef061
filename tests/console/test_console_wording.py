"""The console's words over plain HTTP: counts in the singular when they are one, and a stale edit said
as a person would say it (not the API's If-Match wording)."""

from __future__ import annotations

import html
import re

from host.harness import HostServer, Tenant

from console.support import Browserless, make_flow

ONE_ERROR_ONE_WARNING = "flow counted {\n  unused = 1\n  return nope\n}\n"


def signed_in(console: HostServer, tenant: Tenant) -> Browserless:
    browser = Browserless(console)
    browser.sign_in(tenant.token)
    return browser


def test_one_error_and_one_warning_are_counted_in_the_singular(console: HostServer, tenant: Tenant) -> None:
    flow = make_flow(tenant, "Counted", "counted", ONE_ERROR_ONE_WARNING)
    browser = signed_in(console, tenant)
    for path in (f"/flows/{flow['id']}", f"/flows/{flow['id']}/edit"):
        text = browser.http.get(path).text
        assert "(1 error, 1 warning" in text, path
        assert "1 errors" not in text and "1 warnings" not in text, path
    listing = browser.http.get("/flows").text
    assert "1 of 1 flow</p>" in listing


def test_a_stale_edit_is_refused_in_plain_words_and_the_text_is_kept(console: HostServer, tenant: Tenant) -> None:
    flow = make_flow(tenant, "Shared", "shared", "flow shared {\n  return 1\n}\n")
    browser = signed_in(console, tenant)
    editor = browser.http.get(f"/flows/{flow['id']}/edit").text
    etag = html.unescape(re.search(r'name="etag" value="([^"]*)"', editor).group(1))  # type: ignore[union-attr]
    changed = tenant.http.put(f"/v2/flows/{flow['id']}", json={"data": {"type": "flow", "description": "meanwhile"}})
    assert changed.status_code == 200, changed.text
    mine = "flow shared {\n  return 2\n}\n"
    answer = browser.post(f"/flows/{flow['id']}/edit", {
        "csrf": browser.csrf(), "etag": etag, "name": "Shared", "description": "", "enabled": "true",
        "source": mine, "sample": "", "action": "save"})
    assert answer.status_code == 412
    problems = [html.unescape(p) for p in re.findall(r'data-testid="problem">([^<]*)<', answer.text)]
    assert problems == ["Not saved: this flow was changed by someone else (or in another tab) after you opened "
                        "it. Your text is still below: copy what you need, open the editor again to see the "
                        "current draft, then re-apply your changes."]
    assert "If-Match" not in answer.text and "revision" not in answer.text
    assert html.escape(mine, quote=False) in answer.text
