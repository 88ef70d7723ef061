"""Webhook deliveries are checked before anything runs: credentials, size, JSON, idempotency key.

The same rules are exercised over HTTP against the real server in test_pipes_e2e.py; these pin the
messages.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import AsyncIterator

import pytest

from flowlang.host.webhooks import (
    DeliveryError,
    authenticate,
    idempotency_key,
    new_token,
    parse_payload,
    read_body,
    sign,
)

TOKEN = "flw_test-token"
BODY = b'{"id": 1}'


def test_the_token_is_accepted_as_bearer_api_key_or_signature() -> None:
    authenticate({"authorization": f"Bearer {TOKEN}"}, BODY, TOKEN)
    authenticate({"x-api-key": TOKEN}, BODY, TOKEN)
    expected = "sha256=" + hmac.new(TOKEN.encode(), BODY, hashlib.sha256).hexdigest()
    assert sign(BODY, TOKEN) == expected
    authenticate({"x-flowlang-signature": expected}, BODY, TOKEN)
    authenticate({"x-flowlang-signature": expected.upper().replace("SHA256=", "sha256=")}, BODY, TOKEN)


@pytest.mark.parametrize(("headers", "detail"), [
    ({}, "send the pipe's token"),
    ({"authorization": "Bearer wrong"}, "bearer token is not"),
    ({"authorization": f"Basic {TOKEN}"}, "bearer token is not"),
    ({"x-api-key": "wrong"}, "X-Api-Key is not"),
    ({"x-flowlang-signature": sign(b'{"id": 2}', TOKEN)}, "does not match the body"),
    ({"x-flowlang-signature": "sha256=zz\udcff"}, "does not match the body"),
])
def test_bad_or_missing_credentials_are_401(headers: dict[str, str], detail: str) -> None:
    with pytest.raises(DeliveryError, match=detail) as caught:
        authenticate(headers, BODY, TOKEN)
    assert caught.value.status == 401


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


def test_bodies_over_the_limit_are_413_whether_announced_or_streamed() -> None:
    assert asyncio.run(read_body(_chunks(b"ab", b"cd"), "4", 4)) == b"abcd"
    for length in ("5", None):
        with pytest.raises(DeliveryError, match="larger than the limit of 4 bytes") as caught:
            asyncio.run(read_body(_chunks(b"abc", b"de"), length, 4))
        assert caught.value.status == 413


@pytest.mark.parametrize(("body", "detail"), [
    (b"", "the body is empty"),
    (b"<order/>", "not valid JSON: Expecting value at line 1 column 1"),
    (b'{"a": 1,\n "b": }', "at line 2 column 7"),
    (b"\xff\xfe", "not UTF-8"),
    (b'{"a": NaN}', "not valid JSON"),
])
def test_a_body_that_is_not_json_is_400_with_where(body: bytes, detail: str) -> None:
    with pytest.raises(DeliveryError, match=detail) as caught:
        parse_payload(body)
    assert caught.value.status == 400


def test_json_payloads_and_idempotency_keys() -> None:
    assert parse_payload(b'\xef\xbb\xbf{"id": 1.50}') == {"id": 1.5}
    assert idempotency_key({"idempotency-key": " abc "}) == "abc"
    assert idempotency_key({}) is None
    with pytest.raises(DeliveryError, match="1 to 255 characters"):
        idempotency_key({"idempotency-key": "x" * 256})
    assert new_token() != new_token() and new_token().startswith("flw_")
