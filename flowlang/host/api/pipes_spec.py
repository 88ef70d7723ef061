"""The OpenAPI fragments (/openapi.json) of the pipes, listener and runs endpoints: PIPES and RUNS."""

from __future__ import annotations

from typing import Any

from flowlang.host.api.spec_parts import PAGE, errors, listed, one, path_id, ref, reply

_PAGE = PAGE
_ref, _json, _errors, _one, _list, _id = ref, reply, errors, one, listed, path_id


_TEXT_OR_NULL = {"type": ["string", "null"]}
_STAMPS = {"type": "object", "properties": {"timestamps": {"type": "object"}}}
_POLICIES = {
    "schedules": {"type": "array", "items": {"type": "string"}, "examples": [["*/15 * * * *", "0 6 * * 1"]],
                  "description": "Cron texts (5 fields or @daily-style macros), evaluated in `timezone`."},
    "timezone": {"type": "string", "examples": ["Europe/Berlin"], "description": "An IANA time zone (UTC)."},
    "overlap": {"type": "string", "enum": ["skip", "queue"],
                "description": "A due time while a run of the pipe is queued or running: dropped, or queued."},
    "missed": {"type": "string", "enum": ["skip", "run_once"],
               "description": "Times missed while the server was down or the pipe disabled."},
}
_WRITABLE = {
    "type": {"type": "string", "enum": ["pipe"]}, "name": {"type": "string"},
    "flow_id": {"type": "string", "description": "The flow the pipe runs (its latest published version)."},
    "trigger": {"type": "string", "enum": ["schedule", "webhook"]}, "enabled": {"type": "boolean"},
    **_POLICIES,
}
PIPE_SCHEMAS: dict[str, Any] = {
    "Pipe": {"type": "object", "required": ["type", "id", "flow_id", "trigger", "enabled"], "properties": {
        **_WRITABLE, "id": {"type": "string"}, "next_run_at": {**_TEXT_OR_NULL, "description": "UTC, ISO 8601"},
        "listener_url": {"type": "string", "description": "Webhook pipes: where deliveries are POSTed."},
        "token": {"type": "string", "description": "Webhook pipes: shown once, at creation and rotation."},
        "links": {"type": "object"}, "meta": {"type": "object", "properties": {
            "timestamps": {"type": "object"},
            "warnings": {"type": "array", "items": {"type": "object", "properties": {
                "severity": {"type": "string"}, "code": {"type": "string"}, "message": {"type": "string"},
                "hint": {"type": ["string", "null"]}}},
                "description": "POST and PUT: why the enabled pipe runs nothing yet (H201 the flow is "
                               "disabled, H202 it has no published version)."}}}}},
    "PipeRequest": {"type": "object", "required": ["data"], "properties": {"data": {
        "type": "object", "required": ["type", "flow_id", "trigger"], "properties": _WRITABLE,
        "additionalProperties": False}}},
    "PipeUpdateRequest": {"type": "object", "required": ["data"], "properties": {"data": {
        "type": "object", "required": ["type"], "properties": _WRITABLE, "additionalProperties": False}}},
    "QueuedRun": {"type": "object", "required": ["data"], "properties": {"data": {
        "type": "object", "required": ["type", "id", "status"], "properties": {
            "type": {"type": "string", "enum": ["run"]}, "id": {"type": "string"},
            "status": {"type": "string", "enum": ["queued"]}}}}},
}
RUN_SCHEMAS: dict[str, Any] = {
    "Run": {"type": "object", "required": ["type", "id", "status", "trigger", "flow_id"], "properties": {
        "type": {"type": "string", "enum": ["run"]}, "id": {"type": "string"},
        "status": {"type": "string", "enum": ["queued", "running", "ok", "failed", "interrupted"]},
        "trigger": {"type": "string", "enum": ["schedule", "webhook", "manual", "reprocess"]},
        "pipe_id": _TEXT_OR_NULL, "flow_id": {"type": "string"},
        "version": {"type": ["integer", "null"], "description": "The published version the run ran."},
        "input": {"description": "What the flow read as `source`."}, "result": {},
        "error": {"type": ["object", "null"], "description": "message, kind, file, line, column, text, stack"},
        "succeeded": {"type": ["integer", "null"]}, "failed": {"type": ["integer", "null"]},
        "requests": {"type": ["integer", "null"]}, "scheduled_for": _TEXT_OR_NULL, "reprocess_of": _TEXT_OR_NULL,
        "counts": {"type": ["array", "null"], "description": (
            "One run only (not in the list): how often each place of the flow ran, null until the run ends. "
            "kind: statement (began), iteration (of the loop at that line), call (API call made), func "
            "(func called), catch (handled an error), failure (an error raised there)."),
            "items": {"type": "object", "required": ["kind", "file", "line", "count"], "properties": {
                "kind": {"type": "string", "enum": ["statement", "iteration", "call", "func", "catch", "failure"]},
                "file": {"type": "string"}, "line": {"type": "integer"}, "count": {"type": "integer"}}}},
        "links": {"type": "object"}, "meta": _STAMPS}},
    "LogLine": {"type": "object", "required": ["type", "id", "time", "level", "message"], "properties": {
        "type": {"type": "string", "enum": ["log_line"]}, "id": {"type": "string"}, "time": {"type": "string"},
        "level": {"type": "string"}, "file": _TEXT_OR_NULL, "line": {"type": ["integer", "null"]},
        "message": {"type": "string", "description": "Credential values are masked as ***."}}},
}

