"""The OpenAPI fragments (/openapi.json) of the host's own resources beyond the contract's flows: versions,
shared files, credentials (write-only), export/import, templates, the project and the OAuth grant."""

from __future__ import annotations

from typing import Any

from flowlang.host.api.spec_parts import (
    PAGE,
    errors,
    listed,
    one,
    path_id,
    ref,
    reply,
    request_body,
)

_STRING = {"type": "string"}
_TEXT_OR_NULL = {"type": ["string", "null"]}
_TIMESTAMPS: dict[str, Any] = {"timestamps": {"type": "object", "properties": {
    "created_at": _STRING, "updated_at": _STRING}}}
_STAMPS = {"type": "object", "properties": _TIMESTAMPS}
_LINKS = {"type": "object", "properties": {"self": _STRING}}


def _resource(kind: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    """A request body `{"data": {"type": KIND, …}}` that takes nothing but `properties`."""
    return {"type": "object", "required": ["data"], "additionalProperties": False, "properties": {"data": {
        "type": "object", "required": ["type", *required], "additionalProperties": False,
        "properties": {"type": {"type": "string", "enum": [kind]}, **properties}}}}


FLOW_FIELDS: dict[str, Any] = {
    "source": {**_TEXT_OR_NULL, "description": "flowlang: the flow's draft `.flow` text (PUT saves a draft; "
                                               "POST /v2/flows/{flowID}/publish makes it a version)."},
    "sample": {"description": "flowlang: a sample of the incoming payload (any JSON), what `source` reads "
                              "when the flow is run by hand."},
}
FLOW_META: dict[str, Any] = {
    "revision": {"type": "integer", "description": "flowlang: the flow's revision, also its ETag."},
    "published_version": {"type": ["integer", "null"],
                          "description": "flowlang: the number of the version that runs (null: none yet)."},
}

SCHEMAS: dict[str, Any] = {
    "FlowVersion": {"type": "object", "required": ["id", "type", "number", "flow_id", "source", "files"],
                    "properties": {
        "id": _STRING, "type": {"type": "string", "enum": ["flow-version"]}, "number": {"type": "integer"},
        "flow_id": _STRING, "source": _STRING,
        "files": {"type": "object", "additionalProperties": _STRING,
                  "description": "The shared files the version was published with (path -> text)."},
        "note": _TEXT_OR_NULL, "links": _LINKS,
        "meta": {"type": "object", "properties": {
            "created_by": {"type": "string", "description": "The name of the token that published it."},
            "timestamps": {"type": "object", "properties": {"created_at": _STRING}},
            "warnings": {"type": "array", "items": {"type": "object"},
                         "description": "Publish only: the check's warnings (code, message, line, column)."}}}}},
    "File": {"type": "object", "required": ["id", "type", "path"], "properties": {
        "id": _STRING, "type": {"type": "string", "enum": ["file"]}, "path": _STRING,
        "content": {"type": "string", "description": "Not in the list."}, "links": _LINKS,
        "meta": {"type": "object", "properties": {"size": {"type": "integer"}, **_TIMESTAMPS}}}},
    "FileRequest": _resource("file", {"content": {"type": "string", "maxLength": 4 * 1024 * 1024},
                                      "path": _STRING, "id": _STRING}, ["content"]),
    "Credential": {
        "type": "object", "required": ["id", "type", "name"], "additionalProperties": False,
        "description": "Write-only: a credential is shown by its name and dates, never its value.",
        "properties": {"id": _STRING, "type": {"type": "string", "enum": ["credential"]}, "name": _STRING,
                       "links": _LINKS, "meta": _STAMPS}},
    "CredentialRequest": _resource("credential", {
        "value": {"type": "string", "minLength": 1, "maxLength": 65_536, "writeOnly": True,
                  "description": "The secret, encrypted at rest; flows read it with secret(\"NAME\")."},
        "name": _STRING, "id": _STRING}, ["value"]),
    "Template": {"type": "object", "required": ["id", "type", "name", "slug", "source"], "properties": {
        "id": _STRING, "type": {"type": "string", "enum": ["template"]}, "name": _STRING,
        "slug": {"type": "string", "description": "The slug a flow made from it gets."},
        "description": _TEXT_OR_NULL, "source": _STRING, "sample": {},
        "files": {"type": "array", "items": _STRING},
        "links": {"type": "object", "properties": {"self": _STRING, "create": _STRING}}}},
    "FlowExport": {"type": "object", "required": ["type", "format", "flow"], "properties": {
        "type": {"type": "string", "enum": ["flow-export"]}, "format": {"type": "string", "enum": ["flowlang-export/1"]},
        "flow": {"type": "object", "required": ["name", "slug"], "properties": {
            "name": _STRING, "slug": _STRING, "description": _TEXT_OR_NULL, "enabled": {"type": "boolean"},
            "source": _TEXT_OR_NULL, "sample": {}}},
        "files": {"type": "object", "additionalProperties": _STRING},
        "meta": {"type": "object", "properties": {"exported_at": _STRING,
                                                  "published_version": {"type": ["integer", "null"]}}}}},
    "Project": {"type": "object", "required": ["id", "type", "slug"], "properties": {
        "id": _STRING, "type": {"type": "string", "enum": ["project"]}, "slug": _STRING, "name": _STRING,
        "meta": {"type": "object", "properties": {"token": {"type": "object", "properties": {"name": _STRING}},
                                                  "timestamps": {"type": "object"}}}}},
    "AccessToken": {"type": "object", "required": ["access_token", "token_type", "expires_in"], "properties": {
        "access_token": _STRING, "token_type": {"type": "string", "enum": ["Bearer"]},
        "expires_in": {"type": "integer"}, "identifier": _STRING}},
}

_FLOW_ID = path_id("flowID", "flow")
_NUMBER = {"name": "number", "in": "path", "required": True, "description": "The version's number.",
           "schema": {"type": "string", "pattern": "^[0-9]+$"}}
FILES_POLICY = {"name": "files", "in": "query", "required": False,
                 "schema": {"type": "string", "enum": ["refuse", "keep", "overwrite"]},
                 "description": "A shared file the project has with other content: 409 (refuse, the default), "
                                "keep the project's, or overwrite it."}
_V, _F, _C, _T, _P = ["Versions"], ["Files"], ["Credentials"], ["Templates"], ["Project"]

PATHS: dict[str, Any] = {
    "/openapi.json": {"get": {
        "tags": ["Meta"], "operationId": "getOpenAPI", "summary": "This document", "security": [],
        "responses": {"200": reply({"type": "object", "required": ["openapi", "paths"]}, "OK"), **errors()}}},
    "/v2/flows/{flowID}/publish": {"parameters": [_FLOW_ID], "post": {
        "tags": _V, "operationId": "publishAFlow", "summary": "Save & Merge: publish the draft as a new version",
        "description": "Checks the draft as `flowlang check` does: 201 with the new version, 200 with the "
                       "latest when nothing changed, or 422 with one error per diagnostic (code, message, hint, "
                       "line, column in `meta`). Takes `If-Match`.",
        "parameters": [{"name": "If-Match", "in": "header", "required": False, "schema": _STRING}],
        "responses": {"201": reply(one("FlowVersion"), "Published"),
                      "200": reply(one("FlowVersion"), "Unchanged: the latest version"),
                      **errors(401, 404, 409, 412, 422)}}},
    "/v2/flows/{flowID}/versions": {"parameters": [_FLOW_ID], "get": {
        "tags": _V, "operationId": "getFlowVersions", "summary": "Get the published versions, newest first",
        "parameters": PAGE, "responses": {"200": reply(listed("FlowVersion"), "OK"), **errors(400, 401, 404)}}},
    "/v2/flows/{flowID}/versions/{number}": {"parameters": [_FLOW_ID, _NUMBER], "get": {
        "tags": _V, "operationId": "getAFlowVersion", "summary": "Get a published version",
        "responses": {"200": reply(one("FlowVersion"), "OK"), **errors(401, 404)}}},
    "/v2/flows/{flowID}/versions/{number}/rollback": {"parameters": [_FLOW_ID, _NUMBER], "post": {
        "tags": _V, "operationId": "rollbackAFlow", "summary": "Publish version n again, as the newest version",
        "description": "The draft is left as it is; history only grows.",
        "responses": {"201": reply(one("FlowVersion"), "Published"), **errors(401, 404)}}},
    "/v2/flows/{flowID}/export": {"parameters": [_FLOW_ID], "get": {
        "tags": ["Transfer"], "operationId": "exportAFlow",
        "summary": "Export a flow: metadata, source, shared files it uses, sample (never credentials)",
        "responses": {"200": reply(one("FlowExport"), "OK"), **errors(401, 404)}}},
    "/v2/flows/import": {"post": {
        "tags": ["Transfer"], "operationId": "importAFlow", "summary": "Create a flow (a draft) from an export",
        "parameters": [FILES_POLICY],
        "requestBody": request_body({"type": "object", "required": ["data"], "properties": {"data": ref("FlowExport")}}),
        "responses": {"201": reply(one("Flows"), "Created"), **errors(400, 401, 409, 413, 415, 422)}}},
    "/v2/files": {"get": {
        "tags": _F, "operationId": "getAllFiles", "summary": "Get the shared files (without their content)",
        "parameters": PAGE, "responses": {"200": reply(listed("File"), "OK"), **errors(400, 401)}}},
    "/v2/files/{path}": {
        "parameters": [{"name": "path", "in": "path", "required": True, "schema": _STRING,
                        "description": "A relative path ending in .flow, .yaml, .yml or .json (may hold '/')."}],
        "put": {"tags": _F, "operationId": "putAFile", "summary": "Create (201) or replace (200) a shared file",
                "requestBody": request_body(ref("FileRequest")),
                "responses": {"201": reply(one("File"), "Created"), "200": reply(one("File"), "Replaced"),
                              **errors(400, 401, 413, 415, 422)}},
        "get": {"tags": _F, "operationId": "getAFile", "summary": "Get a shared file",
                "responses": {"200": reply(one("File"), "OK"), **errors(401, 404, 422)}},
        "delete": {"tags": _F, "operationId": "deleteAFile",
                   "summary": "Delete a shared file (published versions keep their copy)",
                   "responses": {"204": {"description": "Deleted"}, **errors(401, 404, 422)}}},
    "/v2/credentials": {"get": {
        "tags": _C, "operationId": "getAllCredentials", "summary": "Get the credentials' names and dates",
        "parameters": PAGE, "responses": {"200": reply(listed("Credential"), "OK"), **errors(400, 401)}}},
    "/v2/credentials/{name}": {
        "parameters": [{"name": "name", "in": "path", "required": True, "description": "As in secret(\"NAME\").",
                        "schema": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,127}$"}}],
        "put": {"tags": _C, "operationId": "putACredential",
                "summary": "Store a credential's value (201 new, 200 replaced); the answer never holds it",
                "requestBody": request_body(ref("CredentialRequest")),
                "responses": {"201": reply(one("Credential"), "Created"), "200": reply(one("Credential"), "Replaced"),
                              **errors(400, 401, 413, 415, 422)}},
        "get": {"tags": _C, "operationId": "getACredential", "summary": "Get a credential's name and dates",
                "responses": {"200": reply(one("Credential"), "OK"), **errors(401, 404, 422)}},
        "delete": {"tags": _C, "operationId": "deleteACredential", "summary": "Delete a credential",
                   "responses": {"204": {"description": "Deleted"}, **errors(401, 404, 422)}}},
    "/v2/templates": {"get": {
        "tags": _T, "operationId": "getAllTemplates", "summary": "Get the core flows the host ships",
        "responses": {"200": reply({"type": "object", "required": ["data"], "properties": {
            "data": {"type": "array", "items": ref("Template")}, "meta": {"type": "object"}}}, "OK"),
            **errors(401)}}},
    "/v2/templates/{slug}": {
        "parameters": [{"name": "slug", "in": "path", "required": True, "schema": _STRING}],
        "get": {"tags": _T, "operationId": "getATemplate", "summary": "Get a template",
                "description": "POST /v2/flows?template=SLUG creates a flow from it.",
                "responses": {"200": reply(one("Template"), "OK"), **errors(401, 404)}}},
    "/v2/project": {"get": {
        "tags": _P, "operationId": "getTheProject", "summary": "Get the project the token belongs to",
        "responses": {"200": reply(one("Project"), "OK"), **errors(401)}}},
    "/oauth/access_token": {"post": {
        "tags": ["OAuth"], "operationId": "getAnAccessToken", "security": [],
        "summary": "The client-credentials grant of Elastic Path clients",
        "description": "client_id is the project's slug, client_secret an API token of it; the answer's "
                       "access_token is the Bearer token to send.",
        "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
            "type": "object", "required": ["grant_type", "client_id", "client_secret"], "properties": {
                "grant_type": {"type": "string", "enum": ["client_credentials"]},
                "client_id": _STRING, "client_secret": {"type": "string", "writeOnly": True}}}}}},
        "responses": {"200": reply(ref("AccessToken"), "OK"), **errors(400, 401)}}},
}

HOST: dict[str, Any] = {"schemas": SCHEMAS, "paths": PATHS}

TAGS: list[dict[str, str]] = [
    {"name": "Flows", "description": "The Create-a-Flow contract (Elastic Path's Flows API) plus flowlang's "
                                     "`source` (the draft) and `sample`; `?template=SLUG` starts from a template."},
    {"name": "Versions", "description": "Save & Merge: the published, numbered, immutable versions of a flow."},
    {"name": "Transfer", "description": "One JSON document per flow, to copy it to another project or server."},
    {"name": "Files", "description": "Shared files of a project: imported .flow files, OpenAPI documents."},
    {"name": "Credentials", "description": "Write-only secrets, read by flows with secret(\"NAME\")."},
    {"name": "Templates", "description": "The core flows `flowlang serve` ships."},
    {"name": "Pipes", "description": "What runs a published flow: cron schedules or webhook deliveries."},
    {"name": "Runs", "description": "Every run of a flow, its result and its log lines."},
    {"name": "Project", "description": "The project of the caller's token."},
    {"name": "OAuth", "description": "Tokens the way Elastic Path clients ask for them."},
    {"name": "Meta", "description": "This document."},
]
