"""Who the caller is: `GET /v2/project` (the token's project), and `POST /oauth/access_token`, the
client-credentials grant Elastic Path clients use (client_id = project slug, client_secret = API token)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from flowlang.host.api.endpoint import (
    Call,
    Reply,
    authenticate,
    endpoint,
    error_response,
    request_id_of,
)
from flowlang.host.errors import ApiError

TOKEN_LIFETIME = 3600


def project(call: Call) -> Reply:
    """GET /v2/project: the project the token belongs to."""
    return Reply(200, {"data": {
        "id": call.project.id, "type": "project", "slug": call.project.slug, "name": call.project.name,
        "meta": {"token": {"name": call.token_name},
                 "timestamps": {"created_at": call.project.created_at}},
    }})


async def access_token(request: Request) -> Response:
    """POST /oauth/access_token (form): grant_type=client_credentials, client_id, client_secret."""
    rid = request_id_of(request)
    raw = await request.body()
    form: dict[str, Any] = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")[:10_000]).items()}
    try:
        if form.get("grant_type") != "client_credentials":
            raise ApiError.one(400, "grant_type must be client_credentials", title="Unsupported Grant Type")
        secret = str(form.get("client_secret", ""))
        found, _ = await run_in_threadpool(authenticate, request.app.state.store, f"Bearer {secret}")
        if form.get("client_id") != found.slug:
            raise ApiError.one(401, "client_id must be the slug of the token's project")
    except ApiError as err:
        return error_response(err, rid)
    return JSONResponse({"access_token": secret, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME,
                         "identifier": "client_credentials"}, headers={"X-Request-Id": rid})


routes = [
    Route("/v2/project", endpoint(project), methods=["GET"]),
    Route("/oauth/access_token", access_token, methods=["POST"]),
]
