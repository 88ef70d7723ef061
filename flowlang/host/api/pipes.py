"""`/v2/pipes[/{pipeID}]`, `/v2/pipes/{pipeID}/token|run` and `/listener/{pipeID}`: what runs a published flow.

A pipe names a flow and a trigger: `schedule` (cron texts in a time zone, see host/scheduler.py) or
`webhook` (a listener URL and a token, shown once). PUT is partial. Creating a schedule pipe, or
changing its schedules or time zone, sets its `next_run_at` at once; enabling it keeps the due time it
had, so the scheduler applies the pipe's `missed` policy to the times that passed while it was disabled.
The answer of a POST or PUT has `meta.warnings`: for a pipe left enabled whose flow is disabled or has
no published version (it is saved all the same; it just runs nothing yet).
"""

from __future__ import annotations

import json
import math
import uuid
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Connection, text
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from flowlang.host.api import pipes_spec
from flowlang.host.api.endpoint import (
    Call,
    Reply,
    endpoint,
    error_response,
    internal_error,
    request_id_of,
)
from flowlang.host.api.paging import page_of, paged
from flowlang.host.errors import ApiError, invalid, not_found
from flowlang.host.runs import RunService, insert_run
from flowlang.host.scheduler import (
    MISSED_POLICIES,
    OVERLAP_POLICIES,
    Clock,
    ScheduleError,
    SystemClock,
    next_time,
    time_zone,
)
from flowlang.host.store import now_iso
from flowlang.host.store import versions as versions_repo
from flowlang.host.vault import VaultError
from flowlang.host.webhooks import (
    DEFAULT_BODY_LIMIT,
    IDEMPOTENCY_TTL,
    DeliveryError,
    authenticate,
    idempotency_key,
    new_token,
    parse_payload,
    read_body,
)

TRIGGERS = ("schedule", "webhook")
MAX_WAIT = 60.0


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def pipe_row(conn: Connection, project_id: str, pipe_id: str) -> dict[str, Any] | None:
    row = conn.execute(text("SELECT * FROM pipes WHERE id = :id AND project_id = :p"),
                       {"id": pipe_id, "p": project_id}).first()
    if row is None:
        return None
    values = dict(row._mapping)
    values["enabled"] = bool(values["enabled"])
    values["schedules"] = json.loads(values["schedules"])
    return values


def pipe_json(call: Call, pipe: dict[str, Any], token: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": "pipe", "id": pipe["id"], "name": pipe["name"], "flow_id": pipe["flow_id"],
        "trigger": pipe["trigger"], "enabled": pipe["enabled"],
        "links": {"self": call.url(f"/v2/pipes/{pipe['id']}")},
        "meta": {"timestamps": {"created_at": pipe["created_at"], "updated_at": pipe["updated_at"]}},
    }
    if pipe["trigger"] == "schedule":
        data.update(schedules=pipe["schedules"], timezone=pipe["timezone"], overlap=pipe["overlap"],
                    missed=pipe["missed"], next_run_at=pipe["next_run_at"])
    else:
        data["listener_url"] = call.url(f"/listener/{pipe['id']}")
    if token is not None:
        data["token"] = token  # shown once: at creation and rotation
    return data


def _validated(call: Call, values: dict[str, Any], creating: bool) -> dict[str, Any]:
    """Check the attributes given (all of them on POST); 422 with every problem at once."""
    problems: list[ApiError] = []

    def bad(field: str, detail: str) -> None:
        problems.append(invalid(f"data.{field}: {detail}", pointer=f"/data/{field}"))

    known = {"type", "id", "name", "flow_id", "trigger", "enabled", "schedules", "timezone", "overlap", "missed"}
    for extra in sorted(set(values) - known):
        bad(extra, f'"{extra}" is not a field of a pipe')
    if values.get("type", "pipe") != "pipe":
        bad("type", 'must be "pipe"')
    if creating:
        for required in ("flow_id", "trigger"):
            if required not in values:
                bad(required, f'"{required}" is required')
    if "trigger" in values and values["trigger"] not in TRIGGERS:
        bad("trigger", f"must be one of {', '.join(TRIGGERS)}")
    if "enabled" in values and not isinstance(values["enabled"], bool):
        bad("enabled", "must be true or false")
    if "name" in values and not (isinstance(values["name"], str) and values["name"].strip()):
        bad("name", "must be a non-empty string")
    if "schedules" in values:
        schedules = values["schedules"]
        if not isinstance(schedules, list) or not all(isinstance(s, str) for s in schedules):
            bad("schedules", "must be a list of cron texts")
        else:
            for i, expression in enumerate(schedules):
                try:
                    next_time([expression], UTC, datetime.now(UTC))
                except ScheduleError as exc:
                    problems.append(invalid(f"data.schedules[{i}]: {exc}", pointer=f"/data/schedules/{i}"))
    if "timezone" in values:
        try:
            time_zone(values["timezone"]) if isinstance(values["timezone"], str) else time_zone("")
        except ScheduleError as exc:
            bad("timezone", str(exc))
    for field, allowed in (("overlap", OVERLAP_POLICIES), ("missed", MISSED_POLICIES)):
        if field in values and values[field] not in allowed:
            bad(field, f"must be one of {', '.join(allowed)}")
    if problems:
        raise ApiError(422, [p for err in problems for p in err.problems])
    return values


