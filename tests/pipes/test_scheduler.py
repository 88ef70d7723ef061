"""Schedules: cron in a pipe's time zone across DST, the missed and overlap policies, one firing per due time."""

from __future__ import annotations

import threading
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from flowlang.host.scheduler import (
    FileClock,
    Plan,
    ScheduledPipe,
    ScheduleError,
    Scheduler,
    cron_text,
    next_time,
    plan,
    time_zone,
)

BERLIN = time_zone("Europe/Berlin")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_cron_text_uses_the_checkers_messages_and_expands_macros() -> None:
    assert cron_text("@daily") == "0 0 * * *"
    assert cron_text(" */15 * * * * ") == "*/15 * * * *"
    with pytest.raises(ScheduleError, match=r"invalid cron expression '61 \* \* \* \*': minute 61 is out of range 0-59"):
        cron_text("61 * * * *")
    with pytest.raises(ScheduleError, match="5 fields"):
        cron_text("* * *")
    with pytest.raises(ScheduleError, match="Bad day-of-month"):
        cron_text("0 0 31 2 *")  # no February has a 31st


def test_unknown_time_zones_are_refused() -> None:
    assert time_zone("UTC") is UTC
    for bad in ("Mars/Olympus", "../etc/passwd", ""):
        with pytest.raises(ScheduleError, match="unknown time zone"):
            time_zone(bad)


def test_a_local_morning_schedule_stays_local_across_daylight_saving() -> None:
    before = next_time(["0 6 * * 1"], BERLIN, utc("2026-03-20T00:00"))  # Monday 23 March, CET (+1)
    after = next_time(["0 6 * * 1"], BERLIN, utc("2026-03-27T00:00"))  # Monday 30 March, CEST (+2)
    assert (before, after) == (utc("2026-03-23T05:00"), utc("2026-03-30T04:00"))


def test_a_time_in_the_spring_gap_fires_once_after_it() -> None:
    first = next_time(["30 2 * * *"], BERLIN, utc("2026-03-28T12:00"))
    assert first == utc("2026-03-29T01:00")  # 02:30 does not exist that night: 03:00 CEST
    assert next_time(["30 2 * * *"], BERLIN, first) == utc("2026-03-30T00:30")


def test_a_time_in_the_repeated_autumn_hour_fires_once() -> None:
    first = next_time(["30 2 * * *"], BERLIN, utc("2026-10-24T12:00"))
    assert first == utc("2026-10-25T00:30")  # the first 02:30 (CEST)
    for later in (first, utc("2026-10-25T01:10")):  # also from inside the second 02:xx hour (CET)
        assert next_time(["30 2 * * *"], BERLIN, later) == utc("2026-10-26T01:30")


def test_every_quarter_hour_is_every_quarter_hour_of_real_time_across_both_changes() -> None:
    for start in ("2026-03-28T23:50", "2026-10-24T23:50"):
        moment = utc(start)
        gaps = []
        for _ in range(16):
            following = next_time(["*/15 * * * *"], BERLIN, moment)
            assert following is not None
            gaps.append(following - moment)
            moment = following
        assert set(gaps[1:]) == {timedelta(minutes=15)}


def test_several_schedules_give_the_earliest_next_time() -> None:
    assert next_time(["0 6 * * *", "*/20 * * * *"], UTC, utc("2026-01-01T05:41")) == utc("2026-01-01T06:00")
    assert next_time(["0 6 * * *", "*/20 * * * *"], UTC, utc("2026-01-01T06:00")) == utc("2026-01-01T06:20")


def pipe(next_run_at: str | None, **changes: object) -> ScheduledPipe:
    base = ScheduledPipe(id="p1", schedules=["*/15 * * * *"], timezone="UTC",
                         next_run_at=utc(next_run_at) if next_run_at else None)
    return replace(base, **changes)  # type: ignore[arg-type]


def test_a_new_pipe_gets_its_next_run_at_without_firing() -> None:
    assert plan(pipe(None), utc("2026-01-01T10:07")) == Plan(None, utc("2026-01-01T10:15"), "scheduled")


