"""/openapi.json describes every route the API serves (a route without docs fails here), with tags, schemas
and the seed's error envelope; credentials stay write-only; and the served host keeps to the document:
schemathesis sends generated requests to the host's own operations and finds no server error and no answer
that does not conform."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytest.importorskip("starlette", reason="the host needs the serve extra: pip install -e '.[serve]'")

from flowlang.host import console, openapi
from flowlang.host.api import host_spec
from flowlang.host.app import serve_routers
from host.flows import create, publish, put_file
from host.harness import HostServer

METHODS = ("get", "post", "put", "delete", "patch")


def _shape(path: str) -> str:
    """A path with its parameters unnamed: /v2/flows/{flow_id} and /v2/flows/{flowID} are one."""
    return re.sub(r"\{[^}]+\}", "{}", path)


def _document() -> dict[str, Any]:
    return openapi.document([getattr(r, "OPENAPI", {}) for r in serve_routers()])


def _operations(doc: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(_shape(path), method): op for path, item in doc["paths"].items()
            for method, op in item.items() if method in METHODS}


def test_the_document_has_exactly_the_routes_the_api_serves() -> None:
    served = {("/openapi.json", "get")}
    for router in serve_routers():
        if router is console:  # HTML pages, not the API
            continue
        for route in router.routes:
            served |= {(_shape(route.path), m.lower()) for m in route.methods if m != "HEAD"}
    documented = set(_operations(_document()))
    assert served - documented == set(), "served but not in /openapi.json"
    assert documented - served == set(), "in /openapi.json but not served"


def test_every_operation_is_tagged_answers_with_schemas_and_the_error_envelope() -> None:
    doc = _document()
    tags = [t["name"] for t in doc["tags"]]
    assert len(tags) == len(set(tags)) and {"Flows", "Versions", "Credentials", "Pipes", "Runs"} <= set(tags)
    ids = []
    for (path, method), op in _operations(doc).items():
        where = f"{method.upper()} {path}"
        assert op.get("tags") and set(op["tags"]) <= set(tags), where
        ids.append(op["operationId"])
        answers = op["responses"]
        ok = [code for code in answers if code.startswith("2")]
        assert ok, where
        for code in ok:
            assert code == "204" or "content" in answers[code], f"{where} {code} has no schema"
        failures = [a for code, a in answers.items() if code[0] in "45"]
        assert failures, f"{where} documents no error"
        for answer in failures:
            schema = answer.get("content", {}).get("application/json", {}).get("schema")
            assert schema == {"$ref": "#/components/schemas/ErrorResponse"} or "$ref" in answer, where
        if method in ("post", "put") and path not in ("/oauth/access_token",) and "requestBody" in op:
            assert op["requestBody"]["content"], where
    assert len(ids) == len(set(ids)), "operationIds repeat"
    assert doc["components"]["schemas"]["ErrorResponse"]["required"] == ["errors"]


def test_credentials_are_write_only_in_the_document() -> None:
    schemas = _document()["components"]["schemas"]
    answer = schemas["Credential"]
    assert "value" not in answer["properties"] and answer["additionalProperties"] is False
    value = schemas["CredentialRequest"]["properties"]["data"]["properties"]["value"]
    assert value["writeOnly"] is True


def test_the_flows_schema_has_flowlangs_fields() -> None:
    schemas = _document()["components"]["schemas"]
    assert {"source", "sample"} <= set(schemas["Flows"]["properties"])
    assert {"source", "sample"} <= set(schemas["FlowsRequest"]["properties"]["data"]["properties"])
    post = _document()["paths"]["/v2/flows"]["post"]
    assert {p["name"] for p in post["parameters"]} >= {"template", "files"}


def test_generated_requests_get_no_server_error_and_conforming_answers(host: HostServer) -> None:
    schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is in the dev extra")
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error, response_schema_conformance

    tenant = host.tenant()
    flow = create(tenant, source="flow echo {\n  return source\n}\n", sample={"n": 1})
    publish(tenant, flow["id"])
    put_file(tenant, "lib/shared.flow", "flow helper {\n  return 1\n}\n")
    secret = "s3cr3t-value-never-shown"
    assert tenant.http.put("/v2/credentials/API_KEY", json={"data": {"type": "credential", "value": secret}}
                           ).status_code == 201
    template = tenant.http.get("/v2/templates").json()["data"][0]["id"]
    ids = {"flowID": flow["id"], "number": "1", "path": "lib/shared.flow", "name": "API_KEY", "slug": template}
    wanted = {(path, method) for path, item in host_spec.PATHS.items() for method in item
              if method in METHODS and path != "/openapi.json"}  # schemathesis leaves the document itself out
    schema = schemathesis.openapi.from_url(f"{host.url}/openapi.json")
    operations = [op.ok() for op in schema.get_all_operations()
                  if (op.ok().path, op.ok().method.lower()) in wanted]
    assert {(op.path, op.method.lower()) for op in operations} == wanted
    bodies: list[str] = []
    for operation in operations:

        @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case: Any) -> None:
            for name, value in ids.items():
                if case.path_parameters and name in case.path_parameters:
                    case.path_parameters[name] = value  # real ids: past the 404 into the handler
            answer = case.call_and_validate(base_url=host.url, headers={"Authorization": f"Bearer {tenant.token}"},
                                            checks=[not_a_server_error, response_schema_conformance])
            bodies.append(answer.text)

        given(operation.as_strategy())(check)()
    assert bodies and not [b for b in bodies if secret in b]  # no answer ever held the credential's value
