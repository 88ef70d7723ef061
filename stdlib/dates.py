"""Date builtins: ISO 8601 strings in and out, time zones (zoneinfo), durations and differences."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flowlang.stdlib.common import _want_str
from flowlang.stdlib.registry import builtin

from flowlang.runtime.ambient import current
from flowlang.runtime.errors import FlowError, suggest
from flowlang.runtime.values import type_name

_OFFSET_NAME = re.compile(r"([+-])(\d\d):?(\d\d)")
_COMPACT_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")
_COMPACT_DURATION = re.compile(r"(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+")
_ISO_DURATION = re.compile(
    r"P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?"
)
_UNIT_SECONDS = (("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400), ("w", 604800))
# date_diff units: name -> microseconds
_DIFF_UNITS = (
    ("milliseconds", 1_000),
    ("seconds", 1_000_000),
    ("minutes", 60_000_000),
    ("hours", 3_600_000_000),
    ("days", 86_400_000_000),
    ("weeks", 604_800_000_000),
)


@lru_cache(maxsize=128)
def _zone(fn: str, name: str) -> tzinfo:
    """A time zone by IANA name ("Europe/Berlin"), "UTC", or a fixed offset ("+02:00")."""
    if name in ("UTC", "Z", "utc"):
        return UTC
    offset = _OFFSET_NAME.fullmatch(name)
    if offset:
        sign, hours, minutes = offset.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes))
        return timezone(-delta if sign == "-" else delta)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise FlowError(
            "data",
            f"{fn}() got an unknown time zone {name!r}",
            hint='use an IANA name such as "Europe/Berlin", "UTC" or an offset "+02:00"',
        ) from None


def _local(dt: datetime, zone: tzinfo) -> datetime:
    """Attach `zone` to a naive local time; a time skipped by DST moves forward past the gap."""
    aware = dt.replace(tzinfo=zone)
    if isinstance(zone, ZoneInfo):
        aware = aware.astimezone(UTC).astimezone(zone)
    return aware


def _instant(fn: str, value: Any, tz: Any = None, param: str = "date") -> datetime:
    """An aware datetime from an ISO 8601 string (naive → `tz`, default UTC) or Unix seconds."""
    if type(value) is str:
        try:
            dt = datetime.fromisoformat(value.strip())
        except ValueError:
            raise FlowError("data", f"{fn}() cannot read {value!r} as an ISO 8601 date") from None
        if dt.tzinfo is None:
            zone = UTC if tz is None else _zone(fn, _want_str(fn, tz, "tz"))
            dt = _local(dt, zone)
        return dt
    if type(value) is int or type(value) is float:
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            raise FlowError("data", f"{fn}() got a timestamp out of range: {value!r}") from None
    raise FlowError(
        "data",
        f"{fn}() expects {param} to be an ISO 8601 string or Unix seconds, got {type_name(value)}",
    )


def _iso(dt: datetime) -> str:
    """ISO 8601 with the fraction only when there is one, and "Z" for UTC."""
    if dt.microsecond == 0:
        text = dt.isoformat(timespec="seconds")
    elif dt.microsecond % 1000 == 0:
        text = dt.isoformat(timespec="milliseconds")
    else:
        text = dt.isoformat(timespec="microseconds")
    if text.endswith("+00:00"):
        return text[:-6] + "Z"
    return text


@lru_cache(maxsize=256)
def _duration_seconds(text: str) -> float | None:
    """Seconds in "90s", "1h30m", "-2d", "250ms" or ISO 8601 "PT1H30M"; None when unreadable."""
    sign = -1 if text.startswith("-") else 1
    body = text.lstrip("+-") if text[:1] in "+-" else text
    if _COMPACT_DURATION.fullmatch(body):
        units = dict(_UNIT_SECONDS)
        return sign * sum(float(n) * units[u] for n, u in _COMPACT_PART.findall(body))
    iso = _ISO_DURATION.fullmatch(body)
    if iso and body not in ("P", "PT") and not body.endswith("T"):
        weeks, days, hours, minutes, seconds = (float(g) if g else 0.0 for g in iso.groups())
        return sign * (weeks * 604800 + days * 86400 + hours * 3600 + minutes * 60 + seconds)
    return None


def _now() -> datetime:
    fixed = current().fixed_now
    if fixed is not None:
        return fixed.replace(tzinfo=UTC) if fixed.tzinfo is None else fixed.astimezone(UTC)
    real = current().clock.utcnow()
    return real.replace(microsecond=real.microsecond // 1000 * 1000)


@builtin("now")
def fl_now() -> str:
    """The current time in UTC to the millisecond (FLOWLANG_NOW fixes it)."""
    return _iso(_now())


@builtin("today")
def fl_today(tz: Any = None) -> str:
    """Today's date "YYYY-MM-DD" in `tz` (default UTC)."""
    now = _now()
    if tz is not None:
        now = now.astimezone(_zone("today", _want_str("today", tz, "tz")))
    return now.date().isoformat()


