"""Authentication of requests: static credentials (bearer, basic, api_key) and cached oauth2 tokens."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

import httpx

from flowlang.runtime.background import LoopLock
from flowlang.runtime.config import (
    ApiKeyAuth,
    AuthConfig,
    BasicAuth,
    BearerAuth,
    OAuth2Auth,
    header_problem,
)
from flowlang.runtime.errors import FlowError, Where
from flowlang.runtime.masking import basic_credentials, mask_secrets
from flowlang.runtime.values import parse_json

# Refresh a token this many seconds before the server says it expires.
EXPIRY_MARGIN = 30.0
# When the token response has no `expires_in`.
DEFAULT_EXPIRES_IN = 3600.0

# Aliases are strings: compiled modules import httpx on first use (codegen/inline.py, LAZY_MODULES).
Send: TypeAlias = "Callable[[httpx.Request], Awaitable[httpx.Response]]"


def credential_secrets(auth: AuthConfig | None) -> set[str]:
    """The values of `auth` to mask wherever they would appear (a Basic header's base64 pair included)."""
    if isinstance(auth, BearerAuth):
        return {auth.token}
    if isinstance(auth, BasicAuth):
        return {auth.password, basic_credentials(auth.user, auth.password)} - {""}
    if isinstance(auth, ApiKeyAuth):
        return {auth.value}
    if isinstance(auth, OAuth2Auth):
        return {auth.client_secret}
    return set()


def static_credentials(auth: AuthConfig | None) -> tuple[dict[str, str], dict[str, str]]:
    """The (headers, query parameters) that authenticate every request; header names lower-case."""
    if isinstance(auth, BearerAuth):
        return {"authorization": f"Bearer {auth.token}"}, {}
    if isinstance(auth, BasicAuth):
        return {"authorization": f"Basic {basic_credentials(auth.user, auth.password)}"}, {}
    if isinstance(auth, ApiKeyAuth):
        if auth.in_ == "query":
            return {}, {auth.name: auth.value}
        return {auth.name.lower(): auth.value}, {}
    return {}, {}


class OAuth2Tokens:
    """The client-credentials token of one system, cached until it expires; shared by the client's loops."""

    def __init__(self, system: str, config: OAuth2Auth, secrets: set[str] | None = None) -> None:
        self.system = system
        self.config = config
        self.secrets = secrets  # each token fetched is masked in logs and errors, like secret() values
        self.token: str | None = None
        self.expires_at = 0.0
        self._lock = LoopLock()  # one fetch at a time, whichever loop and thread asks

    def _fresh(self) -> bool:
        return self.token is not None and time.monotonic() < self.expires_at

    async def get(self, send: Send, timeout: float | None, where: Where, operation: str) -> str:
        """The cached token, fetching one when there is none or it has expired."""
        if self._fresh():
            assert self.token is not None
            return self.token
        return await self.refresh(None, send, timeout, where, operation)

    async def refresh(
        self, stale: str | None, send: Send, timeout: float | None, where: Where, operation: str
    ) -> str:
        """A new token unless another request already replaced `stale` (one fetch for many 401s)."""
        async with self._lock:
            if self.token is not None and self.token != stale and self._fresh():
                return self.token
            self.token, lifetime = await self._fetch(send, timeout, where, operation)
            if self.secrets is not None:
                self.secrets.add(self.token)
            self.expires_at = time.monotonic() + max(lifetime - EXPIRY_MARGIN, lifetime / 2)
            return self.token

    async def _fetch(
        self, send: Send, timeout: float | None, where: Where, operation: str
    ) -> tuple[str, float]:
        form = {
            "grant_type": "client_credentials",
            "client_id": self.config.client_id,
            "client_secret": self.config.client_secret,
        }
        if self.config.scope:
            form["scope"] = self.config.scope
        request = httpx.Request(
            "POST",
            self.config.token_url,
            data=form,
            headers={"accept": "application/json"},
            extensions={"timeout": httpx.Timeout(timeout).as_dict()},
        )
        response = await send(request)
        label = f"{self.system}.{operation}: oauth2 token request"
        if not response.is_success:  # a token endpoint may echo the form, client_secret and all
            text = mask_secrets(response.text, {self.config.client_secret, *(self.secrets or ())})  # before folding
            excerpt = " ".join(text.split())[:200]
            raise FlowError(
                "http",
                f"{label} failed: HTTP {response.status_code} {response.reason_phrase}"
                + (f": {excerpt}" if excerpt else ""),
                where,
                status=response.status_code,
                body=text,
                system=self.system,
                operation=operation,
            )
        try:
            payload: Any = parse_json(response.content, response.charset_encoding)
        except (ValueError, RecursionError) as exc:  # RecursionError: nested too deeply
            raise FlowError(
                "json", f"{label}: response is not valid JSON: {exc}", where,
                status=response.status_code, system=self.system, operation=operation,
            ) from None
        token = payload.get("access_token") if isinstance(payload, dict) else None
        if not isinstance(token, str) or not token:
            raise FlowError(
                "data", f"{label}: the response has no 'access_token'", where,
                status=response.status_code, system=self.system, operation=operation,
            )
        problem = header_problem(token)
        if problem:
            raise FlowError("data", f"{label}: the 'access_token' it returned {problem}", where,
                            status=response.status_code, system=self.system, operation=operation)
        lifetime = payload.get("expires_in", DEFAULT_EXPIRES_IN)
        try:
            seconds = float(lifetime)
        except (TypeError, ValueError):
            seconds = DEFAULT_EXPIRES_IN
        return token, seconds
