"""Export and import, templates (core flows), and who-am-I: the documents move between projects."""

from __future__ import annotations

from typing import Any

from host.flows import HELLO, create, publish, put_file
from host.harness import HostServer, Tenant

GREET = 'func greet(name) {\n  return "hi " + name\n}\n'
USES_GREET = 'import "lib/greet.flow"\n\nflow hello {\n  return greet(secret("WHO"))\n}\n'


def export(tenant: Tenant, flow_id: str) -> dict[str, Any]:
    response = tenant.http.get(f"/v2/flows/{flow_id}/export")
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_export_holds_metadata_source_files_and_sample_but_no_secrets(tenant: Tenant) -> None:
    put_file(tenant, "lib/greet.flow", GREET)
    tenant.http.put("/v2/credentials/WHO", json={"data": {"type": "credential", "value": "Very-Secret-1"}})
    flow = create(tenant, name="Hello", slug="hello", description="says hi", enabled=True,
                  source=USES_GREET, sample={"id": 1})
    doc = export(tenant, flow["id"])
    assert doc["data"]["type"] == "flow-export" and doc["data"]["format"] == "flowlang-export/1"
    assert doc["data"]["flow"] == {"name": "Hello", "slug": "hello", "description": "says hi",
                                   "enabled": True, "source": USES_GREET, "sample": {"id": 1}}
    assert doc["data"]["files"] == {"lib/greet.flow": GREET}
    assert "Very-Secret-1" not in str(doc)


def test_an_export_imports_into_another_project_and_publishes_there(host: HostServer, tenant: Tenant) -> None:
    put_file(tenant, "lib/greet.flow", GREET)
    flow = create(tenant, slug="hello", source=USES_GREET)
    doc = export(tenant, flow["id"])
    other = host.tenant()
    response = other.http.post("/v2/flows/import", json=doc)
    assert response.status_code == 201, response.text
    imported = response.json()["data"]
    assert (imported["slug"], imported["source"]) == ("hello", USES_GREET)
    assert imported["id"] != flow["id"]
    assert other.http.get("/v2/files/lib/greet.flow").json()["data"]["content"] == GREET
    assert publish(other, imported["id"])["data"]["files"] == {"lib/greet.flow": GREET}


def test_importing_into_the_same_project_needs_a_new_slug(tenant: Tenant) -> None:
    flow = create(tenant, slug="hello", source=HELLO)
    doc = export(tenant, flow["id"])
    assert tenant.http.post("/v2/flows/import", json=doc).status_code == 422
    doc["data"]["flow"]["slug"] = "hello-copy"
    assert tenant.http.post("/v2/flows/import", json=doc).status_code == 201


def test_a_conflicting_shared_file_is_409_unless_told_what_to_do(host: HostServer, tenant: Tenant) -> None:
    put_file(tenant, "lib/greet.flow", GREET)
    doc = export(tenant, create(tenant, source=USES_GREET)["id"])
    other = host.tenant()
    put_file(other, "lib/greet.flow", GREET.replace("hi", "hello"))
    refused = other.http.post("/v2/flows/import", json=doc)
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["meta"] == {"conflicting_files": ["lib/greet.flow"]}
    assert other.http.get("/v2/flows").json()["data"] == []  # nothing half-imported
    kept = other.http.post("/v2/flows/import", params={"files": "keep"}, json=doc)
    assert kept.status_code == 201
    assert "hello" in other.http.get("/v2/files/lib/greet.flow").json()["data"]["content"]
    doc["data"]["flow"]["slug"] = "again"
    assert other.http.post("/v2/flows/import", params={"files": "overwrite"}, json=doc).status_code == 201
    assert other.http.get("/v2/files/lib/greet.flow").json()["data"]["content"] == GREET


def test_a_document_that_is_not_an_export_is_422(tenant: Tenant) -> None:
    for body in ({"data": {"type": "flow"}}, {"data": {"type": "flow-export", "format": "other/9"}},
                 {"data": {"type": "flow-export", "format": "flowlang-export/1", "flow": []}}):
        assert tenant.http.post("/v2/flows/import", json=body).status_code == 422
    assert tenant.http.get("/v2/flows").json()["data"] == []


def test_an_export_of_the_wrong_shape_says_what_is_wrong(tenant: Tenant) -> None:
    export = {"type": "flow-export", "format": "flowlang-export/1", "flow": {"name": "A", "slug": "a"}}
    for data, detail in (([], "data: must be an object, not an array"),
                         ({**export, "files": {"lib/a.flow": 7}},
                          "data.files: the content of 'lib/a.flow' must be text, not a number")):
        response = tenant.http.post("/v2/flows/import", json={"data": data})
        assert response.status_code == 422
        assert response.json()["errors"][0]["detail"] == detail
    assert tenant.http.get("/v2/flows").json()["data"] == []


def test_templates_list_the_examples(tenant: Tenant) -> None:
    listing = tenant.http.get("/v2/templates").json()["data"]
    by_id = {t["id"]: t for t in listing}
    assert {"order-webhook", "elasticpath-flows", "p21-to-magento"} <= set(by_id)
    webhook = by_id["order-webhook"]
    assert webhook["name"] == "Order Webhook to ERP" and webhook["sample"] is not None
    assert "systems.flow" in webhook["files"]


def test_a_flow_from_a_template_publishes_as_it_is(tenant: Tenant) -> None:
    response = tenant.http.post("/v2/flows", params={"template": "order-webhook"})
    assert response.status_code == 201, response.text
    flow = response.json()["data"]
    assert flow["name"] == "Order Webhook to ERP" and flow["enabled"] is False
    assert flow["source"].startswith("#") and flow["sample"] is not None
    version = publish(tenant, flow["id"])["data"]
    assert set(version["files"]) == {"systems.flow", "specs/elasticpath-flows.yaml",
                                     "samples/order_webhook.json"}


def test_a_template_with_a_body_takes_the_bodys_fields(tenant: Tenant) -> None:
    response = tenant.http.post("/v2/flows", params={"template": "sales-report"},
                                json={"data": {"type": "flow", "slug": "my-report", "enabled": True}})
    assert response.status_code == 201
    flow = response.json()["data"]
    assert (flow["slug"], flow["enabled"], flow["name"]) == ("my-report", True, "Monthly Sales Report")


def test_an_unknown_template_is_404(tenant: Tenant) -> None:
    response = tenant.http.post("/v2/flows", params={"template": "nothing"})
    assert response.status_code == 404
    assert response.json()["errors"][0]["source"] == {"parameter": "template"}


def test_the_project_endpoint_names_the_tokens_project(tenant: Tenant) -> None:
    data = tenant.http.get("/v2/project").json()["data"]
    assert (data["type"], data["slug"], data["meta"]["token"]["name"]) == ("project", tenant.slug, "tests")