@builtin("parse_date")
def fl_parse_date(text: Any, pattern: Any = None, tz: Any = None) -> str:
    """A date as a normalised ISO 8601 string; `pattern` (strftime codes) reads other layouts; times
    without an offset are in `tz` (default UTC); a number is Unix seconds."""
    if pattern is None:
        return _iso(_instant("parse_date", text, tz, "text"))
    text = _want_str("parse_date", text, "text")
    pattern = _want_str("parse_date", pattern, "pattern")
    try:
        dt = datetime.strptime(text.strip(), pattern)
    except ValueError:
        raise FlowError(
            "data", f"parse_date() cannot read {text!r} with the pattern {pattern!r}"
        ) from None
    if dt.tzinfo is None:
        zone = UTC if tz is None else _zone("parse_date", _want_str("parse_date", tz, "tz"))
        dt = _local(dt, zone)
    return _iso(dt)


@builtin("format_date")
def fl_format_date(date: Any, pattern: Any, tz: Any = None) -> str:
    """`date` written with strftime `pattern` ("%d.%m.%Y %H:%M"), in `tz` when given, else in its own offset."""
    dt = _instant("format_date", date)
    pattern = _want_str("format_date", pattern, "pattern")
    if tz is not None:
        dt = dt.astimezone(_zone("format_date", _want_str("format_date", tz, "tz")))
    return dt.strftime(pattern)


@builtin("to_timezone")
def fl_to_timezone(date: Any, tz: Any) -> str:
    """The same instant as an ISO 8601 string with the offset that `tz` has then (DST-aware)."""
    dt = _instant("to_timezone", date)
    return _iso(dt.astimezone(_zone("to_timezone", _want_str("to_timezone", tz, "tz"))))


@builtin("add_duration")
def fl_add_duration(date: Any, duration: Any) -> str:
    """`date` moved by `duration` (seconds, or text such as "1h30m", "-2d", "PT15M"), keeping its offset."""
    dt = _instant("add_duration", date)
    if type(duration) is int or type(duration) is float:
        seconds: float = duration
    elif type(duration) is str:
        parsed = _duration_seconds(duration.strip())
        if parsed is None:
            raise FlowError(
                "data",
                f"add_duration() cannot read {duration!r} as a duration",
                hint='write seconds (3600) or text like "1h30m", "-2d", "250ms", "PT15M"',
            )
        seconds = parsed
    else:
        raise FlowError(
            "data",
            f"add_duration() expects duration to be a number or a string, got {type_name(duration)}",
        )
    try:
        return _iso(dt + timedelta(seconds=seconds))
    except OverflowError:
        raise FlowError("data", "add_duration() went past the year 9999") from None


@builtin("date_diff")
def fl_date_diff(start: Any, end: Any, unit: Any = "seconds") -> int | float:
    """Elapsed time from `start` to `end` in `unit` (negative when `end` is earlier); whole numbers as ints."""
    a = _instant("date_diff", start, param="start")
    b = _instant("date_diff", end, param="end")
    unit = _want_str("date_diff", unit, "unit")
    names = dict(_DIFF_UNITS)
    per_unit = names.get(unit) or names.get(unit + "s")
    if per_unit is None:
        close = suggest(unit, names)
        raise FlowError(
            "data",
            f"date_diff() got an unknown unit {unit!r}",
            hint=f"did you mean {close!r}?" if close else "units: " + ", ".join(names),
        )
    delta = b - a
    micros = (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
    if micros % per_unit == 0:
        return micros // per_unit
    return micros / per_unit