def _attributes(call: Call) -> dict[str, Any]:
    body = call.json_body()
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict):
        raise invalid('data: "data" is required and must be an object', pointer="/data")
    return data


def _next_run_at(call: Call, pipe: dict[str, Any]) -> str | None:
    if pipe["trigger"] != "schedule" or not pipe["schedules"]:
        return None
    return _iso(next_time(pipe["schedules"], time_zone(pipe["timezone"]), _clock(call).now()))


def flow_schedule(conn: Connection, flow_id: str, draft: str | None) -> str | None:
    """The flow's own `schedule:` setting (of its latest published version, else its draft), if literal."""
    from flowlang.diagnostics import FlowSyntaxError
    from flowlang.nodes import String
    from flowlang.syntax.parser import parse

    version = versions_repo.latest(conn, flow_id)
    source = version.source if version is not None else draft
    if not source:
        return None
    try:
        program = parse(source, "flow.flow")
    except (FlowSyntaxError, RecursionError):
        return None
    for flow in program.flows:
        for setting in flow.settings:
            value = setting.value
            if setting.key == "schedule" and isinstance(value, String) and all(isinstance(p, str) for p in value.parts):
                return "".join(str(p) for p in value.parts)
    return None


def flow_warnings(conn: Connection, pipe: dict[str, Any]) -> list[dict[str, Any]]:
    """Why an enabled pipe will run nothing yet: its flow is disabled (H201) or has no published version
    (H202). The pipe is still saved: the warnings go in the answer's `meta.warnings`."""
    if not pipe["enabled"]:
        return []
    flow = conn.execute(text("SELECT id, slug, enabled FROM flows WHERE id = :f"), {"f": pipe["flow_id"]}).first()
    if flow is None:
        return []
    out = []
    if not flow.enabled:
        out.append({"severity": "warning", "code": "H201",
                    "message": f"flow {flow.slug} is disabled: this pipe runs nothing until the flow is enabled",
                    "hint": f"PUT /v2/flows/{flow.id} with data.enabled true"})
    if versions_repo.latest_numbers(conn, [flow.id]).get(flow.id) is None:
        out.append({"severity": "warning", "code": "H202",
                    "message": f"flow {flow.slug} has no published version: its runs fail until one is published "
                               "(a pipe never runs a draft)",
                    "hint": f"POST /v2/flows/{flow.id}/publish (Save & Merge)"})
    return out


def _with_warnings(data: dict[str, Any], warnings: list[dict[str, Any]]) -> dict[str, Any]:
    data["meta"]["warnings"] = warnings
    return data


