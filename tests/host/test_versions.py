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


def test_a_version_that_does_not_exist_is_404(tenant: Tenant) -> None:
    flow = create(tenant, source=HELLO)
    publish(tenant, flow["id"])
    for path in ("versions/2", "versions/0", "versions/abc", "versions/99999999999999"):
        response = tenant.http.get(f"/v2/flows/{flow['id']}/{path}")
        assert response.status_code == 404, path
        assert response.json()["errors"][0]["title"] == "Not Found"
    assert tenant.http.post(f"/v2/flows/{flow['id']}/versions/7/rollback").status_code == 404
    assert versions_of(tenant, flow["id"]) == [1]


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
