"""What every signed-in console page shares: the session, the API client, the posted form and its CSRF check."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote

from starlette.requests import Request
from starlette.responses import Response

from flowlang.host.console import session as sessions
from flowlang.host.console.client import Api, ApiResult
from flowlang.host.console.render import page, redirect

log = logging.getLogger("flowlang.host.console")

MAX_FORM_BYTES = 6 * 1024 * 1024  # a form holds at most a flow's source and sample


class SignedOut(Exception):
    """The API no longer accepts the session's token (revoked): the browser must sign in again."""


@dataclass
class Ctx:
    """One signed-in request: its session, an API client with its token, and the posted form fields."""

    request: Request
    session: sessions.Session
    api: Api
    form: dict[str, str] = field(default_factory=dict)

    def page(self, template: str, status: int = 200, **context: Any) -> Response:
        return page(self.request, template, status, csrf=self.session.csrf, signed_in=True, **context)

    def checked(self, result: ApiResult) -> ApiResult:
        """`result`, unless the API said 401: then the session is over."""
        if result.status == 401:
            raise SignedOut
        return result

    async def act(self, method: str, path: str, title: str, doc: Any = None) -> ApiResult | Response:
        """An API call that changes something: its result, or the error page saying why it was refused."""
        result = self.checked(await self.api.call(method, path, doc=doc))
        if not result.ok:
            return self.page("error.html", result.status, title=title, message=result.message())
        return result

    def not_found(self, result: ApiResult) -> Response:
        return self.page("error.html", result.status, title="Not found", message=result.message())


Handler = Callable[[Ctx], Awaitable[Response]]


async def read_form(request: Request) -> dict[str, str] | None:
    """The urlencoded fields of a POST (the last value of a repeated name), or None when too large."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        return None
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_FORM_BYTES:
            return None
    return dict(parse_qsl(raw.decode("utf-8", errors="replace"), keep_blank_values=True))


def console_page(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """A Starlette endpoint around `handler`: signed in, or sent to sign in; POSTs must pass the CSRF check."""

    async def route(request: Request) -> Response:
        session = sessions.current(request)
        if session is None:
            target = request.url.path if request.method == "GET" else "/flows"
            return redirect("/login?next=" + quote(target, safe="/"))
        form: dict[str, str] = {}
        if request.method == "POST":
            posted = await read_form(request)
            if posted is None:
                return page(request, "error.html", 413, title="Too large",
                            message=f"a form may hold at most {MAX_FORM_BYTES:,} bytes")
            if not sessions.valid_csrf(request, posted.get("csrf"), session.csrf):
                return page(request, "error.html", 403, title="Forbidden",
                            message="the form is stale or did not come from this console: reload the page")
            form = posted
        ctx = Ctx(request, session, Api(request, session.token), form)
        try:
            return await handler(ctx)
        except SignedOut:
            response = redirect("/login?expired=1")
            sessions.end(response)
            return response
        except Exception:  # a bug of the console: an HTML page with the request id, the traceback in the log
            rid = str(uuid.uuid4())
            log.exception("console request %s (%s %s) failed", rid, request.method, request.url.path)
            return page(request, "error.html", 500, title="Internal error",
                        message=f"The console failed to show this page; report it with request id {rid}.")

    route.__name__ = handler.__name__
    route.__doc__ = handler.__doc__
    return route
