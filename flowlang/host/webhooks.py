"""Webhook deliveries: who may deliver (token or signature), how much, and what the payload is.

A webhook pipe has one token. A sender proves it knows the token in one of three ways:
`Authorization: Bearer <token>`, `X-Api-Key: <token>`, or, for senders that sign instead of sending
the secret, `X-Flowlang-Signature: sha256=<hex>`: the HMAC-SHA256 of the raw body with the token as key.
Every comparison is constant-time. Bodies are read up to a limit (413 past it) and must be JSON (400
with the parser's line and column otherwise). `Idempotency-Key` makes a repeated delivery within
IDEMPOTENCY_TTL return the first delivery's run.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import AsyncIterator, Mapping
from datetime import timedelta
from typing import Any

from flowlang.host.jsontext import parse_strict

DEFAULT_BODY_LIMIT = 1 << 20  # 1 MB
IDEMPOTENCY_TTL = timedelta(hours=24)
MAX_IDEMPOTENCY_KEY = 255
SIGNATURE_HEADER = "x-flowlang-signature"
TOKEN_PREFIX = "flw_"


class DeliveryError(Exception):
    """A delivery refused: the HTTP status, a title and a detail for the error envelope."""

    def __init__(self, status: int, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail


def new_token() -> str:
    """A fresh webhook token (shown once, when the pipe is created or its token rotated)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def sign(body: bytes, token: str) -> str:
    """The `X-Flowlang-Signature` value for `body`: `sha256=` and the hex HMAC-SHA256 keyed by the token."""
    return "sha256=" + hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode())


def authenticate(headers: Mapping[str, str], body: bytes, token: str) -> None:
    """Accept the delivery, or raise DeliveryError(401) saying which credential was wrong or missing.

    `headers` is looked up with lower-case names (Starlette's headers are case-insensitive).
    """
    authorization = headers.get("authorization")
    if authorization is not None:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer" and _same(value.strip(), token):
            return
        raise DeliveryError(401, "Unauthorized", "the bearer token is not this pipe's token")
    api_key = headers.get("x-api-key")
    if api_key is not None:
        if _same(api_key.strip(), token):
            return
        raise DeliveryError(401, "Unauthorized", "the X-Api-Key is not this pipe's token")
    signature = headers.get(SIGNATURE_HEADER)
    if signature is not None:
        if _same(signature.strip().lower(), sign(body, token)):
            return
        raise DeliveryError(401, "Unauthorized",
                            "the X-Flowlang-Signature does not match the body: expected sha256=<hex> of the "
                            "HMAC-SHA256 of the raw body, keyed with the pipe's token")
    raise DeliveryError(401, "Unauthorized",
                        "send the pipe's token as 'Authorization: Bearer …' or 'X-Api-Key', "
                        "or sign the body with it in 'X-Flowlang-Signature: sha256=…'")


async def read_body(chunks: AsyncIterator[bytes], content_length: str | None, limit: int) -> bytes:
    """The raw body, read no further than `limit` bytes (DeliveryError 413 beyond it)."""
    too_large = DeliveryError(413, "Payload Too Large", f"the body is larger than the limit of {limit:,} bytes")
    if content_length is not None:
        try:
            if int(content_length) > limit:
                raise too_large
        except ValueError:
            raise DeliveryError(400, "Bad Request", "the Content-Length header is not a number") from None
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise too_large
        parts.append(chunk)
    return b"".join(parts)


def parse_payload(body: bytes) -> Any:
    """The delivery's JSON payload (what the flow reads as `source`); DeliveryError 400 when it is not JSON."""
    if not body.strip():
        raise DeliveryError(400, "Bad Request", "the body is empty: a webhook delivery must be a JSON document")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DeliveryError(400, "Bad Request", "the body is not UTF-8 text: a webhook delivery must be JSON") from None
    try:
        return parse_strict(text)
    except json.JSONDecodeError as exc:
        raise DeliveryError(400, "Bad Request",
                            f"the body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise DeliveryError(400, "Bad Request", "the body is nested too deeply") from None
    except ValueError as exc:  # NaN, Infinity, a number too long
        raise DeliveryError(400, "Bad Request", f"the body is not valid JSON: {exc}") from None


def idempotency_key(headers: Mapping[str, str]) -> str | None:
    """The delivery's `Idempotency-Key`, or None; DeliveryError 400 when it is empty or too long."""
    key = headers.get("idempotency-key")
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_IDEMPOTENCY_KEY:
        raise DeliveryError(400, "Bad Request",
                            f"Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} characters")
    return key
