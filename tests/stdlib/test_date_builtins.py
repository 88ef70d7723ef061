"""Date builtins: the fixed clock, ISO 8601 parsing, time zones across DST, durations, differences."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flowlang.stdlib import load_all

from flowlang.runtime.ambient import Ambient, activate, deactivate
from flowlang.runtime.errors import FlowError

BUILTINS = load_all()


def call(name: str, *args: Any, **named: Any) -> Any:
    return BUILTINS[name].fn(*args, **named)


def test_now_is_the_fixed_clock() -> None:
    assert call("now") == "2026-11-23T12:00:00Z"


def test_now_converts_a_fixed_clock_with_an_offset_to_utc() -> None:
    token = activate(Ambient.from_env({"FLOWLANG_NOW": "2026-11-23T12:00:00+01:00"}))
    try:
        assert call("now") == "2026-11-23T11:00:00Z"
    finally:
        deactivate(token)


def test_now_without_a_fixed_clock_is_utc_to_the_millisecond() -> None:
    token = activate(Ambient.from_env({}))
    try:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z", call("now"))
    finally:
        deactivate(token)


def test_today_is_the_date_in_utc_or_in_a_zone() -> None:
    assert call("today") == "2026-11-23"
    assert call("today", "Pacific/Kiritimati") == "2026-11-24"  # UTC+14


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-23T12:00:00Z", "2026-11-23T12:00:00Z"),
        ("2026-11-23T12:00:00+00:00", "2026-11-23T12:00:00Z"),
        ("2026-11-23T12:00:00.5+01:00", "2026-11-23T12:00:00.500+01:00"),
        ("2026-11-23T12:00:00.123456Z", "2026-11-23T12:00:00.123456Z"),
        ("2026-11-23", "2026-11-23T00:00:00Z"),
        ("2026-11-23 08:30", "2026-11-23T08:30:00Z"),
        ("20261123T083000Z", "2026-11-23T08:30:00Z"),
    ],
)
def test_parse_date_normalises_iso_8601(text: str, expected: str) -> None:
    assert call("parse_date", text) == expected


def test_parse_date_reads_a_local_time_in_the_given_zone() -> None:
    assert call("parse_date", "2026-07-01 09:00", tz="Europe/Berlin") == "2026-07-01T09:00:00+02:00"
    assert call("parse_date", "2026-12-01 09:00", tz="Europe/Berlin") == "2026-12-01T09:00:00+01:00"


def test_parse_date_keeps_an_explicit_offset_over_the_zone() -> None:
    assert call("parse_date", "2026-07-01T09:00:00Z", tz="Europe/Berlin") == "2026-07-01T09:00:00Z"


def test_parse_date_moves_a_time_skipped_by_dst_past_the_gap() -> None:
    # 02:30 does not exist in Berlin on 2026-03-29: clocks jump from 02:00 to 03:00.
    assert call("parse_date", "2026-03-29 02:30", tz="Europe/Berlin") == "2026-03-29T03:30:00+02:00"


def test_parse_date_takes_the_first_of_a_repeated_dst_time() -> None:
    # 02:30 happens twice in Berlin on 2026-10-25: first at +02:00, then at +01:00.
    assert call("parse_date", "2026-10-25 02:30", tz="Europe/Berlin") == "2026-10-25T02:30:00+02:00"


def test_parse_date_with_a_pattern() -> None:
    result = call("parse_date", "23.11.2026 14:05", "%d.%m.%Y %H:%M", "America/New_York")
    assert result == "2026-11-23T14:05:00-05:00"


def test_parse_date_with_a_pattern_that_has_an_offset() -> None:
    assert (
        call("parse_date", "2026/11/23 10:00 +0530", "%Y/%m/%d %H:%M %z")
        == "2026-11-23T10:00:00+05:30"
    )


def test_parse_date_of_unix_seconds() -> None:
    assert call("parse_date", 1700000000) == "2023-11-14T22:13:20Z"
    assert call("parse_date", 0.25) == "1970-01-01T00:00:00.250Z"


@pytest.mark.parametrize("text", ["yesterday", "2026-13-01", "23.11.2026", ""])
def test_parse_date_rejects_what_is_not_iso_8601(text: str) -> None:
    with pytest.raises(FlowError, match="ISO 8601") as caught:
        call("parse_date", text)
    assert caught.value.kind == "data"


def test_parse_date_with_a_pattern_that_does_not_fit() -> None:
    with pytest.raises(FlowError, match="with the pattern"):
        call("parse_date", "2026-11-23", "%d.%m.%Y")


def test_dates_must_be_text_or_numbers() -> None:
    with pytest.raises(FlowError, match=r"format_date\(\) expects date to be an ISO 8601 string"):
        call("format_date", None, "%Y")


def test_format_date_uses_strftime_codes() -> None:
    assert call("format_date", "2026-11-23T08:05:09Z", "%d.%m.%Y %H:%M:%S") == "23.11.2026 08:05:09"
    assert (
        call("format_date", "2026-11-23", "%A %d %B %Y, day %j")
        == "Monday 23 November 2026, day 327"
    )


def test_format_date_in_a_zone_follows_dst() -> None:
    assert (
        call("format_date", "2026-07-01T12:00:00Z", "%H:%M %Z %z", "Europe/Berlin")
        == "14:00 CEST +0200"
    )
    assert (
        call("format_date", "2026-12-01T12:00:00Z", "%H:%M %Z %z", "Europe/Berlin")
        == "13:00 CET +0100"
    )


def test_format_date_without_a_zone_keeps_the_dates_own_offset() -> None:
    assert call("format_date", "2026-11-23T12:00:00-05:00", "%H:%M") == "12:00"


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        ("2026-03-29T00:59:59Z", "2026-03-29T01:59:59+01:00"),
        ("2026-03-29T01:00:00Z", "2026-03-29T03:00:00+02:00"),
        ("2026-10-25T00:30:00Z", "2026-10-25T02:30:00+02:00"),
        ("2026-10-25T01:30:00Z", "2026-10-25T02:30:00+01:00"),
    ],
)
def test_to_timezone_across_the_dst_changes(instant: str, expected: str) -> None:
    assert call("to_timezone", instant, "Europe/Berlin") == expected


def test_to_timezone_accepts_utc_and_fixed_offsets() -> None:
    assert call("to_timezone", "2026-11-23T12:00:00+01:00", "UTC") == "2026-11-23T11:00:00Z"
    assert call("to_timezone", "2026-11-23T12:00:00Z", "-03:30") == "2026-11-23T08:30:00-03:30"


def test_unknown_time_zone_is_a_data_error_with_a_hint() -> None:
    with pytest.raises(FlowError, match="unknown time zone 'Europe/Berlim'") as caught:
        call("to_timezone", "2026-11-23T12:00:00Z", "Europe/Berlim")
    assert caught.value.kind == "data"
    assert caught.value.hint is not None


@pytest.mark.parametrize(
    ("duration", "expected"),
    [
        (90, "2026-11-23T12:01:30Z"),
        (-0.5, "2026-11-23T11:59:59.500Z"),
        ("1h30m", "2026-11-23T13:30:00Z"),
        ("-2d", "2026-11-21T12:00:00Z"),
        ("250ms", "2026-11-23T12:00:00.250Z"),
        ("1w", "2026-11-30T12:00:00Z"),
        ("PT15M", "2026-11-23T12:15:00Z"),
        ("P1DT2H", "2026-11-24T14:00:00Z"),
        ("-PT1H", "2026-11-23T11:00:00Z"),
    ],
)
def test_add_duration(duration: Any, expected: str) -> None:
    assert call("add_duration", "2026-11-23T12:00:00Z", duration) == expected


def test_add_duration_is_elapsed_time_and_keeps_the_offset_across_dst() -> None:
    # One day of elapsed time after 2026-03-28 12:00 in Berlin (+01:00) ends at 13:00 local (+02:00).
    moved = call("add_duration", "2026-03-28T12:00:00+01:00", "1d")
    assert moved == "2026-03-29T12:00:00+01:00"
    assert call("to_timezone", moved, "Europe/Berlin") == "2026-03-29T13:00:00+02:00"


@pytest.mark.parametrize("duration", ["P1M", "P1Y", "1x", "", "PT", "h"])
def test_add_duration_rejects_what_is_not_a_duration(duration: str) -> None:
    with pytest.raises(FlowError, match="as a duration"):
        call("add_duration", "2026-11-23T12:00:00Z", duration)


def test_add_duration_past_year_9999_is_an_error() -> None:
    with pytest.raises(FlowError, match="9999"):
        call("add_duration", "9999-12-31T00:00:00Z", "2d")


@pytest.mark.parametrize(
    ("start", "end", "unit", "expected"),
    [
        ("2026-01-01", "2026-01-02T12:00:00Z", "days", 1.5),
        ("2026-01-01", "2026-01-08", "week", 1),
        ("2026-01-02", "2026-01-01", "hours", -24),
        ("2026-01-01T00:00:00Z", "2026-01-01T00:00:01.5Z", "milliseconds", 1500),
        ("2026-01-01T00:00:00+01:00", "2026-01-01T00:00:00Z", "minutes", 60),
    ],
)
def test_date_diff(start: str, end: str, unit: str, expected: float) -> None:
    result = call("date_diff", start, end, unit)
    assert result == expected
    assert type(result) is type(expected)


def test_date_diff_defaults_to_seconds() -> None:
    assert call("date_diff", "2026-01-01T00:00:00Z", "2026-01-01T00:01:00Z") == 60


def test_date_diff_across_a_dst_change_counts_elapsed_hours() -> None:
    start = call("parse_date", "2026-03-29 00:00", tz="Europe/Berlin")
    end = call("parse_date", "2026-03-30 00:00", tz="Europe/Berlin")
    assert call("date_diff", start, end, "hours") == 23


def test_date_diff_unknown_unit_suggests_a_close_one() -> None:
    with pytest.raises(FlowError, match="unknown unit 'dais'") as caught:
        call("date_diff", "2026-01-01", "2026-01-02", "dais")
    assert caught.value.hint == "did you mean 'days'?"
