"""Drafts and Save & Merge: PUT saves the draft, publish checks it and makes numbered, immutable versions."""

from __future__ import annotations

from host.flows import BROKEN, HELLO, create, publish, put, put_file
from host.harness import Tenant


def versions_of(tenant: Tenant, flow_id: str) -> list[int]:
    response = tenant.http.get(f"/v2/flows/{flow_id}/versions")
    assert response.status_code == 200
    return [v["number"] for v in response.json()["data"]]


def test_put_saves_a_draft_that_is_not_a_version(tenant: Tenant) -> None:
    flow = create(tenant, source=HELLO)
    assert flow["source"] == HELLO and flow["meta"]["published_version"] is None
    assert versions_of(tenant, flow["id"]) == []


def test_publish_makes_version_one_with_who_and_when(tenant: Tenant) -> None:
    flow = create(tenant, source=HELLO)
    version = publish(tenant, flow["id"])["data"]
    assert (version["type"], version["number"], version["source"]) == ("flow-version", 1, HELLO)
    assert version["meta"]["created_by"] == "tests"
    assert version["meta"]["timestamps"]["created_at"].endswith("Z")
    assert version["meta"]["warnings"] == []
    assert tenant.http.get(f"/v2/flows/{flow['id']}").json()["data"]["meta"]["published_version"] == 1


def test_publish_of_a_broken_draft_is_422_with_one_error_per_diagnostic(tenant: Tenant) -> None:
    flow = create(tenant, source=BROKEN, slug="broken")
    response = tenant.http.post(f"/v2/flows/{flow['id']}/publish")
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [e["detail"] for e in errors] == [
        "broken.flow:3:21: error[E101]: undefined variable 'nope'",
        "broken.flow:3:34: error[E101]: undefined variable 'also_nope'",
    ]
    first = errors[0]
    assert (first["status"], first["title"], first["source"]) == (422, "Check Error", {"pointer": "/data/source"})
    assert {k: first["meta"][k] for k in ("code", "line", "column", "message", "hint", "file")} == {
        "code": "E101", "line": 3, "column": 21, "message": "undefined variable 'nope'", "hint": None,
        "file": "broken.flow"}
    assert versions_of(tenant, flow["id"]) == []


def test_warnings_do_not_stop_a_publish_and_are_reported(tenant: Tenant) -> None:
    flow = create(tenant, source='flow w {\n  y = 1\n  return "ok"\n}\n')
    warnings = publish(tenant, flow["id"])["data"]["meta"]["warnings"]
    assert [(w["code"], w["line"]) for w in warnings] == [("W102", 2)]


def test_a_draft_edit_does_not_change_the_published_version(tenant: Tenant) -> None:
    flow = create(tenant, source=HELLO)
    publish(tenant, flow["id"])
    edited = HELLO.replace('"hi"', '"hello"')
    put(tenant, flow["id"], source=edited)
    one = tenant.http.get(f"/v2/flows/{flow['id']}/versions/1").json()["data"]
    assert one["source"] == HELLO
    assert publish(tenant, flow["id"])["data"]["number"] == 2
    assert versions_of(tenant, flow["id"]) == [2, 1]


def test_publishing_an_unchanged_draft_again_answers_the_same_version(tenant: Tenant) -> None:
    flow = create(tenant, source=HELLO)
    publish(tenant, flow["id"])
    again = publish(tenant, flow["id"], status=200)["data"]
    assert again["number"] == 1 and versions_of(tenant, flow["id"]) == [1]


def test_rollback_publishes_an_old_version_again_and_keeps_the_draft(tenant: Tenant) -> None:
    flow = create(tenant, source=HELLO)
    publish(tenant, flow["id"])
    second = HELLO.replace('"hi"', '"two"')
    put(tenant, flow["id"], source=second)
    publish(tenant, flow["id"])
    response = tenant.http.post(f"/v2/flows/{flow['id']}/versions/1/rollback")
    assert response.status_code == 201
    third = response.json()["data"]
    assert (third["number"], third["source"], third["note"]) == (3, HELLO, "rollback to version 1")
    assert versions_of(tenant, flow["id"]) == [3, 2, 1]
    assert tenant.http.get(f"/v2/flows/{flow['id']}").json()["data"]["source"] == second


def test_a_version_that_does_not_exist_is_404_naming_the_flow_and_its_versions(tenant: Tenant) -> None:
    flow = create(tenant, source=HELLO, slug="hello-404")
    none_yet = tenant.http.get(f"/v2/flows/{flow['id']}/versions/1")
    assert none_yet.status_code == 404
    assert none_yet.json()["errors"][0]["detail"] == (
        f"flow 'hello-404' has no version 1; it has no published version yet (POST /v2/flows/{flow['id']}"
        "/publish makes version 1)")
    publish(tenant, flow["id"])
    put(tenant, flow["id"], source=HELLO.replace('"hi"', '"two"'))
    publish(tenant, flow["id"])
    for path, shown in (("versions/3", "3"), ("versions/0", "0"), ("versions/abc", "'abc'"),
                        ("versions/99999999999999", "99999999999999")):
        response = tenant.http.get(f"/v2/flows/{flow['id']}/{path}")
        assert response.status_code == 404, path
        (error,) = response.json()["errors"]
        assert error["title"] == "Not Found" and error["request_id"] == response.headers["x-request-id"]
        assert error["detail"] == f"flow 'hello-404' has no version {shown}; it has versions 1..2", path
        assert error["meta"] == {"flow_id": flow["id"], "slug": "hello-404", "latest_version": 2}
    rollback = tenant.http.post(f"/v2/flows/{flow['id']}/versions/7/rollback")
    assert rollback.status_code == 404
    assert rollback.json()["errors"][0]["detail"] == "flow 'hello-404' has no version 7; it has versions 1..2"
    assert versions_of(tenant, flow["id"]) == [2, 1]
    unknown = tenant.http.get("/v2/flows/00000000-0000-0000-0000-000000000000/versions/1")
    assert unknown.status_code == 404 and "no flow" in unknown.json()["errors"][0]["detail"]