_PIPE_ID = _id("pipeID", "pipe")
_RUN_ID = _id("runID", "run")
_TAG = ["Pipes"]

PIPES: dict[str, Any] = {"schemas": PIPE_SCHEMAS, "paths": {
    "/v2/pipes": {
        "get": {"tags": _TAG, "operationId": "getAllPipes", "summary": "Get all pipes", "parameters": _PAGE,
                "responses": {"200": _json(_list("Pipe"), "OK"), **_errors(400, 401)}},
        "post": {"tags": _TAG, "operationId": "createAPipe", "summary": "Create a pipe",
                 "description": "A schedule pipe without `schedules` takes the flow's own `schedule:` setting.",
                 "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("PipeRequest")}}},
                 "responses": {"201": _json(_one("Pipe"), "Created"), **_errors(400, 401, 413, 415, 422)}}},
    "/v2/pipes/{pipeID}": {
        "parameters": [_PIPE_ID],
        "get": {"tags": _TAG, "operationId": "getAPipe", "summary": "Get a pipe",
                "responses": {"200": _json(_one("Pipe"), "OK"), **_errors(401, 404)}},
        "put": {"tags": _TAG, "operationId": "updateAPipe", "summary": "Update a pipe (partial)",
                "requestBody": {"required": True,
                                "content": {"application/json": {"schema": _ref("PipeUpdateRequest")}}},
                "responses": {"200": _json(_one("Pipe"), "OK"), **_errors(400, 401, 404, 413, 415, 422)}},
        "delete": {"tags": _TAG, "operationId": "deleteAPipe", "summary": "Delete a pipe",
                   "responses": {"204": {"description": "Deleted"}, **_errors(401, 404)}}},
    "/v2/pipes/{pipeID}/token": {"parameters": [_PIPE_ID], "post": {
        "tags": _TAG, "operationId": "rotatePipeToken", "summary": "Rotate a webhook pipe's token",
        "description": "The new token is shown once; the old one stops working at once.",
        "responses": {"201": _json(_one("Pipe"), "Rotated"), **_errors(400, 401, 404)}}},
    "/v2/pipes/{pipeID}/run": {"parameters": [_PIPE_ID], "post": {
        "tags": _TAG, "operationId": "runAPipe", "summary": "Queue a run of the pipe now",
        "requestBody": {"required": False, "content": {"application/json": {"schema": {
            "type": "object", "properties": {"data": {"type": "object", "properties": {"input": {}}}}}}}},
        "responses": {"202": _json(_ref("QueuedRun"), "Queued"), **_errors(400, 401, 404, 413, 415)}}},
    "/listener/{pipeID}": {"parameters": [_PIPE_ID], "post": {
        "tags": _TAG, "operationId": "deliverToAPipe", "summary": "Deliver a webhook payload",
        "description": "The pipe's token as `Authorization: Bearer`, `X-Api-Key`, or the key of "
                       "`X-Flowlang-Signature: sha256=<hex HMAC-SHA256 of the raw body>`. `Idempotency-Key` "
                       "returns the first run of a repeated delivery (24 h).",
        "security": [],
        "parameters": [
            {"name": "wait", "in": "query", "required": False, "schema": {"type": "number", "minimum": 0, "maximum": 60},
             "description": "Seconds (0 to 60) to wait for the run's end (200 with the run; 504 when longer); "
                            "outside that range a 400, and nothing is queued."},
            {"name": "Idempotency-Key", "in": "header", "required": False, "schema": {"type": "string"}},
            {"name": "X-Api-Key", "in": "header", "required": False, "schema": {"type": "string"}},
            {"name": "X-Flowlang-Signature", "in": "header", "required": False, "schema": {"type": "string"}}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {}}}},
        "responses": {"202": _json(_ref("QueuedRun"), "Queued"), "200": _json(_one("Run"), "The ended run"),
                      **_errors(400, 401, 404, 413, 504)}}},
}}

_RUN_TAG = ["Runs"]

RUNS: dict[str, Any] = {"schemas": RUN_SCHEMAS, "paths": {
    "/v2/runs": {"get": {
        "tags": _RUN_TAG, "operationId": "getAllRuns", "summary": "Get runs, newest first",
        "parameters": [*_PAGE, {"name": "filter", "in": "query", "required": False, "schema": {"type": "string"},
                                "description": "eq(pipe_id|flow_id|status|trigger,VALUE), joined with `:`"}],
        "responses": {"200": _json(_list("Run"), "OK"), **_errors(400, 401)}}},
    "/v2/runs/{runID}": {"parameters": [_RUN_ID], "get": {
        "tags": _RUN_TAG, "operationId": "getARun", "summary": "Get a run",
        "responses": {"200": _json(_one("Run"), "OK"), **_errors(401, 404)}}},
    "/v2/runs/{runID}/logs": {"parameters": [_RUN_ID], "get": {
        "tags": _RUN_TAG, "operationId": "getRunLogs", "summary": "Get a run's log lines, in order",
        "parameters": _PAGE, "responses": {"200": _json(_list("LogLine"), "OK"), **_errors(400, 401, 404)}}},
    "/v2/runs/{runID}/reprocess": {"parameters": [_RUN_ID], "post": {
        "tags": _RUN_TAG, "operationId": "reprocessARun",
        "summary": "Run the same input again on the flow's current published version",
        "responses": {"202": _json(_one("Run"), "Queued"), **_errors(401, 404)}}},
}}
