"""Every written form of a secret is masked: raw, JSON, URL- and form-encoded, base64, inside a Basic header."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote, quote_plus, urlencode

import httpx
import pytest

from flowlang.runtime.masking import basic_credentials, mask_secrets

SECRETS = ['p@ss"wo\\rd ü/+x&y=z', "plain-s3cr3t-value", "emoji😀key 1", "it's a 'quote'\n"]


def forms(secret: str) -> dict[str, str]:
    return {
        "raw": secret,
        "json": json.dumps(secret, ensure_ascii=False)[1:-1],
        "json ascii": json.dumps(secret)[1:-1],
        "json in json": json.dumps(json.dumps(secret))[1:-1],
        "python repr": repr(secret),
        "url %20": quote(secret, safe=""),
        "url lower-case hex": quote(secret, safe="").lower(),
        "url with safe chars": quote(secret),
        "form +": quote_plus(secret),
        "form body": urlencode({"client_secret": secret, "grant_type": "client_credentials"}),
        "httpx query": str(httpx.URL("https://api.example/x", params={"key": secret})),
        "base64": base64.b64encode(secret.encode()).decode(),
        "base64 url-safe": base64.urlsafe_b64encode(secret.encode()).decode().rstrip("="),
        "basic header": "Basic " + basic_credentials("ann", secret),
        "basic header, secret user": "Basic " + basic_credentials(secret, "literal"),
        "base64 inside a token": base64.b64encode(b"{\"k\": \"" + secret.encode() + b"\", \"n\": 1}").decode(),
    }


@pytest.mark.parametrize("secret", SECRETS, ids=["symbols", "plain", "emoji", "quotes"])
@pytest.mark.parametrize("form", list(forms("x")))
def test_every_form_of_a_secret_is_masked(secret: str, form: str) -> None:
    written = forms(secret)[form]
    masked = mask_secrets(f"error: {written} (end)", {secret})
    assert "***" in masked and masked.endswith(" (end)")
    # nothing of the secret's distinctive parts is left
    for part in ("wo", "rd", "s3cr3t", "😀", "quote"):
        if part in secret and part in written:
            assert part not in masked, masked


def test_the_base64_pair_of_a_secret_user_and_a_literal_password_can_be_registered_whole() -> None:
    pair = basic_credentials("u-s3cr3t-user", "literal")
    assert mask_secrets(f"Basic {pair}", {"u-s3cr3t-user", pair}) == "Basic ***"


def test_text_without_secrets_is_unchanged() -> None:
    text = "customer 7 created: {\"id\": 7, \"email\": \"a+b@example.com\"} dXNlcjpwYXNz"
    assert mask_secrets(text, set(SECRETS)) == text


def test_a_short_secret_stays_masked_only_where_it_stands_alone_in_every_form() -> None:
    assert mask_secrets("pin 4242, b64 NDI0Mg==, order 142420", {"4242"}) == "pin ***, b64 ***, order 142420"
    assert mask_secrets("a%20b and ca b", {"a b"}) == "*** and ca b"


@pytest.mark.parametrize("secret", ["abc-super\nsecret-value", "abc-super\r\nsecret-value", "tok3n-value\n",
                                    "\n\tlead-s3cret"])
def test_a_secret_with_line_breaks_is_masked_where_an_excerpt_folds_or_strips_its_whitespace(secret: str) -> None:
    folded = mask_secrets(" ".join(f"HTTP 401: got {secret} (end)".split()), {secret})
    assert folded.startswith("HTTP 401: got") and "***" in folded and folded.endswith("(end)")
    assert not any(part in folded for part in ("super", "value", "s3cret", "tok3n")), folded
    assert mask_secrets(f"Illegal header value {secret.encode()!r}", {secret}) == "Illegal header value b'***'"


def test_a_non_ascii_secret_is_masked_in_the_repr_of_its_utf8_bytes() -> None:
    secret = "pässwörd-42"
    assert mask_secrets(f"value {secret.encode()!r}", {secret}) == "value b'***'"
