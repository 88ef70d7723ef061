"""Values from flows cannot run in the console: names, descriptions, sources and samples full of markup.

Each hostile value tries to set `window.__pwned`; the pages must show it as text, and the browser must
report no error (a blocked inline script would be a CSP error in the console: nothing even gets that far).
"""

from __future__ import annotations

from host.harness import HostServer, Tenant

from console.browser import Page
from console.support import Browserless, make_flow

NAME = '<script>window.__pwned="name"</script><img src=x onerror="window.__pwned=\'img\'">'
DESCRIPTION = '"><svg onload="window.__pwned=\'svg\'"><b>bold?</b>'
SOURCE = (
    'flow evil {\n'
    '  name: "</text><script>window.__pwned=\'chart\'</script>"\n'
    '  log failure "<img src=x onerror=window.__pwned=\'log\'> \\" ]]> <!-- "\n'
    '  return {html: "</code></li><script>window.__pwned=\'source\'</script>"}\n'
    '}\n')
SAMPLE = {"payload": "</textarea><script>window.__pwned='sample'</script>"}


def test_markup_in_a_flow_is_shown_as_text_and_never_runs(page: Page, tenant: Tenant) -> None:
    flow = make_flow(tenant, NAME, "evil", SOURCE, description=DESCRIPTION, sample=SAMPLE)
    page.sign_in(tenant.token)
    for path in ("/flows", f"/flows/{flow['id']}", f"/flows/{flow['id']}/edit"):
        page.go(path)
        assert page.script("return window.__pwned === undefined"), path
        assert page.script("return document.querySelectorAll('main script, main img, main b').length") == 0, path
    page.go(f"/flows/{flow['id']}")
    assert page.find("flow-title").text == NAME
    texts = page.script("return Array.from(document.querySelectorAll('svg text')).map(t => t.textContent)")
    assert any("</text><script>" in t for t in texts)
    assert "<script>window.__pwned='source'</script>" in page.find("source").text
    page.go(f"/flows/{flow['id']}/edit")
    assert "</textarea><script>" in page.script("return document.getElementById('sample').value")
    assert page.script("return document.getElementById('source').value") == SOURCE


def test_the_html_is_escaped_by_the_server(console: HostServer, tenant: Tenant) -> None:
    flow = make_flow(tenant, NAME, "evil-http", SOURCE, description=DESCRIPTION, sample=SAMPLE)
    browser = Browserless(console)
    browser.sign_in(tenant.token)
    for path in ("/flows", f"/flows/{flow['id']}", f"/flows/{flow['id']}/edit"):
        html = browser.http.get(path).text
        assert "<script>window" not in html and "onerror=\"window" not in html and "<svg onload" not in html
        assert "&lt;script&gt;window.__pwned" in html, path


def test_saving_markup_through_the_editor_keeps_it_as_text(page: Page, tenant: Tenant) -> None:
    flow = make_flow(tenant, "Plain", "plain", "flow plain {\n  return 1\n}\n")
    page.sign_in(tenant.token)
    page.go(f"/flows/{flow['id']}/edit")
    page.type("editor", SOURCE)  # typed by the user, then saved, then shown again
    page.script("document.getElementById('name').value = arguments[0]", NAME)
    page.click("save")
    assert page.script("return window.__pwned === undefined")
    assert tenant.http.get(f"/v2/flows/{flow['id']}").json()["data"]["name"] == NAME