def create_pipe(call: Call) -> Reply:
    """POST /v2/pipes: 201; a webhook pipe's answer holds its listener URL and its token (once)."""
    values = _validated(call, _attributes(call), creating=True)
    with call.store.write() as conn:
        flow = conn.execute(text("SELECT id, name, source FROM flows WHERE id = :f AND project_id = :p"),
                            {"f": values["flow_id"], "p": call.project.id}).first()
        if flow is None:
            raise invalid(f"data.flow_id: no flow {values['flow_id']!r} in this project", pointer="/data/flow_id")
        token = new_token() if values["trigger"] == "webhook" else None
        stamp = now_iso()
        pipe = {
            "id": str(uuid.uuid4()), "project_id": call.project.id, "flow_id": flow.id,
            "name": values.get("name") or flow.name, "trigger": values["trigger"],
            "enabled": values.get("enabled", True), "schedules": values.get("schedules", []),
            "timezone": values.get("timezone", "UTC"), "overlap": values.get("overlap", "skip"),
            "missed": values.get("missed", "skip"), "created_at": stamp, "updated_at": stamp,
        }
        if pipe["trigger"] == "schedule" and not pipe["schedules"]:
            own = flow_schedule(conn, flow.id, flow.source)
            if own is None:
                raise invalid("data.schedules: a schedule pipe needs at least one cron text (the flow has no "
                              "schedule: setting to default to)", pointer="/data/schedules")
            pipe["schedules"] = [own]
        pipe["next_run_at"] = _next_run_at(call, pipe)
        conn.execute(text(
            "INSERT INTO pipes (id, project_id, flow_id, name, trigger, enabled, schedules, timezone, overlap, "
            "missed, token_ciphertext, next_run_at, created_at, updated_at) VALUES (:id, :project_id, "
            ":flow_id, :name, :trigger, :enabled, :s, :timezone, :overlap, :missed, :tok, :next_run_at, "
            ":created_at, :updated_at)"),
            {**pipe, "s": json.dumps(pipe["schedules"]),
             "tok": call.vault.encrypt(token) if token else None})
        warnings = flow_warnings(conn, pipe)
    return Reply(201, {"data": _with_warnings(pipe_json(call, pipe, token), warnings)})


def list_pipes(call: Call) -> Reply:
    page = page_of(call.query)
    with call.store.read() as conn:
        total = conn.execute(text("SELECT COUNT(*) FROM pipes WHERE project_id = :p"),
                             {"p": call.project.id}).scalar_one()
        ids = [r.id for r in conn.execute(text(
            "SELECT id FROM pipes WHERE project_id = :p ORDER BY created_at, id LIMIT :l OFFSET :o"),
            {"p": call.project.id, "l": page.limit, "o": page.offset})]
        pipes = [pipe_row(conn, call.project.id, i) for i in ids]
    return Reply(200, paged([pipe_json(call, p) for p in pipes if p], int(total), page, call.url("/v2/pipes")))


def _pipe(conn: Connection, call: Call) -> dict[str, Any]:
    pipe = pipe_row(conn, call.project.id, call.path["pipe_id"])
    if pipe is None:
        raise not_found("pipe", call.path["pipe_id"])
    return pipe


def get_pipe(call: Call) -> Reply:
    with call.store.read() as conn:
        return Reply(200, {"data": pipe_json(call, _pipe(conn, call))})


def update_pipe(call: Call) -> Reply:
    """PUT /v2/pipes/{pipeID}: partial; the scheduler follows the change at its next tick."""
    values = _validated(call, _attributes(call), creating=False)
    with call.store.write() as conn:
        pipe = _pipe(conn, call)
        for field in ("name", "enabled", "schedules", "timezone", "overlap", "missed"):
            if field in values:
                pipe[field] = values[field]
        if "trigger" in values and values["trigger"] != pipe["trigger"]:
            raise invalid("data.trigger: the trigger of a pipe cannot change; create another pipe",
                          pointer="/data/trigger")
        if pipe["trigger"] == "schedule" and not pipe["schedules"]:
            raise invalid("data.schedules: a schedule pipe needs at least one cron text", pointer="/data/schedules")
        if {"schedules", "timezone"} & set(values):
            pipe["next_run_at"] = _next_run_at(call, pipe)
        pipe["updated_at"] = now_iso()
        conn.execute(text(
            "UPDATE pipes SET name = :name, enabled = :enabled, schedules = :s, timezone = :timezone, "
            "overlap = :overlap, missed = :missed, next_run_at = :next_run_at, updated_at = :updated_at "
            "WHERE id = :id"), {**pipe, "s": json.dumps(pipe["schedules"])})
        warnings = flow_warnings(conn, pipe)
    return Reply(200, {"data": _with_warnings(pipe_json(call, pipe), warnings)})


def delete_pipe(call: Call) -> Reply:
    with call.store.write() as conn:
        pipe = _pipe(conn, call)
        conn.execute(text("DELETE FROM pipes WHERE id = :id"), {"id": pipe["id"]})
    return Reply(204)


