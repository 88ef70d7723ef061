"""Run logs on stderr: text or JSON lines (secrets masked), success/failure counts, summary, progress bar."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any, TextIO

from flowlang.runtime.errors import FlowError, Where
from flowlang.runtime.masking import mask_secrets
from flowlang.runtime.values import to_text

# The levels of `log LEVEL e`, in order of severity (success/failure also count records).
LOG_LEVELS = ("debug", "info", "warn", "error", "success", "failure")
LOG_FORMATS = ("text", "json")
# `--log-level`: the lowest level shown (success counts as info, failure as warn).
SHOWN_LEVELS = ("debug", "info", "warn", "error")
_RANK = {"debug": 0, "info": 1, "success": 1, "warn": 2, "failure": 2, "error": 3}
_COLOURS = {"debug": "2", "info": "36", "success": "32", "warn": "33", "failure": "31", "error": "1;31"}
KEEP_LINES = 10_000  # log lines of one run stored in its record; the rest are counted

_BAR_WIDTH = 30
_BAR_INTERVAL = 0.1  # seconds between two redraws of the progress bar


def format_location(where: Where, with_column: bool = False) -> str:
    """`file:line` (or `file:line:col`) of a location; empty when unknown."""
    if where is None:
        return ""
    return f"{where[0]}:{where[1]}:{where[2]}" if with_column else f"{where[0]}:{where[1]}"


def collapse_repeats(lines: list[str], keep: int = 3) -> list[str]:
    """Stack lines with long runs of the same frame (deep recursion) cut to `keep` and a count."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and lines[j] == lines[i]:
            j += 1
        out.extend(lines[i : i + min(j - i, keep)])
        if j - i > keep:
            out.append(f"  ... the line above repeated {j - i - keep} more times")
        i = j
    return out


