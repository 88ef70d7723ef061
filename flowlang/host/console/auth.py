"""Signing in with a project token, and out: `/login`, `/logout`, and `/` (to the flows or to sign in)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from flowlang.host.console import session as sessions
from flowlang.host.console.client import Api
from flowlang.host.console.guard import Ctx, console_page, read_form
from flowlang.host.console.render import page, redirect


def _next(value: str | None) -> str:
    """Where to go after signing in: a path of this console only."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/flows"


def _login_page(request: Request, status: int, error: str = "", next_path: str = "/flows") -> Response:
    nonce = sessions.login_nonce(request)
    notice = "Your session ended: sign in again." if request.query_params.get("expired") else ""
    response = page(request, "login.html", status, error=error, next_path=next_path, login_nonce=nonce,
                    notice=notice, title="Sign in")
    sessions.keep_login_nonce(response, request, nonce)
    return response


async def index(request: Request) -> Response:
    """GET /: the flows when signed in, else the sign-in page."""
    return redirect("/flows" if sessions.current(request) else "/login")


async def login_form(request: Request) -> Response:
    """GET /login"""
    return _login_page(request, 200, next_path=_next(request.query_params.get("next")))


async def login(request: Request) -> Response:
    """POST /login: check the token against the API; a good one starts a session."""
    form = await read_form(request) or {}
    next_path = _next(form.get("next"))
    if not sessions.valid_csrf(request, form.get("login_nonce"), request.cookies.get(sessions.LOGIN_COOKIE)):
        return _login_page(request, 403, "The sign-in form expired: try again.", next_path)
    token = form.get("token", "").strip()
    if not token:
        return _login_page(request, 400, "Paste a project token (flowlang token create --project …).", next_path)
    answer = await Api(request, token).get("/v2/flows", {"page[limit]": "1"})
    if answer.status == 401:
        return _login_page(request, 401, "That token is unknown or revoked.", next_path)
    if not answer.ok:
        return _login_page(request, answer.status, answer.message(), next_path)
    response = redirect(next_path)
    sessions.start(response, request, token)
    return response


async def _logout(ctx: Ctx) -> Response:
    """POST /logout"""
    response = redirect("/login")
    sessions.end(response)
    return response


logout = console_page(_logout)