def rotate_token(call: Call) -> Reply:
    """POST /v2/pipes/{pipeID}/token: a new token (shown once); the old one stops working at once."""
    token = new_token()
    with call.store.write() as conn:
        pipe = _pipe(conn, call)
        if pipe["trigger"] != "webhook":
            raise ApiError.one(400, "only webhook pipes have a token")
        conn.execute(text("UPDATE pipes SET token_ciphertext = :t, updated_at = :u WHERE id = :id"),
                     {"t": call.vault.encrypt(token), "u": now_iso(), "id": pipe["id"]})
    return Reply(201, {"data": pipe_json(call, pipe, token)})


def runnable(conn: Connection, pipe: dict[str, Any]) -> None:
    """Refuse (400) a run of a disabled pipe or of a pipe whose flow is disabled: neither is ever run."""
    if not pipe["enabled"]:
        raise ApiError.one(400, f"pipe {pipe['id']} is disabled", title="Pipe Disabled")
    flow = conn.execute(text("SELECT slug, enabled FROM flows WHERE id = :f"), {"f": pipe["flow_id"]}).first()
    if flow is None or not flow.enabled:
        raise ApiError.one(400, f"the flow of pipe {pipe['id']} is disabled", title="Flow Disabled")


def run_pipe(call: Call) -> Reply:
    """POST /v2/pipes/{pipeID}/run: queue a run now (body: optional `{"data": {"input": …}}`); 202."""
    data = call.body.get("data") if isinstance(call.body, dict) else None
    given = data.get("input") if isinstance(data, dict) else None
    with call.store.write() as conn:
        pipe = _pipe(conn, call)
        runnable(conn, pipe)
        run_id = insert_run(conn, project_id=call.project.id, flow_id=pipe["flow_id"], trigger="manual",
                            pipe_id=pipe["id"], input=given)
    _runs(call).wake()
    return Reply(202, {"data": {"type": "run", "id": run_id, "status": "queued"}},
                 {"Location": call.url(f"/v2/runs/{run_id}")})


def _runs(call: Call) -> RunService:
    return run_service(call.state)


def run_service(state: Any) -> RunService:
    """The run service `flowlang serve` attached to the app's state (service.start_services)."""
    service = getattr(state, "runs", None)
    if service is None:
        raise ApiError.one(503, "this server does not run flows (its run service is not started)")
    return cast(RunService, service)


def _clock(call: Call) -> Clock:
    """The scheduler's clock (next_run_at is computed on it): the real time unless a test set another."""
    return cast(Clock, getattr(call.state, "clock", None) or SystemClock())


# ------------------------------------------------------------------------------- the listener


def _deliver(service: RunService, vault: Any, pipe_id: str, headers: dict[str, str], raw: bytes,
             base: str) -> tuple[str, bool]:
    """Authenticate and queue one delivery; returns (run id, whether it is a repeat)."""
    with service.store.write() as conn:
        row = conn.execute(text("SELECT * FROM pipes WHERE id = :id"), {"id": pipe_id}).first()
        if row is None or row.trigger != "webhook":
            raise DeliveryError(404, "Not Found", f"no webhook pipe {pipe_id!r}")
        try:
            token = vault.decrypt(row.token_ciphertext, "pipe token")
        except VaultError as exc:
            raise DeliveryError(503, "Service Unavailable",
                                f"{exc}; start the server with the FLOWLANG_SECRET_KEY the token was made "
                                f"with, or rotate it: POST /v2/pipes/{pipe_id}/token") from None
        authenticate(headers, raw, token)
        if not row.enabled:
            raise DeliveryError(400, "Pipe Disabled", f"pipe {pipe_id} is disabled")
        flow = conn.execute(text("SELECT enabled FROM flows WHERE id = :f"), {"f": row.flow_id}).first()
        if flow is None or not flow.enabled:
            raise DeliveryError(400, "Flow Disabled", f"the flow of pipe {pipe_id} is disabled")
        payload = parse_payload(raw)
        key = idempotency_key(headers)
        if key is not None:
            since = (datetime.now(UTC) - IDEMPOTENCY_TTL).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            conn.execute(text("DELETE FROM idempotency_keys WHERE pipe_id = :p AND key = :k AND created_at < :s"),
                         {"p": pipe_id, "k": key, "s": since})
            seen = conn.execute(text("SELECT run_id FROM idempotency_keys WHERE pipe_id = :p AND key = :k"),
                                {"p": pipe_id, "k": key}).first()
            if seen is not None:
                return seen.run_id, True
        run_id = insert_run(conn, project_id=row.project_id, flow_id=row.flow_id, trigger="webhook",
                            pipe_id=pipe_id, input=payload)
        if key is not None:
            conn.execute(text("INSERT INTO idempotency_keys (pipe_id, key, run_id, created_at) "
                              "VALUES (:p, :k, :r, :t)"), {"p": pipe_id, "k": key, "r": run_id, "t": now_iso()})
        return run_id, False


