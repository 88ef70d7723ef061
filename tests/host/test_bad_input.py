"""Bad requests get the error envelope with the right status, and leave the database as it was."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from host.harness import HostServer, Tenant


def flows_in(tenant: Tenant) -> list[dict[str, Any]]:
    return list(tenant.http.get("/v2/flows").json()["data"])


def one_error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    (error,) = response.json()["errors"]
    assert error["status"] == status
    assert error["request_id"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text
    return dict(error)


@pytest.mark.parametrize(("data", "detail", "pointer"), [
    ({"type": "flow", "slug": "a"}, 'data.name: "name" is required', "/data/name"),
    ({"type": "flow", "name": "A"}, 'data.slug: "slug" is required', "/data/slug"),
    ({"name": "A", "slug": "a"}, 'data.type: "type" is required', "/data/type"),
    ({"type": "flows", "name": "A", "slug": "a"}, 'data.type: must be "flow", not "flows"', "/data/type"),
    ({"type": "flow", "name": "$A", "slug": "a"},
     "data.name: names and values starting with $ are not supported", "/data/name"),
    ({"type": "flow", "name": "A", "slug": "my flow"},
     "data.slug: may only hold letters, digits, - and _ (found spaces in 'my flow')", "/data/slug"),
    ({"type": "flow", "name": "A", "slug": "a", "colour": "red"},
     "data.colour: unknown field (known: name, slug, description, enabled, source, sample)", "/data/colour"),
    ({"type": "flow", "name": "A", "slug": "a", "enabled": "yes"},
     "data.enabled: must be true or false, not a string", "/data/enabled"),
    ({"type": "flow", "name": 7, "slug": "a"}, "data.name: must be a string, not a number", "/data/name"),
])
def test_invalid_flows_are_422_naming_the_field(tenant: Tenant, data: dict[str, Any], detail: str,
                                                 pointer: str) -> None:
    error = one_error(tenant.http.post("/v2/flows", json={"data": data}), 422)
    assert (error["title"], error["detail"], error["source"]) == (
        "Validation Error", detail, {"pointer": pointer})
    assert flows_in(tenant) == []


def test_every_problem_of_a_body_is_reported(tenant: Tenant) -> None:
    response = tenant.http.post("/v2/flows", json={"data": {"type": "flow", "slug": "a b", "x": 1}})
    assert response.status_code == 422
    assert [e["source"]["pointer"] for e in response.json()["errors"]] == [
        "/data/slug", "/data/x", "/data/name"]


def test_a_duplicate_slug_is_422_and_the_first_flow_stays(tenant: Tenant) -> None:
    first = tenant.http.post("/v2/flows", json={"data": {"type": "flow", "name": "A", "slug": "a"}})
    assert first.status_code == 201
    again = tenant.http.post("/v2/flows", json={"data": {"type": "flow", "name": "B", "slug": "a"}})
    error = one_error(again, 422)
    assert error["detail"] == "data.slug: a flow with slug 'a' already exists in this project"
    other = tenant.http.post("/v2/flows", json={"data": {"type": "flow", "name": "B", "slug": "b"}})
    taken = tenant.http.put(f"/v2/flows/{other.json()['data']['id']}",
                            json={"data": {"type": "flow", "slug": "a"}})
    one_error(taken, 422)
    assert sorted((f["name"], f["slug"]) for f in flows_in(tenant)) == [("A", "a"), ("B", "b")]


@pytest.mark.parametrize(("body", "status", "detail"), [
    (b'{"data": {"type": "flow",', 400, "the body is not valid JSON: Expecting property name enclosed in "
                                        "double quotes at line 1 column 26"),
    (b"[1, 2]", 422, 'data: "data" is required'),
    (b'{"data": "flow"}', 422, "data: must be an object, not a string"),
    (b'{"data": {"type": "flow", "name": "A", "slug": "a", "enabled": NaN}}', 400,
     "the body is not valid JSON: NaN is not a JSON number"),
    (b"\xff\xfe", 400, "the body is not valid UTF-8 (byte 0)"),
    # Python reads both, but no JSON answer can hold them: stored, they made every later GET /v2/flows a 500
    (b'{"data": {"type": "flow", "name": "A", "slug": "a", "sample": {"n": 1e999}}}', 400,
     "the body is not valid JSON: the number 1e999 is too large"),
    (b'{"data": {"type": "flow", "name": "\\ud800", "slug": "a"}}', 400,
     "the body is not valid JSON: the string at /data/name holds a lone UTF-16 surrogate (a \\u escape from "
     "\\ud800 to \\udfff without its pair), which is not text"),
    # PostgreSQL cannot store a NUL: it was a 500 there
    (b'{"data": {"type": "flow", "name": "A\\u0000B", "slug": "a"}}', 400,
     "the body is not valid JSON: the string at /data/name holds a NUL character (a \\u0000 escape), which "
     "cannot be stored"),
    (b"", 400, "this request needs a JSON body"),
])
def test_malformed_or_misshapen_bodies(tenant: Tenant, body: bytes, status: int, detail: str) -> None:
    response = tenant.http.post("/v2/flows", content=body, headers={"Content-Type": "application/json"})
    assert one_error(response, status)["detail"] == detail
    assert flows_in(tenant) == []


def test_a_paired_surrogate_escape_is_text(tenant: Tenant) -> None:
    body = b'{"data": {"type": "flow", "name": "A \\ud83d\\ude00", "slug": "emoji", "sample": {"\\udfff": 1}}}'
    bad = tenant.http.post("/v2/flows", content=body, headers={"Content-Type": "application/json"})
    assert "the string at /data/sample holds a lone" in one_error(bad, 400)["detail"]  # a key, too
    good = tenant.http.post("/v2/flows", content=body.replace(b'"\\udfff"', b'"k"'),
                            headers={"Content-Type": "application/json"})
    assert good.status_code == 201 and good.json()["data"]["name"] == "A \U0001f600"
    assert [f["name"] for f in flows_in(tenant)] == ["A \U0001f600"]


def test_ten_megabytes_of_text_is_413(tenant: Tenant) -> None:
    big = b'{"data": {"type": "flow", "name": "A", "slug": "a", "description": "' + b"x" * 10_000_000 + b'"}}'
    response = tenant.http.post("/v2/flows", content=big, headers={"Content-Type": "application/json"})
    assert "5,242,880 bytes" in one_error(response, 413)["detail"]
    assert flows_in(tenant) == []


def test_a_body_that_is_not_json_is_415(tenant: Tenant) -> None:
    response = tenant.http.post("/v2/flows", content=b"name=A", headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    one_error(response, 415)


def test_an_unknown_path_and_a_wrong_method_get_the_envelope(tenant: Tenant) -> None:
    assert one_error(tenant.http.get("/v2/nothing"), 404)["detail"] == "there is no /v2/nothing on this server"
    assert one_error(tenant.http.patch("/v2/flows"), 405)["detail"] == "/v2/flows does not accept PATCH"


def test_a_server_failure_is_500_with_a_request_id_that_the_log_has(private_host: HostServer) -> None:
    tenant = private_host.tenant()
    with sqlite3.connect(private_host.db) as db:  # break the store under the running server
        db.execute("ALTER TABLE flows RENAME TO flows_gone")
    response = tenant.http.get("/v2/flows")
    error = one_error(response, 500)
    assert error["title"] == "Internal Server Error"
    assert "flows" not in error["detail"] and "sqlite" not in response.text.lower()
    log = private_host.log()
    assert error["request_id"] in log
    assert "Traceback" in log and "no such table: flows" in log


def test_a_nul_in_a_query_parameter_is_a_400(tenant: Tenant) -> None:
    response = tenant.http.get("/v2/flows", params={"filter": "eq(slug,a\0b)"})
    assert one_error(response, 400)["detail"] == (
        "the query parameter 'filter' holds a NUL character (%00), which cannot be stored")
