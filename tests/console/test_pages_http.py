"""The console over plain HTTP: sign-in, the session cookie's flags, CSRF on every form, CSP on every page."""

from __future__ import annotations

import uuid

from host.harness import HostServer, Tenant

from console.support import Browserless, api_flow, make_flow


def test_pages_need_a_session_and_send_the_browser_to_sign_in(console: HostServer) -> None:
    anonymous = Browserless(console)
    for path in ("/flows", "/flows/new", f"/flows/{uuid.uuid4()}", "/pipes", "/pipes/new", "/runs",
                 f"/runs/{uuid.uuid4()}", f"/flows/{uuid.uuid4()}/diff"):
        answer = anonymous.http.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == "/login?next=" + path
    assert anonymous.http.get("/").headers["location"] == "/login"


def test_a_good_token_signs_in_with_an_httponly_strict_cookie(console: HostServer, tenant: Tenant) -> None:
    browser = Browserless(console)
    answer = browser.sign_in(tenant.token)
    assert answer.status_code == 303 and answer.headers["location"] == "/flows"
    cookie = next(h for h in answer.headers.get_list("set-cookie") if h.startswith("flowlang_session="))
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=strict", "path=/"} <= flags
    assert tenant.token not in cookie  # sealed: the token is not readable from the cookie
    assert browser.http.get("/flows").status_code == 200


def test_a_bad_token_is_refused_and_no_session_starts(console: HostServer) -> None:
    browser = Browserless(console)
    answer = browser.sign_in("flw_not-a-token")
    assert answer.status_code == 401 and "unknown or revoked" in answer.text
    assert "flowlang_session" not in answer.headers.get("set-cookie", "")


def test_sign_in_without_the_forms_nonce_is_refused(console: HostServer, tenant: Tenant) -> None:
    browser = Browserless(console)
    answer = browser.http.post("/login", data={"token": tenant.token})
    assert answer.status_code == 403 and "flowlang_session" not in answer.headers.get("set-cookie", "")


def test_every_page_sends_a_csp_without_inline_scripts(console: HostServer, tenant: Tenant) -> None:
    flow = make_flow(tenant, "CSP", "csp", "flow csp {\n  return 1\n}\n")
    browser = Browserless(console)
    browser.sign_in(tenant.token)
    for path in ("/login", "/flows", "/flows/new", f"/flows/{flow['id']}", f"/flows/{flow['id']}/edit",
                 f"/flows/{flow['id']}/diff?a=draft&b=draft", "/pipes", "/pipes/new", "/runs"):
        answer = browser.http.get(path)
        assert answer.status_code == 200, path
        policy = answer.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "default-src 'none'" in policy
        assert "<script>" not in answer.text and " style=" not in answer.text and " on" + "click=" not in answer.text
        assert answer.headers["x-frame-options"] == "DENY" and answer.headers["x-content-type-options"] == "nosniff"


def test_a_form_without_its_csrf_field_changes_nothing(console: HostServer, tenant: Tenant) -> None:
    flow = make_flow(tenant, "Guarded", "guarded", enabled=True)
    browser = Browserless(console)
    browser.sign_in(tenant.token)
    for fields in ({"enabled": "false"}, {"enabled": "false", "csrf": "forged"}):
        answer = browser.post(f"/flows/{flow['id']}/enabled", fields)
        assert answer.status_code == 403
    assert api_flow(tenant, flow["id"])["enabled"] is True
    good = browser.post(f"/flows/{flow['id']}/enabled", {"enabled": "false", "csrf": browser.csrf()})
    assert good.status_code == 303 and api_flow(tenant, flow["id"])["enabled"] is False


def test_a_form_posted_from_another_origin_is_refused_even_with_the_csrf_value(
        console: HostServer, tenant: Tenant) -> None:
    flow = make_flow(tenant, "Elsewhere", "elsewhere")
    browser = Browserless(console)
    browser.sign_in(tenant.token)
    answer = browser.post(f"/flows/{flow['id']}/delete", {"csrf": browser.csrf()}, origin="http://evil.example")
    assert answer.status_code == 403
    assert tenant.http.get(f"/v2/flows/{flow['id']}").status_code == 200


def test_a_tampered_session_cookie_is_no_session(console: HostServer, tenant: Tenant) -> None:
    browser = Browserless(console)
    browser.sign_in(tenant.token)
    sealed = browser.http.cookies["flowlang_session"]
    middle = len(sealed) // 2
    tampered = sealed[:middle] + ("A" if sealed[middle] != "A" else "B") + sealed[middle + 1 :]
    for cookie in (tampered, "", "not-a-fernet-token", tenant.token):
        answer = console.client(follow_redirects=False).get("/flows",
                                                            headers={"Cookie": f"flowlang_session={cookie}"})
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login"), cookie


def test_a_revoked_token_ends_the_session_at_the_next_page(console: HostServer) -> None:
    slug = f"p-{uuid.uuid4().hex[:10]}"
    token = console.create_token(slug, name="to-revoke")
    browser = Browserless(console)
    browser.sign_in(token)
    assert browser.http.get("/flows").status_code == 200
    revoked = console.flowlang("token", "revoke", "--db", console.db, "--project", slug, "to-revoke")
    assert revoked.returncode == 0, revoked.stderr
    answer = browser.http.get("/flows")
    assert answer.status_code == 303 and answer.headers["location"] == "/login?expired=1"


def test_sign_out_forgets_the_session(console: HostServer, tenant: Tenant) -> None:
    browser = Browserless(console)
    browser.sign_in(tenant.token)
    answer = browser.post("/logout", {"csrf": browser.csrf()})
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    assert "flowlang_session" not in browser.http.cookies
    assert browser.http.get("/flows").status_code == 303
