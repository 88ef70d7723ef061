"""Console sessions: the project token sealed (Fernet) in an HttpOnly SameSite=Strict cookie, and CSRF checks.

The browser never sees the token in clear after sign-in: the cookie holds it encrypted and authenticated
with the console key, with an expiry and the session's CSRF secret. Every form carries that secret in a
hidden field and every POST must send it back (and, when the browser says where it comes from, come from
this origin). The sign-in form, which has no session yet, uses a double-submit cookie instead.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from starlette.requests import Request
from starlette.responses import Response

from flowlang.host.settings import Settings

COOKIE = "flowlang_session"
LOGIN_COOKIE = "flowlang_login"
MAX_AGE = 12 * 3600  # seconds a sign-in lasts
KIND = "flowlang-console-session"


@dataclass(frozen=True)
class Session:
    """A signed-in browser: the project token it acts with, and the secret its forms must echo."""

    token: str
    csrf: str
    expires: int


class Sealer:
    """Seals and opens cookie payloads with one Fernet key (authenticated encryption, so also signed)."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    def seal(self, payload: dict[str, Any]) -> str:
        return self._fernet.encrypt(json.dumps(payload).encode("utf-8")).decode("ascii")

    def open(self, sealed: str, max_age: int) -> dict[str, Any] | None:
        """The payload, or None when the cookie was forged, altered, made with another key or is too old."""
        try:
            raw = self._fernet.decrypt(sealed.encode("ascii"), ttl=max_age)
            payload = json.loads(raw)
        except (InvalidToken, ValueError, UnicodeEncodeError):
            return None
        return payload if isinstance(payload, dict) and payload.get("kind") == KIND else None


def console_key(settings: Settings) -> bytes:
    """The console's key: derived from FLOWLANG_SECRET_KEY when set, else a 0600 file beside the host key."""
    if settings.secret_key:
        digest = hashlib.sha256(b"flowlang console\0" + settings.secret_key.encode("utf-8")).digest()
        return base64.urlsafe_b64encode(digest)
    path = os.path.join(os.path.dirname(os.path.abspath(settings.resolved_key_file)), "console.key")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        with open(path, "rb") as handle:
            return handle.read().strip()
    with os.fdopen(fd, "wb") as handle:
        key = Fernet.generate_key()
        handle.write(key + b"\n")
    return key


def sealer(request: Request) -> Sealer:
    """The app's sealer, made once per process from its settings."""
    state = request.app.state
    found: Sealer | None = getattr(state, "console_sealer", None)
    if found is None:
        found = state.console_sealer = Sealer(console_key(state.settings))
    return found


def current(request: Request) -> Session | None:
    """The session of this request's cookie, or None (no cookie, a bad one, or expired)."""
    sealed = request.cookies.get(COOKIE)
    payload = sealer(request).open(sealed, MAX_AGE) if sealed else None
    if payload is None or not isinstance(payload.get("token"), str) or not isinstance(payload.get("csrf"), str):
        return None
    expires = payload.get("exp")
    if not isinstance(expires, int) or expires < time.time():
        return None
    return Session(payload["token"], payload["csrf"], expires)


def _cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")


def start(response: Response, request: Request, token: str) -> None:
    """Sign the browser in: set the session cookie for `token`, and drop the sign-in cookie."""
    expires = int(time.time()) + MAX_AGE
    payload = {"kind": KIND, "token": token, "csrf": secrets.token_urlsafe(32), "exp": expires}
    _cookie(response, request, COOKIE, sealer(request).seal(payload), MAX_AGE)
    response.delete_cookie(LOGIN_COOKIE, path="/")


def end(response: Response) -> None:
    """Sign out: the browser forgets its session cookie."""
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")


def login_nonce(request: Request) -> str:
    """The sign-in form's CSRF value: the one of the browser's sign-in cookie, or a new one."""
    return request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)


def keep_login_nonce(response: Response, request: Request, nonce: str) -> None:
    """Set the sign-in cookie that the form's hidden field must match."""
    _cookie(response, request, LOGIN_COOKIE, nonce, 3600)


def same_origin(request: Request) -> bool:
    """False when the browser says the request comes from another origin (Origin or Referer)."""
    own = f"{request.url.scheme}://{request.url.netloc}"
    origin = request.headers.get("origin")
    if origin is not None:
        return origin == own
    referer = request.headers.get("referer")
    return referer is None or referer == own or referer.startswith(own + "/")


def valid_csrf(request: Request, sent: str | None, expected: str | None) -> bool:
    """The form's CSRF field matches the expected secret, and the request comes from this origin."""
    if not sent or not expected or not same_origin(request):
        return False
    return hmac.compare_digest(sent.encode("utf-8"), expected.encode("utf-8"))
