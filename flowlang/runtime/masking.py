"""Secret masking: every form a secret can be written in (raw, JSON, URL/form-encoded, base64) becomes ***.

One place derives all forms of each secret, as one regular expression:
- each character of the secret as itself, percent-encoded (`%2F` or `%2f`, UTF-8 bytes), `+` for a space
  (form encoding), or escaped as JSON and Python write it (`\\"`, `\\/`, `\\u00fc`, and `\\xc3\\xbc` as
  the repr of bytes shows it; one or more backslashes deep, so JSON inside a JSON string is caught too); the
  forms may mix, as partly encoded URLs do;
- each run of blanks and line breaks in the secret also as any other such run (error excerpts fold a body's
  whitespace into single spaces, so `a\\nb` is shown as `a b`);
- the base64 of the secret (standard and URL-safe alphabets), standalone and at each of the three byte
  offsets it can have inside a longer base64 text (so `Basic` headers and tokens that embed it are caught).
A secret shorter than SHORT_SECRET is masked only where it stands alone: masking every "42" would garble
counts, ids and timestamps.
"""

from __future__ import annotations

import base64
import functools
import json
import re
from collections.abc import Collection

MASK = "***"
SHORT_SECRET = 6  # a secret shorter than this is masked only where it stands alone
MIN_BASE64 = 6  # shorter base64 fragments are too likely to occur by chance
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_CACHE_SIZE = 64


def _hex(text: str) -> str:
    """A pattern for hex digits in either case: `2F` -> `2[Ff]`."""
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in text)


def _escaped(sequence: str) -> str:
    """A backslash escape (`\\"`, `\\u00fc`) as a pattern, one or more backslashes deep."""
    body = sequence[1:]
    if body[:1] == "u":
        return r"\\+u" + _hex(body[1:])
    return r"\\+" + re.escape(body)


@functools.lru_cache(maxsize=4096)
def _char(c: str) -> str:
    """Every way one character of a secret can be written."""
    if c in _UNRESERVED:
        return re.escape(c)
    if c == "\\":
        return r"(?:\\+|%5[Cc])"  # itself, escaped once or more, or percent-encoded
    forms = [re.escape(c), "".join("%" + _hex(f"{b:02X}") for b in c.encode("utf-8"))]
    if c == " ":
        forms.append(r"\+")
    escapes = {json.dumps(c)[1:-1], repr(c)[1:-1], "\\/" if c == "/" else "", "\\'" if c == "'" else ""}
    for escape in sorted(escapes):
        if escape.startswith("\\") and not escape.startswith("\\u"):
            forms.append(_escaped(escape))
    units = json.dumps(c)[1:-1]
    if units.startswith("\\u"):  # \u00fc, or a surrogate pair for a character beyond U+FFFF
        forms.append("".join(_escaped("\\" + unit) for unit in units.split("\\") if unit))
    if not c.isascii():  # b'\xc3\xbc': the repr of the UTF-8 bytes (an HTTP library's message about a header)
        forms.append("".join(r"\\+x" + _hex(f"{b:02x}") for b in c.encode("utf-8")))
    return "(?:" + "|".join(dict.fromkeys(forms)) + ")"


def _chars(secret: str) -> str:
    """The secret character by character; a run of whitespace matches any run of it (folded excerpts), and
    none at all at either end (a secret read with its trailing newline is shown stripped)."""
    runs = re.findall(r"\s+|\S+", secret)
    parts = []
    for index, run in enumerate(runs):
        written = "".join(_char(c) for c in run)
        if run.isspace():
            at_end = index in (0, len(runs) - 1) and len(runs) > 1
            written = f"(?:{written}|\\s{'*' if at_end else '+'})"
        parts.append(written)
    return "".join(parts)


def _base64_forms(secret: str) -> list[str]:
    """The base64 of `secret` alone (padded), and its core at each byte offset inside longer base64 text."""
    data = secret.encode("utf-8")
    forms = [base64.b64encode(data).decode("ascii")]
    for offset in range(3):
        encoded = base64.b64encode(bytes(offset) + data).decode("ascii")
        start = (8 * offset + 5) // 6  # the first characters also encode the bytes before the secret
        end = 8 * (offset + len(data)) // 6  # the last ones also encode the bytes after it
        core = encoded[start:end]
        if len(core) >= MIN_BASE64:
            forms.append(core)
    urlsafe = [form.replace("+", "-").replace("/", "_") for form in forms]
    return list(dict.fromkeys(form for form in forms + urlsafe if form))


@functools.lru_cache(maxsize=1024)
def secret_pattern(secret: str) -> str:
    """A regular expression for every written form of `secret` (see the module's docstring)."""
    chars = _chars(secret)
    if len(secret) < SHORT_SECRET:
        alone = base64.b64encode(secret.encode("utf-8")).decode("ascii")
        return f"(?<![0-9A-Za-z])(?:{chars}|{re.escape(alone)})(?![0-9A-Za-z])"
    forms = sorted(_base64_forms(secret), key=len, reverse=True)
    return "(?:" + "|".join([chars, *(re.escape(form) for form in forms)]) + ")"


@functools.lru_cache(maxsize=1024)
def _needles(secret: str) -> tuple[str, ...] | None:
    """Texts of which every form of `secret` contains one (a cheap test before the regex), or None."""
    runs = re.findall(r"[A-Za-z0-9._~-]+", secret)
    longest = max(runs, key=len, default="")
    if not longest:
        return None  # no part of the secret is written the same way in every form
    if len(secret) < SHORT_SECRET:
        return (longest, base64.b64encode(secret.encode("utf-8")).decode("ascii"))
    return (longest, *_base64_forms(secret))


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _compiled(secrets: frozenset[str]) -> tuple[re.Pattern[str], tuple[str, ...] | None]:
    # Longest secrets first: where one secret contains another, the longer one is masked whole.
    ordered = sorted(secrets, key=lambda s: (-len(s), s))
    needles: list[str] | None = []
    for secret in ordered:
        found = _needles(secret)
        if found is None or needles is None:
            needles = None
        else:
            needles.extend(found)
    pattern = re.compile("|".join(secret_pattern(secret) for secret in ordered))
    return pattern, None if needles is None else tuple(dict.fromkeys(needles))


def mask_secrets(text: str, secrets: Collection[str]) -> str:
    """`text` with every form of every secret replaced by `***`."""
    if not secrets or not text:
        return text
    # tuple() copies the set in one step: another thread may be adding a secret meanwhile.
    present = frozenset(secret for secret in tuple(secrets) if secret)
    if not present:
        return text
    pattern, needles = _compiled(present)
    if needles is not None and not any(needle in text for needle in needles):
        return text
    return pattern.sub(MASK, text)


def basic_credentials(user: str, password: str) -> str:
    """The base64 `user:password` of a `Basic` Authorization header."""
    return base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
