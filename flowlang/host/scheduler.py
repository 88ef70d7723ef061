"""The scheduler of schedule pipes: cron times in a pipe's time zone, fired once per due time by one server.

Cron texts are checked by the checker's own `schedule:` rules (the same messages as `flowlang check`)
and evaluated by `cronsim`, in the pipe's IANA time zone, so a `0 6 * * 1` in Europe/Berlin stays at six
in the morning across daylight-saving changes; a time that does not exist (02:30 on the spring-forward
night) fires at the first minute after the gap, and a repeated hour fires once. Times are kept in UTC.

Each tick reads every schedule pipe from the store, decides with `plan()` (a pure function of the pipe
and the clock) and asks the store to `advance` the pipe: an atomic compare-and-set of `next_run_at`
that also inserts the queued run. Two servers on one database race for the same set; one wins, so a
due time is fired once. Policies per pipe: `overlap` (`skip` a firing while a run of the pipe is queued
or running, or `queue` it) and `missed` (times missed while the server was down or the pipe disabled:
`skip` them, or `run_once` for all of them). A due time seen within `grace` of it is on time.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError

from flowlang.checker.cron import check_cron

log = logging.getLogger("flowlang.host.scheduler")

OVERLAP_POLICIES = ("skip", "queue")
MISSED_POLICIES = ("skip", "run_once")
DEFAULT_GRACE = timedelta(seconds=60)
MACROS = {
    "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
}
_SEARCH_LIMIT = 10_000  # cron times skipped over at most while looking for the next one after a given time


class ScheduleError(ValueError):
    """A cron text or time zone that cannot be used; the message is the one shown to the user (422)."""


# ------------------------------------------------------------------------------------------ clocks


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FileClock:
    """A test clock: the time written (ISO 8601) in a file, read at every tick; the real time without it.

    `flowlang serve` uses it only when its test-only setting names the file, so a test moves a running
    server's scheduler to any moment without waiting for it. A file caught empty or half-written (a test
    rewriting it) gives the last time read, never the real time: a jump of months would skip due times.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._last: datetime | None = None

    def now(self) -> datetime:
        try:
            with open(self.path, encoding="utf-8") as f:
                text = f.read().strip()
        except FileNotFoundError:
            return self._last or datetime.now(UTC)
        except OSError:
            text = ""
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return self._last or datetime.now(UTC)
        self._last = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return self._last


def clock_from_setting(path: str | None) -> Clock:
    return FileClock(path) if path else SystemClock()


# ------------------------------------------------------------------------------------- cron times


def cron_text(expression: str) -> str:
    """The 5-field form of `expression` (macros expanded); ScheduleError with the checker's message."""
    problem = check_cron(expression)
    if problem is not None:
        raise ScheduleError(f"invalid cron expression '{expression}': {problem.message}")
    text = MACROS.get(expression.strip().lower(), expression.strip())
    try:
        CronSim(text, datetime(2000, 1, 1, tzinfo=UTC))
    except CronSimError as exc:  # the checker accepts what no calendar ever matches (31 2 *)
        raise ScheduleError(f"invalid cron expression '{expression}': {exc}") from None
    return text


def time_zone(name: str) -> tzinfo:
    """The IANA time zone `name` (UTC for "UTC"); ScheduleError naming it when unknown."""
    if name.upper() == "UTC":
        return UTC
    try:
        if not name or os.path.isabs(name) or ".." in name:
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(f"unknown time zone '{name}' (use an IANA name such as Europe/Berlin or UTC)") from None


def next_time(expressions: list[str], zone: tzinfo, after: datetime) -> datetime | None:
    """The earliest due time of any expression strictly after `after`, in UTC (None: never again)."""
    found: list[datetime] = []
    for expression in expressions:
        times = CronSim(cron_text(expression), after.astimezone(zone))
        for _ in range(_SEARCH_LIMIT):
            try:
                moment = next(times).astimezone(UTC)
            except StopIteration:
                break
            if moment > after:  # a repeated hour can give back a time just before `after`
                found.append(moment)
                break
    return min(found) if found else None


def last_time(expressions: list[str], zone: tzinfo, until: datetime) -> datetime | None:
    """The latest due time of any expression at or before `until`, in UTC."""
    found: list[datetime] = []
    start = (until + timedelta(seconds=1)).replace(microsecond=0)
    for expression in expressions:
        times = CronSim(cron_text(expression), start.astimezone(zone), reverse=True)
        for _ in range(_SEARCH_LIMIT):
            try:
                moment = next(times).astimezone(UTC)
            except StopIteration:
                break
            if moment <= until:
                found.append(moment)
                break
    return max(found) if found else None


