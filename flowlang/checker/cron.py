"""Validation of 5-field cron expressions (`schedule:`): ranges, lists, steps, month and weekday names."""

from __future__ import annotations

import re
from dataclasses import dataclass

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
MACROS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")


@dataclass(frozen=True)
class Field:
    """One field of a cron expression and its range."""
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()
    name_base: int = 0  # the number of the first name (jan = 1, sun = 0)


FIELDS = (
    Field("minute", 0, 59),
    Field("hour", 0, 23),
    Field("day of month", 1, 31),
    Field("month", 1, 12, MONTHS, 1),
    Field("day of week", 0, 7, WEEKDAYS, 0),
)


@dataclass(frozen=True)
class CronProblem:
    """What is wrong, and where in the expression (0-based offset and length)."""

    message: str
    offset: int
    length: int


def _value(text: str, spec: Field) -> int | str:
    """The number of a field value, or an error message."""
    lowered = text.lower()
    if lowered in spec.names:
        return spec.names.index(lowered) + spec.name_base
    if not text.isdigit():
        if spec.names:
            return f"'{text}' is not a number or a {spec.name} name ({', '.join(spec.names[:3])} …)"
        return f"'{text}' is not a number"
    number = int(text)
    if not spec.low <= number <= spec.high:
        return f"{spec.name} {number} is out of range {spec.low}-{spec.high}"
    return number


def _check_item(item: str, spec: Field) -> str | None:
    """One comma-separated item: `*`, `*/n`, `a`, `a-b`, `a-b/n` or `a/n`."""
    if not item:
        return f"empty item in the {spec.name} field"
    base, slash, step = item.partition("/")
    if slash:
        if not step.isdigit() or int(step) == 0:
            return f"step '{step}' in the {spec.name} field must be a positive number"
        if int(step) > spec.high:
            return f"step {step} is larger than the {spec.name} range {spec.low}-{spec.high}"
    if base == "*":
        return None
    low_text, dash, high_text = base.partition("-")
    low = _value(low_text, spec)
    if isinstance(low, str):
        return low
    if dash:
        high = _value(high_text, spec)
        if isinstance(high, str):
            return high
        if high < low:
            return f"range {base} in the {spec.name} field runs backwards"
    return None


def check_cron(expression: str) -> CronProblem | None:
    """None when `expression` is a valid 5-field cron expression (or a macro such as @daily)."""
    stripped = expression.strip()
    if stripped.startswith("@"):
        if stripped.lower() in MACROS:
            return None
        return CronProblem(f"unknown cron macro '{stripped}' (use {', '.join(MACROS)})", 0, len(expression))
    fields = [(m.group(), m.start()) for m in re.finditer(r"\S+", expression)]  # (text, offset)
    if len(fields) != 5:
        return CronProblem(
            f"a cron expression has 5 fields (minute hour day-of-month month day-of-week), found {len(fields)}",
            0, len(expression),
        )
    for (text, start), spec in zip(fields, FIELDS, strict=True):
        position = start
        for item in text.split(","):
            problem = _check_item(item, spec)
            if problem is not None:
                return CronProblem(problem, position, max(1, len(item)))
            position += len(item) + 1
    return None
