"""What every API handler shares: auth, the JSON body (size-limited), request ids and the error envelope.

A handler is a plain function `(call: Call) -> Reply` run in a worker thread (the store is synchronous);
`endpoint(handler)` makes it a Starlette endpoint that authenticates the Bearer token, reads and parses
the body, and turns `ApiError` (and any bug, logged with its request id) into the envelope.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from flowlang.host.errors import ApiError, Problem, envelope
from flowlang.host.jsontext import parse_strict
from flowlang.host.settings import Settings
from flowlang.host.store import Store
from flowlang.host.store.projects import Project, project_for_token
from flowlang.host.vault import Vault

log = logging.getLogger("flowlang.host")

JSON_TYPES = ("application/json", "application/vnd.api+json")
NO_BODY = object()


@dataclass
class Call:
    """One request as a handler sees it."""

    store: Store
    settings: Settings
    vault: Vault
    project: Project
    token_name: str
    request_id: str
    base_url: str  # "http://host:port", no trailing slash
    path: Mapping[str, str]
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: Any = NO_BODY
    state: Any = None  # the app's state: what `flowlang serve` attached besides the store (the run service)

    def url(self, path: str) -> str:
        return self.base_url + path

    def json_body(self) -> Any:
        """The parsed body; 400 when the request has none."""
        if self.body is NO_BODY:
            raise ApiError.one(400, "this request needs a JSON body")
        return self.body


@dataclass
class Reply:
    status: int = 200
    doc: Any = None  # None: no body (204)
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Call], Reply]


def request_id_of(request: Request) -> str:
    rid = getattr(request.state, "request_id", None)
    if rid is None:
        rid = request.state.request_id = str(uuid.uuid4())
    return rid


def error_response(err: ApiError, request_id: str) -> JSONResponse:
    headers = {"X-Request-Id": request_id, **err.headers}
    return JSONResponse(envelope(err.problems, request_id), status_code=err.status, headers=headers)


def internal_error(request_id: str) -> JSONResponse:
    problem = Problem(500, "There was an internal server error, you can report with your request id.")
    return JSONResponse(envelope([problem], request_id), status_code=500,
                        headers={"X-Request-Id": request_id})


async def read_body(request: Request, limit: int) -> Any:
    """The request's JSON body (NO_BODY when empty), refusing more than `limit` bytes without reading it all."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            chunks.append(chunk)
    except ClientDisconnect:
        raise ApiError.one(400, "the client closed the connection before the body was complete") from None
    raw = b"".join(chunks)
    if not raw.strip():
        return NO_BODY
    kind = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if kind not in JSON_TYPES and not kind.endswith("+json"):
        raise ApiError.one(415, f"the body must be JSON (Content-Type: application/json), not {kind!r}")
    return parse_json_body(raw)


def _refuse_nul(request: Request) -> None:
    """A 400 for a NUL character in a path or query parameter: PostgreSQL cannot hold one (it was a 500)."""
    for kind, params in (("path", request.path_params), ("query", request.query_params)):
        for name, value in params.items():
            if "\0" in f"{name}{value}":
                raise ApiError.one(400, f"the {kind} parameter {name!r} holds a NUL character (%00), "
                                        "which cannot be stored")


def parse_json_body(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ApiError.one(400, f"the body is not valid UTF-8 (byte {exc.start})") from None
    try:
        return parse_strict(text)
    except json.JSONDecodeError as exc:
        raise ApiError.one(400, f"the body is not valid JSON: {exc.msg} at line {exc.lineno} column "
                                f"{exc.colno}", title="Malformed JSON") from None
    except (ValueError, RecursionError) as exc:
        reason = "it is nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise ApiError.one(400, f"the body is not valid JSON: {reason}", title="Malformed JSON") from None


def _too_large(limit: int) -> ApiError:
    return ApiError.one(413, f"the body is larger than the limit of {limit:,} bytes")


def authenticate(store: Store, header: str | None) -> tuple[Project, str]:
    """The project and token name of `Authorization: Bearer <token>`; 401 otherwise."""
    challenge = {"WWW-Authenticate": 'Bearer realm="flowlang"'}
    if not header:
        raise ApiError.one(401, "this request needs an Authorization: Bearer <token> header",
                           headers=challenge)
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError.one(401, "the Authorization header must be 'Bearer <token>'", headers=challenge)
    with store.read() as conn:
        found = project_for_token(conn, token.strip())
    if found is None:
        raise ApiError.one(401, "the token is unknown or revoked", headers=challenge)
    return found


def endpoint(handler: Handler, *, public: bool = False) -> Callable[[Request], Any]:
    """A Starlette endpoint around `handler` (public: no token needed, the handler gets no project)."""

    async def route(request: Request) -> Response:
        rid = request_id_of(request)
        store: Store = request.app.state.store
        settings: Settings = request.app.state.settings
        try:
            body = await read_body(request, settings.max_body_bytes)
            _refuse_nul(request)
            if public:
                project, token_name = Project("", "", "", ""), ""
            else:
                project, token_name = await run_in_threadpool(
                    authenticate, store, request.headers.get("authorization"))
            call = Call(
                store=store, settings=settings, vault=request.app.state.vault, project=project, token_name=token_name, request_id=rid,
                base_url=str(request.base_url).rstrip("/"), path=dict(request.path_params),
                query=dict(request.query_params), headers=dict(request.headers), body=body,
                state=request.app.state,
            )
            reply = await run_in_threadpool(handler, call)
        except ApiError as err:
            return error_response(err, rid)
        except Exception:
            log.exception("request %s (%s %s) failed", rid, request.method, request.url.path)
            return internal_error(rid)
        headers = {"X-Request-Id": rid, **reply.headers}
        if reply.doc is None:
            return Response(status_code=reply.status, headers=headers)
        return JSONResponse(reply.doc, status_code=reply.status, headers=headers)

    route.__name__ = handler.__name__
    route.__doc__ = handler.__doc__
    return route