# ------------------------------------------------------------------------------------ the decision


@dataclass(frozen=True)
class ScheduledPipe:
    """What the scheduler needs of a schedule pipe. `active`: the pipe and its flow are enabled; `busy`:
    a run of the pipe is queued or running."""

    id: str
    schedules: list[str]
    timezone: str
    next_run_at: datetime | None
    overlap: str = "skip"
    missed: str = "skip"
    active: bool = True
    busy: bool = False
    project_slug: str = ""  # an engine that schedules pipes itself routes them by project


@dataclass(frozen=True)
class Plan:
    """What to do with a pipe now: the due time to fire a run for (None: none) and the new next_run_at."""

    fire_for: datetime | None
    next_run_at: datetime | None
    reason: str  # for the server log: "due", "missed", "skipped: …", "scheduled"


def plan(pipe: ScheduledPipe, now: datetime, grace: timedelta = DEFAULT_GRACE) -> Plan | None:
    """The step for `pipe` at `now`, or None when nothing changes (not due yet, or inactive)."""
    zone = time_zone(pipe.timezone)
    if pipe.next_run_at is None:
        return Plan(None, next_time(pipe.schedules, zone, now), "scheduled")
    if pipe.next_run_at > now or not pipe.active:
        return None  # an inactive pipe keeps its old due time: enabling it applies the missed policy
    latest = max(last_time(pipe.schedules, zone, now) or pipe.next_run_at, pipe.next_run_at)
    following = next_time(pipe.schedules, zone, now)
    if now - latest > grace:  # every time since next_run_at was missed
        if pipe.missed != "run_once":
            return Plan(None, following, "missed: skipped")
        reason = "missed: run once"
    else:
        reason = "due"
    if pipe.busy and pipe.overlap == "skip":
        return Plan(None, following, "skipped: a run of the pipe is still queued or running")
    return Plan(latest, following, reason)


# ----------------------------------------------------------------------------------- the scheduler


class ScheduleStore(Protocol):
    """The store side of scheduling (the host's database)."""

    def scheduled_pipes(self) -> list[ScheduledPipe]:
        """Every schedule pipe of every project."""

    def advance(self, pipe: ScheduledPipe, next_run_at: datetime | None, fire_for: datetime | None) -> str | None:
        """In one transaction: set the pipe's next_run_at if it is still `pipe.next_run_at`, and queue a run
        for `fire_for` when given. Returns the new run's id; None when nothing was fired (or another server
        advanced the pipe first)."""


class PipeScheduler(Protocol):
    """What fires schedule pipes in a server: the host's `Scheduler`, or an engine's own (Temporal Schedules)."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


class Ticking:
    """Calls `tick()` every `interval` seconds in a daemon thread from `start()` to `stop()`; a tick that
    fails (a database hiccup) is logged and the next one tries again."""

    thread_name = "flowlang-scheduler"

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def tick(self) -> list[str]:
        raise NotImplementedError

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name=self.thread_name, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:
                log.exception("%s: a tick failed", self.thread_name)
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


class Scheduler(Ticking):
    """Ticks every `interval` seconds in a thread; `tick()` alone is what tests drive."""

    def __init__(self, store: ScheduleStore, clock: Clock | None = None, *, interval: float = 1.0,
                 grace: timedelta = DEFAULT_GRACE, on_fire: Callable[[str], None] | None = None) -> None:
        super().__init__(interval)
        self.store = store
        self.clock = clock or SystemClock()
        self.grace = grace
        self.on_fire = on_fire  # told each new run id (the host wakes its dispatcher)

    def tick(self) -> list[str]:
        """One pass over every schedule pipe; returns the ids of the runs this server queued."""
        now = self.clock.now().astimezone(UTC)
        fired: list[str] = []
        for pipe in self.store.scheduled_pipes():
            try:
                step = plan(pipe, now, self.grace)
            except ScheduleError as exc:  # stored before a rule changed: leave it, say why
                log.warning("pipe %s cannot be scheduled: %s", pipe.id, exc)
                continue
            if step is None:
                continue
            run_id = self.store.advance(pipe, step.next_run_at, step.fire_for)
            if step.fire_for is not None or step.reason != "scheduled":
                log.info("pipe %s at %s: %s%s", pipe.id, (step.fire_for or now).isoformat(), step.reason,
                         f" -> run {run_id}" if run_id else "")
            if run_id is not None:
                fired.append(run_id)
                if self.on_fire is not None:
                    self.on_fire(run_id)
        return fired