def test_a_flow_without_source_cannot_be_published(tenant: Tenant) -> None:
    flow = create(tenant)
    response = tenant.http.post(f"/v2/flows/{flow['id']}/publish")
    assert response.status_code == 422
    assert "no draft source" in response.json()["errors"][0]["detail"]


def test_a_source_with_two_flows_cannot_be_published(tenant: Tenant) -> None:
    flow = create(tenant, source=HELLO + HELLO.replace("hello", "other"), slug="two")
    response = tenant.http.post(f"/v2/flows/{flow['id']}/publish")
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["meta"]["code"] == "H001" and "declares 2 flows" in error["detail"]


def test_a_version_keeps_the_shared_files_it_was_published_with(tenant: Tenant) -> None:
    put_file(tenant, "lib/greet.flow", 'func greet(name) {\n  return "hi " + name\n}\n')
    put_file(tenant, "unused.flow", "func unused() {\n  return 1\n}\n")
    source = 'import "lib/greet.flow"\n\nflow hello {\n  return greet("you")\n}\n'
    flow = create(tenant, source=source)
    version = publish(tenant, flow["id"])["data"]
    assert version["files"] == {"lib/greet.flow": 'func greet(name) {\n  return "hi " + name\n}\n'}
    put_file(tenant, "lib/greet.flow", "func greet(name, extra) {\n  return name\n}\n")
    assert tenant.http.get(f"/v2/flows/{flow['id']}/versions/1").json()["data"]["files"] == version["files"]
    # The draft is now checked against the changed file: the call has too few arguments.
    assert tenant.http.post(f"/v2/flows/{flow['id']}/publish").status_code == 422


def test_a_missing_import_is_a_diagnostic_of_the_publish(tenant: Tenant) -> None:
    flow = create(tenant, source='import "nowhere.flow"\n\nflow x {\n  return 1\n}\n', slug="imp")
    response = tenant.http.post(f"/v2/flows/{flow['id']}/publish")
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["detail"] == "imp.flow:1:8: error[E015]: imported file 'nowhere.flow' not found"


def test_publish_with_a_stale_if_match_is_412(tenant: Tenant) -> None:
    flow = create(tenant, source=HELLO)
    put(tenant, flow["id"], name="changed")
    response = tenant.http.post(f"/v2/flows/{flow['id']}/publish", headers={"If-Match": '"1"'})
    assert response.status_code == 412
    assert versions_of(tenant, flow["id"]) == []


def test_publish_warns_of_credentials_the_project_lacks(tenant: Tenant) -> None:
    put_file(tenant, "lib/erp.flow", 'system erp {\n  base_url: env("ERP_URL")\n  auth: bearer(secret("ERP_TOKEN"))\n'
                                     '  GET ping "/ping"\n}\n')
    tenant.http.put("/v2/credentials/ERP_TOKEN", json={"data": {"type": "credential", "value": "t0k3n"}})
    source = ('import "lib/erp.flow"\n\nflow creds {\n  region = env("REGION", "eu")\n'
              '  return {key: secret("API_KEY"), again: secret("API_KEY"), region: region}\n}\n')
    flow = create(tenant, source=source, slug="creds")
    warnings = publish(tenant, flow["id"])["data"]["meta"]["warnings"]
    assert [(w["code"], w["file"], w["line"], w["column"]) for w in warnings] == [
        ("H102", "lib/erp.flow", 2, 13), ("H102", "creds.flow", 5, 16)]  # one per name; none with a default
    assert warnings[0]["severity"] == "warning"
    assert warnings[0]["message"] == (f'no credential ERP_URL in project {tenant.slug}: env("ERP_URL") fails '
                                      "when a run reads it")
    assert warnings[0]["hint"] == 'store it: PUT /v2/credentials/ERP_URL (or give a default: env("ERP_URL", …))'
    assert warnings[1]["hint"] == "store it: PUT /v2/credentials/API_KEY"
    for name in ("ERP_URL", "API_KEY"):
        tenant.http.put(f"/v2/credentials/{name}", json={"data": {"type": "credential", "value": "v"}})
    again = publish(tenant, flow["id"], status=200)["data"]  # unchanged: the same version, warned afresh
    assert again["number"] == 1 and again["meta"]["warnings"] == []


def test_publish_warns_of_a_slug_or_enabled_setting_the_record_overrides(tenant: Tenant) -> None:
    source = 'flow header {\n  slug: "in-source"\n  enabled: true\n  return 1\n}\n'
    flow = create(tenant, source=source, slug="on-host", enabled=False)
    warnings = publish(tenant, flow["id"])["data"]["meta"]["warnings"]
    assert [(w["code"], w["line"], w["column"]) for w in warnings] == [("H101", 2, 9), ("H101", 3, 12)]
    assert warnings[0]["message"] == ('slug: "in-source" is not the slug of this flow on the host ("on-host"); '
                                      "the host uses the flow's record and ignores the setting")
    assert warnings[1]["message"] == ("enabled: true is ignored on the host: the flow's own enabled toggle "
                                      "(false, disabled: pipes do not run it) alone decides whether it runs")
    assert flow["id"] in warnings[1]["hint"]
    put(tenant, flow["id"], slug="in-source", enabled=True)  # record and source agree: nothing to say
    assert publish(tenant, flow["id"], status=200)["data"]["meta"]["warnings"] == []
