"""Codec builtins: base64, URL encoding, digests and UUIDs."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flowlang.stdlib import load_all

from flowlang.runtime.ambient import Ambient, activate, deactivate
from flowlang.runtime.errors import FlowError

BUILTINS = load_all()


def call(name: str, *args: Any, **named: Any) -> Any:
    return BUILTINS[name].fn(*args, **named)


def test_base64_round_trips_utf8_text() -> None:
    encoded = call("base64_encode", "héllo wörld")
    assert encoded == "aMOpbGxvIHfDtnJsZA=="
    assert call("base64_decode", encoded) == "héllo wörld"


def test_base64_url_safe_alphabet() -> None:
    assert call("base64_encode", "??>", url_safe=True) == "Pz8-"
    assert call("base64_decode", "Pz8-", url_safe=True) == "??>"


def test_base64_decode_accepts_missing_padding() -> None:
    assert call("base64_decode", "YWI") == "ab"


def test_base64_decode_ignores_line_breaks() -> None:
    assert call("base64_decode", "aMOp\nbGxv\r\n") == "héllo"


@pytest.mark.parametrize("text", ["not base64!", "/w=="])
def test_base64_decode_rejects_bad_input_and_non_text_bytes(text: str) -> None:
    with pytest.raises(FlowError, match="not base64 of UTF-8 text"):
        call("base64_decode", text)


def test_url_encode_a_string_encodes_everything_but_unreserved_characters() -> None:
    assert call("url_encode", "a b&c/é~_.-") == "a%20b%26c%2F%C3%A9~_.-"


def test_url_encode_an_object_builds_a_query_string() -> None:
    query = {"q": "a b", "tags": ["x", "y"], "skip": None, "flag": True, "n": 2}
    assert call("url_encode", query) == "q=a%20b&tags=x&tags=y&flag=true&n=2"


def test_url_encode_rejects_nested_objects() -> None:
    with pytest.raises(FlowError, match="cannot put a nested object in a query string"):
        call("url_encode", {"a": {"b": 1}})


def test_url_decode_reverses_url_encode_and_reads_plus_as_space() -> None:
    assert call("url_decode", call("url_encode", "a b+c/é")) == "a b+c/é"
    assert call("url_decode", "a+b") == "a b"


def test_url_decode_rejects_non_utf8_escapes() -> None:
    with pytest.raises(FlowError, match="not UTF-8"):
        call("url_decode", "%ff")


def test_sha256_hex_digest() -> None:
    assert (
        call("sha256", "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


def test_hmac_sha256_matches_rfc_4231_case_2() -> None:
    expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    assert call("hmac_sha256", "Jefe", "what do ya want for nothing?") == expected


def test_hmac_sha256_in_base64() -> None:
    assert (
        call("hmac_sha256", "key", "msg", "base64")
        == "LZPLwb4We8sWN6SiPL/wGnh48MUO6DOVTqUiG7G4xig="
    )


def test_hmac_sha256_rejects_unknown_encodings() -> None:
    with pytest.raises(FlowError, match='"hex" or "base64"'):
        call("hmac_sha256", "k", "m", "base32")


def test_uuid_is_a_valid_version_4_uuid() -> None:
    parsed = uuid.UUID(call("uuid"))
    assert parsed.version == 4
    assert parsed.variant == uuid.RFC_4122


def test_uuid_is_reproducible_with_a_seed() -> None:
    def first_two(seed: str) -> list[str]:
        token = activate(Ambient.from_env({"FLOWLANG_SEED": seed}))
        try:
            return [call("uuid"), call("uuid")]
        finally:
            deactivate(token)

    run1, run2, other = first_two("7"), first_two("7"), first_two("8")
    assert run1 == run2
    assert run1[0] != run1[1]
    assert run1 != other


def test_uuid_without_a_seed_differs_between_runs() -> None:
    token = activate(Ambient.from_env({}))
    try:
        assert call("uuid") != call("uuid")
    finally:
        deactivate(token)
