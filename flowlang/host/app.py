"""The ASGI application of `flowlang serve`: the routers of api/, the error envelope everywhere, /openapi.json."""

from __future__ import annotations

import logging
from types import ModuleType
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from flowlang.host import console, openapi
from flowlang.host.api import credentials, files, flows, templates, tokens, transfer, versions
from flowlang.host.api.endpoint import error_response, internal_error, request_id_of
from flowlang.host.errors import ApiError
from flowlang.host.settings import Settings
from flowlang.host.store import Store
from flowlang.host.vault import Vault

log = logging.getLogger("flowlang.host")

# The resource routers, in the order their routes are matched. Each has `routes` and may have `OPENAPI`.
# The console last: its pages are not /v2/….
ROUTERS: list[ModuleType] = [transfer, flows, versions, files, credentials, templates, tokens, console]


def serve_routers() -> list[ModuleType]:
    """What `flowlang serve` routes: ROUTERS, then the pipes, the webhook listener and the runs."""
    from flowlang.host.api import pipes, runs

    return [*ROUTERS, pipes, runs]


def create_app(settings: Settings, store: Store, vault: Vault,
               routers: list[ModuleType] | None = None) -> Starlette:
    """The app over an open store and vault. `routers` defaults to ROUTERS (the pipes and console add
    theirs: `create_app(..., routers=[*ROUTERS, pipes])`)."""
    routers = ROUTERS if routers is None else routers
    document = openapi.document([getattr(r, "OPENAPI", {}) for r in routers])

    async def openapi_json(request: Request) -> Response:
        return JSONResponse(document)

    routes: list[BaseRoute] = [Route("/openapi.json", openapi_json, methods=["GET"])]
    for router in routers:
        routes.extend(router.routes)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        rid = request_id_of(request)
        if exc.status_code == 404:
            detail = f"there is no {request.url.path} on this server"
        elif exc.status_code == 405:
            detail = f"{request.url.path} does not accept {request.method}"
        else:
            detail = str(exc.detail)
        return error_response(ApiError.one(exc.status_code, detail, headers=dict(exc.headers or {})), rid)

    async def crash(request: Request, exc: Exception) -> Response:
        rid = request_id_of(request)
        log.error("request %s (%s %s) failed", rid, request.method, request.url.path, exc_info=exc)
        return internal_error(rid)

    handlers: dict[Any, Any] = {HTTPException: http_error, Exception: crash}
    app = Starlette(routes=routes, exception_handlers=handlers)
    app.state.settings = settings
    app.state.store = store
    app.state.vault = vault
    return app
