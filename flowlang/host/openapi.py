"""The host's own OpenAPI document (/openapi.json): the contract's flow operations (with flowlang's fields,
parameters and errors added), the host's own resources (api/host_spec.py) and the routers' fragments."""

from __future__ import annotations

import copy
import functools
from typing import Any

import yaml

from flowlang import __version__
from flowlang.host import examples
from flowlang.host.api import host_spec
from flowlang.host.api.spec_parts import errors

CONTRACT_PATHS = ("/v2/flows", "/v2/flows/{flowID}")

@functools.cache
def contract() -> dict[str, Any]:
    """The seed's document, parsed once (examples/specs/, shipped inside the wheel)."""
    text = examples.read(examples.CONTRACT)
    doc: dict[str, Any] = yaml.safe_load(text)
    return doc


def document(extras: list[dict[str, Any]]) -> dict[str, Any]:
    """The document served at /openapi.json; `extras` are the routers' `OPENAPI` fragments
    (`{"paths": {...}, "schemas": {...}}`)."""
    seed = contract()
    doc: dict[str, Any] = {
        "openapi": seed["openapi"],
        "info": {
            "title": "flowlang host",
            "version": __version__,
            "description": "Projects, flows, versions, shared files, credentials, templates, pipes and runs of "
                           "`flowlang serve`; every request but /oauth/access_token, /openapi.json and webhook "
                           "deliveries needs `Authorization: Bearer <token>`; every error is the envelope "
                           "`{\"errors\": [{status, title, detail, source?, request_id?, meta?}]}`. The "
                           "/v2/flows operations follow Elastic Path's Flows API (MIT, Copyright (c) 2024 "
                           "Elastic Path Software).",
        },
        "security": [{"bearerAuth": []}],
        "tags": copy.deepcopy(host_spec.TAGS),
        "paths": {p: copy.deepcopy(seed["paths"][p]) for p in CONTRACT_PATHS},
        "components": copy.deepcopy(seed["components"]),
    }
    _extend_contract(doc)
    for extra in [host_spec.HOST, *extras]:
        for path, operations in extra.get("paths", {}).items():
            doc["paths"].setdefault(path, {}).update(copy.deepcopy(operations))
        doc["components"]["schemas"].update(copy.deepcopy(extra.get("schemas", {})))
    return doc


_IF_MATCH = {"name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"},
             "description": "flowlang: the ETag (meta.revision) the change is based on; 412 when it moved on."}
_TEMPLATE = {"name": "template", "in": "query", "required": False, "schema": {"type": "string"},
             "description": "flowlang: start from this template (GET /v2/templates); the body is optional then."}
_ERRORS = {("/v2/flows", "get"): (400, 401), ("/v2/flows", "post"): (400, 401, 404, 409, 413, 415, 422),
           ("/v2/flows/{flowID}", "get"): (401, 404),
           ("/v2/flows/{flowID}", "put"): (400, 401, 404, 412, 413, 415, 422),
           ("/v2/flows/{flowID}", "delete"): (401, 404, 412)}


def _extend_contract(doc: dict[str, Any]) -> None:
    """The contract's flows as flowlang serves them: `source`, `sample`, `meta.revision`/`published_version`,
    `?template=`, `If-Match`, and the errors every operation may answer (the seed's envelope)."""
    schemas = doc["components"]["schemas"]
    schemas["Flows"]["properties"].update(copy.deepcopy(host_spec.FLOW_FIELDS))
    schemas["Flows"]["properties"]["meta"] = {"allOf": [{"$ref": "#/components/schemas/Meta"}, {
        "type": "object", "properties": copy.deepcopy(host_spec.FLOW_META)}]}
    for name in ("FlowsRequest", "FlowsUpdateRequest"):
        schemas[name]["properties"]["data"]["properties"].update(copy.deepcopy(host_spec.FLOW_FIELDS))
    for (path, method), codes in _ERRORS.items():
        op = doc["paths"][path][method]
        op.setdefault("tags", ["Flows"])
        for code, answer in errors(*codes).items():
            op["responses"].setdefault(code, answer)
    flows = doc["paths"]["/v2/flows"]
    flows["get"].setdefault("parameters", []).extend(copy.deepcopy(host_spec.PAGE))
    flows["post"].setdefault("parameters", []).extend([_TEMPLATE, copy.deepcopy(host_spec.FILES_POLICY)])
    flows["post"]["requestBody"]["required"] = False  # with ?template= it may be empty
    for method in ("put", "delete"):
        doc["paths"]["/v2/flows/{flowID}"][method].setdefault("parameters", []).append(copy.deepcopy(_IF_MATCH))