class RunLog:
    """The log of one run: every line is masked, written whole under a lock, and flushed."""

    def __init__(
        self,
        stream: TextIO,
        *,
        fmt: str = "text",
        secrets: Collection[str] = frozenset(),
        interactive: bool | None = None,
        clock: Callable[[], datetime] | None = None,
        level: str = "debug",
        colour: bool = False,
        keep: int = 0,
    ) -> None:
        """`level`: the lowest level written (`--log-level`); `colour`: ANSI colours for the level words
        (only ever asked for a terminal); `keep`: how many lines to keep in `kept` for the run's record."""
        if fmt not in LOG_FORMATS:
            raise ValueError(f"unknown log format {fmt!r} (use text or json)")
        if level not in SHOWN_LEVELS:
            raise ValueError(f"unknown log level {level!r} (use {', '.join(SHOWN_LEVELS)})")
        self.stream = stream
        self.fmt = fmt
        self.secrets = secrets  # shared with the run's Ambient: secrets read later are masked too
        if interactive is None:
            isatty = getattr(stream, "isatty", None)
            interactive = bool(isatty and isatty())
        # A progress bar only makes sense for a person watching text logs.
        self.interactive = interactive and fmt == "text"
        self.threshold = _RANK[level]
        self.colour = colour and fmt == "text"
        self.keep = keep
        self.kept: list[tuple[str, str, str | None, str]] = []  # (time, level, file:line, message)
        self.not_kept = 0
        self.succeeded = 0
        self.failed = 0
        self._clock = clock or (lambda: datetime.now().astimezone())
        self._lock = threading.Lock()
        self._bar = ""  # the progress bar currently drawn ("" when none)
        self._bar_drawn_at = 0.0

    # ------------------------------------------------------------------ lines

    def write(self, level: str, message: str, where: Where = None, **extra: Any) -> None:
        """One log line: `12:00:03 INFO sync.flow:14 message`, or one JSON object."""
        message = mask_secrets(message, self.secrets)
        now = self._clock()
        self._keep(now, level, where, message)
        if _RANK.get(level, 3) < self.threshold:
            return
        if self.fmt == "json":
            obj: dict[str, Any] = {
                "time": now.isoformat(timespec="milliseconds"),
                "level": level,
                "file": where[0] if where else None,
                "line": where[1] if where else None,
                "message": message,
            }
            obj.update(extra)
            line = json.dumps(obj, ensure_ascii=False, default=str)
        else:
            location = format_location(where)
            word = level.upper()
            if self.colour:
                word = f"\x1b[{_COLOURS.get(level, '0')}m{word}\x1b[0m"
            parts = [now.strftime("%H:%M:%S"), word]
            if location:
                parts.append(location)
            parts.append(message)
            line = " ".join(parts)
        self._emit(line)

    def record(self, level: str, value: Any, where: Where = None) -> None:
        """`log LEVEL value`: write it, and count `success`/`failure` records."""
        if level not in LOG_LEVELS:
            raise FlowError(
                "data", f"unknown log level '{level}'", where, hint="use one of " + " ".join(LOG_LEVELS)
            )
        message = to_text(value)
        with self._lock:
            if level == "success":
                self.succeeded += 1
            elif level == "failure":
                self.failed += 1
        self.write(level, message, where)

    def error_report(self, err: FlowError) -> None:
        """The uncaught error that ended a run: `file:line:col: error: message (hint)` and its call stack."""
        if self.fmt == "json":
            extra: dict[str, Any] = {
                "column": err.where[2] if err.where else None,
                "kind": err.kind,
                "hint": mask_secrets(err.hint, self.secrets) if err.hint else None,
                "stack": [mask_secrets(frame, self.secrets) for frame in err.stack],
            }
            if err.status is not None:
                extra["status"] = err.status
            self.write("error", err.message, err.where, **extra)
            return
        lines = [err.render(), *collapse_repeats([f"  in {frame}" for frame in err.stack])]
        text = "\n".join(mask_secrets(line, self.secrets) for line in lines)
        self._keep(self._clock(), "error", err.where, text)
        self._emit(text)

    def plain(self, text: str) -> None:
        """A message that is not a log record (an internal error, a traceback), masked."""
        if self.fmt == "json":
            self.write("error", text)
        else:
            text = mask_secrets(text, self.secrets)
            self._keep(self._clock(), "error", None, text)
            self._emit(text)

    def summary(self, status: str, requests: int, seconds: float) -> None:
        """The closing line: `run finished: 3 succeeded, 1 failed, 12 requests in 0.42s`."""
        counts = (
            f"{self.succeeded} succeeded, {self.failed} failed, "
            f"{requests} request{'' if requests == 1 else 's'} in {seconds:.2f}s"
        )
        level, verb = {
            "ok": ("info", "finished"),
            "failed": ("error", "failed"),
            "interrupted": ("warn", "interrupted"),
        }.get(status, ("info", status))
        self.write(
            level,
            f"run {verb}: {counts}",
            status=status,
            succeeded=self.succeeded,
            failed=self.failed,
            requests=requests,
            seconds=round(seconds, 3),
        )

    def _keep(self, now: datetime, level: str, where: Where, message: str) -> None:
        """Keep a (masked) line for the run's record, up to `keep` lines."""
        if not self.keep:
            return
        with self._lock:
            if len(self.kept) < self.keep:
                self.kept.append((now.isoformat(timespec="milliseconds"), level, format_location(where) or None,
                                  message))
            else:
                self.not_kept += 1

    # --------------------------------------------------------------- progress

    def stream_progress(self, label: str, records: int, pages: int, seconds: float) -> None:
        """`GitHub.list_issues: 1,200 records, 12 pages, 340/s` on a terminal, redrawn at most 10 times a second."""
        if not self.interactive:
            return
        with self._lock:
            now = time.monotonic()
            if self._bar and now - self._bar_drawn_at < _BAR_INTERVAL:
                return
            rate = f", {records / seconds:,.0f}/s" if seconds > 0 else ""
            bar = f"{label}: {records:,} record{'' if records == 1 else 's'}, {pages:,} page{'' if pages == 1 else 's'}{rate}"
            self._bar_drawn_at = now
            self._bar = bar
            self._write_raw("\r\x1b[K" + bar)

    def end_progress(self) -> None:
        """Remove the progress line of a stream that ended."""
        with self._lock:
            self._clear_bar()

    def progress(self, done: int, total: int) -> None:
        """Draw `[#####.....] 50/100` on a terminal; nothing at all when stderr is not a terminal."""
        if not self.interactive or total <= 0:
            return
        with self._lock:
            if done >= total:
                self._clear_bar()
                return
            now = time.monotonic()
            if self._bar and now - self._bar_drawn_at < _BAR_INTERVAL:
                return
            filled = _BAR_WIDTH * done // total
            bar = f"[{'#' * filled}{'.' * (_BAR_WIDTH - filled)}] {done}/{total}"
            self._bar_drawn_at = now
            self._bar = bar
            self._write_raw("\r\x1b[K" + bar)

    def close(self) -> None:
        """Remove a progress bar left on screen."""
        with self._lock:
            self._clear_bar()

    # ---------------------------------------------------------------- helpers

    def _emit(self, line: str) -> None:
        with self._lock:
            if self._bar:
                self._write_raw("\r\x1b[K" + line + "\n" + self._bar)
            else:
                self._write_raw(line + "\n")

    def _clear_bar(self) -> None:
        if self._bar:
            self._bar = ""
            self._write_raw("\r\x1b[K")

    def _write_raw(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed or broken stderr must not fail the run
            pass
