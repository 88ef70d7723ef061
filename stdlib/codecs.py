"""Codec builtins: base64, URL encoding, SHA-256 and HMAC digests, and UUIDs."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import uuid
from typing import Any
from urllib.parse import quote, unquote_plus

from flowlang.stdlib.common import _want_bool, _want_str, _wrong_type
from flowlang.stdlib.registry import builtin

from flowlang.runtime.ambient import current
from flowlang.runtime.errors import FlowError
from flowlang.runtime.values import to_text, type_name


def _query_value(value: Any) -> str:
    if type(value) is str:
        return quote(value, safe="")
    if value is None or type(value) in (bool, int, float):
        return quote(to_text(value), safe="")
    raise FlowError(
        "data", f"url_encode() cannot put a nested {type_name(value)} in a query string"
    )


@builtin("base64_encode")
def fl_base64_encode(text: Any, url_safe: Any = False) -> str:
    """Base64 of the UTF-8 bytes of `text` (with "=" padding); `url_safe` uses - and _ for + and /."""
    data = _want_str("base64_encode", text, "text").encode("utf-8")
    if _want_bool("base64_encode", url_safe, "url_safe"):
        return base64.urlsafe_b64encode(data).decode("ascii")
    return base64.b64encode(data).decode("ascii")


@builtin("base64_decode")
def fl_base64_decode(text: Any, url_safe: Any = False) -> str:
    """The UTF-8 text that base64 `text` encodes; whitespace and missing "=" padding are accepted."""
    encoded = "".join(_want_str("base64_decode", text, "text").split())  # MIME line breaks too
    encoded += "=" * (-len(encoded) % 4)
    try:
        if _want_bool("base64_decode", url_safe, "url_safe"):
            data = base64.urlsafe_b64decode(encoded.encode("ascii"))
        else:
            data = base64.b64decode(encoded.encode("ascii"), validate=True)
        return data.decode("utf-8")
    except (binascii.Error, UnicodeEncodeError, ValueError):
        pass
    raise FlowError("data", "base64_decode() got text that is not base64 of UTF-8 text")


@builtin("url_encode")
def fl_url_encode(value: Any) -> str:
    """A string percent-encoded (all but A-Z a-z 0-9 - . _ ~), or an object as a query string."""
    if type(value) is dict:
        pairs = []
        for key, item in value.items():
            if item is None:
                continue
            name = quote(key, safe="")
            for one in item if type(item) is list else [item]:
                pairs.append(f"{name}={_query_value(one)}")
        return "&".join(pairs)
    if type(value) is str:
        return quote(value, safe="")
    if type(value) is int or type(value) is float:
        return quote(to_text(value), safe="")
    raise _wrong_type("url_encode", "a string, a number or an object", value)


@builtin("url_decode")
def fl_url_decode(text: Any) -> str:
    """Percent-escapes decoded and "+" read as a space (as in form data and query strings)."""
    try:
        return unquote_plus(_want_str("url_decode", text), errors="strict")
    except UnicodeDecodeError:
        raise FlowError(
            "data", "url_decode() got percent-escapes that are not UTF-8 text"
        ) from None


@builtin("sha256")
def fl_sha256(text: Any) -> str:
    """The SHA-256 digest of the UTF-8 bytes of `text`, as 64 lower-case hex digits."""
    return hashlib.sha256(_want_str("sha256", text).encode("utf-8")).hexdigest()


@builtin("hmac_sha256")
def fl_hmac_sha256(key: Any, text: Any, encoding: Any = "hex") -> str:
    """The HMAC-SHA256 of `text` with `key` (both UTF-8), as "hex" or "base64" (webhook signatures)."""
    key_bytes = _want_str("hmac_sha256", key, "key").encode("utf-8")
    data = _want_str("hmac_sha256", text, "text").encode("utf-8")
    digest = hmac.new(key_bytes, data, hashlib.sha256)
    if encoding == "hex":
        return digest.hexdigest()
    if encoding == "base64":
        return base64.b64encode(digest.digest()).decode("ascii")
    raise FlowError(
        "data", f'hmac_sha256() expects encoding to be "hex" or "base64", got {to_text(encoding)!r}'
    )


@builtin("uuid")
def fl_uuid() -> str:
    """A random version 4 UUID; reproducible when FLOWLANG_SEED is set."""
    ambient = current()
    if ambient.seeded:
        return str(uuid.UUID(int=ambient.rng.getrandbits(128), version=4))
    return str(uuid.uuid4())