def test_nothing_happens_before_the_due_time_or_while_the_pipe_is_inactive() -> None:
    assert plan(pipe("2026-01-01T10:15"), utc("2026-01-01T10:14:59")) is None
    assert plan(pipe("2026-01-01T10:15", active=False), utc("2026-01-01T12:00")) is None


def test_a_due_time_fires_once_and_moves_to_the_next() -> None:
    assert plan(pipe("2026-01-01T10:15"), utc("2026-01-01T10:15:00.4")) == \
        Plan(utc("2026-01-01T10:15"), utc("2026-01-01T10:30"), "due")


def test_missed_times_are_skipped_by_default_or_run_once() -> None:
    down_until = utc("2026-01-01T13:07")  # the server was down from 10:10 to 13:07
    assert plan(pipe("2026-01-01T10:15"), down_until) == Plan(None, utc("2026-01-01T13:15"), "missed: skipped")
    assert plan(pipe("2026-01-01T10:15", missed="run_once"), down_until) == \
        Plan(utc("2026-01-01T13:00"), utc("2026-01-01T13:15"), "missed: run once")


def test_overlap_skip_drops_a_firing_while_a_run_is_going_and_queue_keeps_it() -> None:
    now = utc("2026-01-01T10:15:01")
    skipped = plan(pipe("2026-01-01T10:15", busy=True), now)
    assert skipped is not None and skipped.fire_for is None and skipped.next_run_at == utc("2026-01-01T10:30")
    queued = plan(pipe("2026-01-01T10:15", busy=True, overlap="queue"), now)
    assert queued is not None and queued.fire_for == utc("2026-01-01T10:15")


def test_the_file_clock_reads_the_time_written_in_its_file(tmp_path) -> None:
    path = tmp_path / "clock"
    clock = FileClock(str(path))
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)  # no file: the real time
    path.write_text("2026-03-29T00:59:59Z")
    assert clock.now() == utc("2026-03-29T00:59:59")


def test_the_file_clock_keeps_its_last_time_while_the_file_is_being_rewritten(tmp_path) -> None:
    path = tmp_path / "clock"
    clock = FileClock(str(path))
    path.write_text("2026-10-25T01:00:30Z")
    assert clock.now() == utc("2026-10-25T01:00:30")
    path.write_text("")  # caught between truncate and write: not the real time, months later
    assert clock.now() == utc("2026-10-25T01:00:30")
    path.write_text("2026-10-2")
    assert clock.now() == utc("2026-10-25T01:00:30")
    path.write_text("2026-10-25T01:30:30Z")
    assert clock.now() == utc("2026-10-25T01:30:30")


class MemoryStore:
    """A ScheduleStore with the same compare-and-set as the database's, for the scheduler's unit tests."""

    def __init__(self, pipes: list[ScheduledPipe]) -> None:
        self.pipes = {p.id: p for p in pipes}
        self.runs: list[tuple[str, datetime]] = []
        self.lock = threading.Lock()

    def scheduled_pipes(self) -> list[ScheduledPipe]:
        with self.lock:
            return list(self.pipes.values())

    def advance(self, pipe: ScheduledPipe, next_run_at: datetime | None, fire_for: datetime | None) -> str | None:
        with self.lock:
            if self.pipes[pipe.id].next_run_at != pipe.next_run_at:
                return None
            self.pipes[pipe.id] = replace(pipe, next_run_at=next_run_at)
            if fire_for is None:
                return None
            self.runs.append((pipe.id, fire_for))
            return uuid.uuid4().hex


class SetClock:
    def __init__(self, now: datetime) -> None:
        self.moment = now

    def now(self) -> datetime:
        return self.moment


def test_two_schedulers_on_one_store_fire_each_due_time_once() -> None:
    store = MemoryStore([pipe(None, id=f"p{i}", schedules=["* * * * *"]) for i in range(5)])
    clock = SetClock(utc("2026-01-01T10:00:30"))
    a, b = Scheduler(store, clock), Scheduler(store, clock)
    a.tick()
    fired: list[str] = []
    for minute in range(1, 11):
        clock.moment = utc("2026-01-01T10:00:30") + timedelta(minutes=minute)
        threads = [threading.Thread(target=lambda s=s: fired.extend(s.tick())) for s in (a, b, a, b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(fired) == 50 == len(store.runs) == len(set(store.runs))