def wait_of(text: str | None) -> float | None:
    """The listener's `?wait=`: seconds from 0 to MAX_WAIT, else a 400 (before anything is queued)."""
    if text is None:
        return None
    try:
        wait = float(text)
    except ValueError:
        wait = math.nan
    if not 0 <= wait <= MAX_WAIT:  # also NaN and infinities
        raise DeliveryError(400, "Bad Request",
                            f"wait must be a number of seconds from 0 to {MAX_WAIT:g}, not {text!r}")
    return wait


async def listener(request: Request) -> Response:
    """POST /listener/{pipeID}: 202 queued, or with `?wait=N` 200 with the run (504 when it takes longer)."""
    rid = request_id_of(request)
    pipe_id = request.path_params["pipe_id"]
    try:
        service = run_service(request.app.state)
        wait = wait_of(request.query_params.get("wait"))
        limit = getattr(request.app.state.settings, "webhook_body_bytes", DEFAULT_BODY_LIMIT)
        raw = await read_body(request.stream(), request.headers.get("content-length"), limit)
        headers = {k.lower(): v for k, v in request.headers.items()}
        run_id, repeat = await run_in_threadpool(_deliver, service, request.app.state.vault, pipe_id, headers,
                                                 raw, str(request.base_url))
    except DeliveryError as err:
        problem = ApiError.one(err.status, err.detail, title=err.title)
        return error_response(problem, rid)
    except ApiError as err:
        return error_response(err, rid)
    except Exception:
        import logging

        logging.getLogger("flowlang.host").exception("delivery %s to pipe %s failed", rid, pipe_id)
        return internal_error(rid)
    service.wake()
    link = str(request.base_url).rstrip("/") + f"/v2/runs/{run_id}"
    headers_out = {"X-Request-Id": rid, "Location": link}
    if repeat:
        headers_out["Idempotent-Replayed"] = "true"
    if wait is None:
        return JSONResponse({"data": {"type": "run", "id": run_id, "status": "queued"}}, 202, headers_out)
    with service.store.read() as conn:
        project_id = conn.execute(text("SELECT project_id FROM runs WHERE id = :id"), {"id": run_id}).scalar_one()
    row = await run_in_threadpool(service.wait, project_id, run_id, wait)
    if row is None:
        problem = ApiError.one(504, f"run {run_id} did not end within {wait:g}s; it goes on: GET {link}",
                               title="Gateway Timeout", meta={"run_id": run_id})
        return error_response(problem, rid)
    from flowlang.host.api.runs import run_json

    return JSONResponse({"data": run_json(str(request.base_url).rstrip("/"), row)}, 200, headers_out)


OPENAPI = pipes_spec.PIPES  # this router's part of /openapi.json

routes = [
    Route("/v2/pipes", endpoint(list_pipes), methods=["GET"]),
    Route("/v2/pipes", endpoint(create_pipe), methods=["POST"]),
    Route("/v2/pipes/{pipe_id}", endpoint(get_pipe), methods=["GET"]),
    Route("/v2/pipes/{pipe_id}", endpoint(update_pipe), methods=["PUT"]),
    Route("/v2/pipes/{pipe_id}", endpoint(delete_pipe), methods=["DELETE"]),
    Route("/v2/pipes/{pipe_id}/token", endpoint(rotate_token), methods=["POST"]),
    Route("/v2/pipes/{pipe_id}/run", endpoint(run_pipe), methods=["POST"]),
    Route("/listener/{pipe_id}", listener, methods=["POST"]),
]
