"""Text builtins: case, trimming, splitting, padding, slugs and regular expressions."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from flowlang.stdlib.common import _want_int, _want_list, _want_str, _wrong_type
from flowlang.stdlib.registry import builtin

from flowlang.runtime.errors import FlowError
from flowlang.runtime.values import Stream, contains, to_text, type_name

_SLUG_JUNK = re.compile(r"[^a-z0-9]+")
_DOLLAR_GROUP = re.compile(r"\$(?:(\d+)|<([A-Za-z_][A-Za-z0-9_]*)>|(\$))")


@lru_cache(maxsize=256)
def _regex(fn: str, pattern: str) -> re.Pattern[str]:
    """Compile once per distinct pattern; a bad pattern is a data error naming the builtin."""
    try:
        return re.compile(pattern)
    except re.error as e:
        raise FlowError(
            "data", f"{fn}() got an invalid regular expression {pattern!r}: {e}"
        ) from None


@lru_cache(maxsize=256)
def _replacement_template(replacement: str) -> str:
    """Turn `$1`, `$<name>` and `$$` into Python's `\\g<1>`, `\\g<name>` and `$`; backslashes stay literal."""
    escaped = replacement.replace("\\", "\\\\")

    def convert(m: re.Match[str]) -> str:
        if m.group(3):
            return "$"
        return f"\\g<{m.group(1) or m.group(2)}>"

    return _DOLLAR_GROUP.sub(convert, escaped)


def _padding(fn: str, text: Any, width: Any, fill: Any) -> tuple[str, int, str]:
    if type(text) is int or type(text) is float:
        text = to_text(text)
    text = _want_str(fn, text, "text")
    width = _want_int(fn, width, "width")
    fill = _want_str(fn, fill, "fill")
    if not fill:
        raise FlowError("data", f"{fn}() expects fill to be a non-empty string")
    return text, width, fill


@builtin("upper")
def fl_upper(text: Any) -> str:
    """`upper("abc")` → "ABC"."""
    if type(text) is str:
        return text.upper()
    raise _wrong_type("upper", "a string", text)


@builtin("lower")
def fl_lower(text: Any) -> str:
    """`lower("ABC")` → "abc"."""
    if type(text) is str:
        return text.lower()
    raise _wrong_type("lower", "a string", text)


@builtin("trim")
def fl_trim(text: Any, chars: Any = None) -> str:
    """Whitespace (or any of `chars`) removed from both ends."""
    if chars is None and type(text) is str:
        return text.strip()
    text = _want_str("trim", text)
    if chars is None:
        return text.strip()
    return text.strip(_want_str("trim", chars, "chars"))


@builtin("split")
def fl_split(text: Any, separator: Any = None) -> list[str]:
    """Split on `separator`; without one, on runs of whitespace; "" splits into characters."""
    text = _want_str("split", text)
    if separator is None:
        return text.split()
    separator = _want_str("split", separator, "separator")
    if separator == "":
        return list(text)
    return text.split(separator)


@builtin("join")
def fl_join(items: Any, separator: Any = "") -> str:
    """The items as text (`string()` of each) with `separator` between them."""
    items = _want_list("join", items, "items")
    separator = _want_str("join", separator, "separator")
    return separator.join([x if type(x) is str else to_text(x) for x in items])


@builtin("replace")
def fl_replace(text: Any, old: Any, new: Any) -> str:
    """Every occurrence of `old` replaced by `new` (plain text, not a pattern)."""
    text = _want_str("replace", text, "text")
    old = _want_str("replace", old, "old")
    new = _want_str("replace", new, "new")
    if old == "":
        raise FlowError("data", "replace() expects old to be a non-empty string")
    return text.replace(old, new)


@builtin("starts_with")
def fl_starts_with(text: Any, prefix: Any) -> bool:
    return _want_str("starts_with", text, "text").startswith(
        _want_str("starts_with", prefix, "prefix")
    )


@builtin("ends_with")
def fl_ends_with(text: Any, suffix: Any) -> bool:
    return _want_str("ends_with", text, "text").endswith(_want_str("ends_with", suffix, "suffix"))


@builtin("contains")
def fl_contains(value: Any, item: Any) -> bool:
    """Substring of a string, deep member of a list, or key of an object (like `item in value`)."""
    if isinstance(value, str | list | dict | Stream):
        try:
            return contains(value, item)
        except FlowError as e:
            raise FlowError("data", f"contains() {e.message}") from None
    raise _wrong_type("contains", "a string, a list or an object", value, "value")


@builtin("substring")
def fl_substring(text: Any, start: Any, end: Any = None) -> str:
    """Characters from `start` up to (not including) `end`; negative positions count from the end."""
    text = _want_str("substring", text, "text")
    start = _want_int("substring", start, "start")
    if end is None:
        return text[start:]
    return text[start : _want_int("substring", end, "end")]


@builtin("pad_left")
def fl_pad_left(text: Any, width: Any, fill: Any = " ") -> str:
    """`text` (a string or number) filled on the left up to `width` characters."""
    if type(text) is str and type(width) is int and width < 65536 and fill == " ":
        return text.rjust(width)
    text, width, fill = _padding("pad_left", text, width, fill)
    missing = width - len(text)
    if missing <= 0:
        return text
    return (fill * missing)[:missing] + text


@builtin("pad_right")
def fl_pad_right(text: Any, width: Any, fill: Any = " ") -> str:
    """`text` (a string or number) filled on the right up to `width` characters."""
    if type(text) is str and type(width) is int and width < 65536 and fill == " ":
        return text.ljust(width)
    text, width, fill = _padding("pad_right", text, width, fill)
    missing = width - len(text)
    if missing <= 0:
        return text
    return text + (fill * missing)[:missing]


@builtin("slugify")
def fl_slugify(text: Any) -> str:
    """Lower-case ASCII words joined by "-": accents dropped, anything else a separator."""
    text = _want_str("slugify", text)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _SLUG_JUNK.sub("-", text.lower()).strip("-")


@builtin("matches")
def fl_matches(text: Any, pattern: Any) -> bool:
    """Whether the regular expression `pattern` matches anywhere in `text`."""
    text = _want_str("matches", text, "text")
    return _regex("matches", _want_str("matches", pattern, "pattern")).search(text) is not None


@builtin("regex_replace")
def fl_regex_replace(text: Any, pattern: Any, replacement: Any) -> str:
    """Every match of `pattern` replaced; `$1`/`$<name>` insert groups, `$$` a dollar sign."""
    text = _want_str("regex_replace", text, "text")
    regex = _regex("regex_replace", _want_str("regex_replace", pattern, "pattern"))
    template = _replacement_template(_want_str("regex_replace", replacement, "replacement"))
    try:
        return regex.sub(template, text)
    except (re.error, IndexError) as e:
        raise FlowError(
            "data", f"regex_replace() got a bad replacement {replacement!r}: {e}"
        ) from None


@builtin("length")
def fl_length(value: Any) -> int:
    """Characters of a string, items of a list (a stream is read to the end), keys of an object."""
    if isinstance(value, str | list | dict):
        return len(value)
    if isinstance(value, Stream):
        return sum(1 for _ in value)
    raise FlowError(
        "data", f"length() expects a string, a list or an object, got {type_name(value)}"
    )
