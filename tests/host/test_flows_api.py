"""`/v2/flows` against the real server: the contract's shapes, paging, partial updates and deletes."""

from __future__ import annotations

import uuid

from host.flows import create
from host.harness import HostServer, Tenant


def test_create_answers_201_with_the_contract_fields(tenant: Tenant, host: HostServer) -> None:
    response = tenant.http.post("/v2/flows", json={"data": {
        "type": "flow", "name": "Products", "slug": "products",
        "description": "Extends the default product object", "enabled": True,
    }})
    assert response.status_code == 201
    data = response.json()["data"]
    assert uuid.UUID(data["id"])
    assert {k: data[k] for k in ("type", "name", "slug", "description", "enabled")} == {
        "type": "flow", "name": "Products", "slug": "products",
        "description": "Extends the default product object", "enabled": True,
    }
    assert data["links"]["self"] == f"{host.url}/v2/flows/{data['id']}"
    assert response.headers["location"] == data["links"]["self"]
    assert data["relationships"] == {}
    assert data["meta"]["owner"] == "store"
    stamps = data["meta"]["timestamps"]
    assert stamps["created_at"] == stamps["updated_at"]
    assert stamps["created_at"].endswith("Z")


def test_a_created_flow_reads_back_the_same(tenant: Tenant) -> None:
    created = create(tenant, description="d", enabled=True)
    response = tenant.http.get(f"/v2/flows/{created['id']}")
    assert response.status_code == 200
    assert response.json()["data"] == created


def test_enabled_is_false_and_description_empty_unless_given(tenant: Tenant) -> None:
    created = create(tenant)
    assert (created["enabled"], created["description"]) == (False, "")


def test_put_changes_only_the_given_fields(tenant: Tenant) -> None:
    created = create(tenant, description="before", enabled=True)
    response = tenant.http.put(f"/v2/flows/{created['id']}",
                               json={"data": {"type": "flow", "name": "Renamed"}})
    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["name"], data["description"], data["enabled"], data["slug"]) == (
        "Renamed", "before", True, created["slug"])
    assert data["meta"]["timestamps"]["updated_at"] >= created["meta"]["timestamps"]["updated_at"]
    assert tenant.http.get(f"/v2/flows/{created['id']}").json()["data"]["name"] == "Renamed"


def test_put_accepts_the_id_of_the_flow_in_the_body(tenant: Tenant) -> None:
    created = create(tenant)
    body = {"data": {"type": "flow", "id": created["id"], "enabled": True}}
    assert tenant.http.put(f"/v2/flows/{created['id']}", json=body).json()["data"]["enabled"] is True


def test_delete_answers_204_and_the_flow_is_gone(tenant: Tenant) -> None:
    created = create(tenant)
    response = tenant.http.delete(f"/v2/flows/{created['id']}")
    assert (response.status_code, response.content) == (204, b"")
    assert tenant.http.get(f"/v2/flows/{created['id']}").status_code == 404
    assert tenant.http.delete(f"/v2/flows/{created['id']}").status_code == 404


def test_an_unknown_id_is_404_in_the_envelope(tenant: Tenant) -> None:
    missing = str(uuid.uuid4())
    for method in ("GET", "PUT", "DELETE"):
        body = {"data": {"type": "flow"}} if method == "PUT" else None
        response = tenant.http.request(method, f"/v2/flows/{missing}", json=body)
        assert response.status_code == 404
        (error,) = response.json()["errors"]
        assert (error["status"], error["title"]) == (404, "Not Found")
        assert error["request_id"] == response.headers["x-request-id"]


def test_list_pages_with_links_and_totals(tenant: Tenant, host: HostServer) -> None:
    slugs = [create(tenant, name=f"F{i}")["slug"] for i in range(5)]
    first = tenant.http.get("/v2/flows", params={"page[limit]": "2"}).json()
    assert [f["slug"] for f in first["data"]] == slugs[:2]
    assert first["meta"]["results"]["total"] == 5
    assert first["meta"]["page"] == {"limit": 2, "offset": 0, "current": 1, "total": 3}
    assert first["links"]["prev"] is None
    base = f"{host.url}/v2/flows?page%5Blimit%5D=2&page%5Boffset%5D="
    assert (first["links"]["first"], first["links"]["next"], first["links"]["last"]) == (
        base + "0", base + "2", base + "4")
    last = tenant.http.get(first["links"]["last"]).json()
    assert [f["slug"] for f in last["data"]] == slugs[4:]
    assert last["links"]["next"] is None
    assert last["links"]["prev"] == base + "2"
    assert last["links"]["current"] == base + "4"


def test_one_page_has_no_last_next_or_prev(tenant: Tenant) -> None:
    create(tenant)
    links = tenant.http.get("/v2/flows").json()["links"]
    assert (links["last"], links["next"], links["prev"]) == (None, None, None)


def test_an_empty_project_lists_no_flows(tenant: Tenant) -> None:
    listing = tenant.http.get("/v2/flows").json()
    assert (listing["data"], listing["meta"]["results"]["total"]) == ([], 0)


def test_bad_paging_parameters_are_400_naming_the_parameter(tenant: Tenant) -> None:
    for params in ({"page[limit]": "ten"}, {"page[limit]": "0"}, {"page[limit]": "101"},
                   {"page[offset]": "-1"}, {"page[offset]": "10001"}):
        response = tenant.http.get("/v2/flows", params=params)
        assert response.status_code == 400, params
        (error,) = response.json()["errors"]
        assert error["source"] == {"parameter": next(iter(params))}


def test_openapi_document_is_served(host: HostServer) -> None:
    doc = host.client().get("/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert {"get", "post"} <= set(doc["paths"]["/v2/flows"])
    assert {"get", "put", "delete"} <= set(doc["paths"]["/v2/flows/{flowID}"])
