"""The background parts of `flowlang serve`: the run service with its executor, and the scheduler.

`start_services` is called once the store is open and before the server listens; `Services.stop()`
when it stops. `DatabaseSchedule` is the scheduler's view of the pipes table: its `advance` is one
compare-and-set of `next_run_at` plus the insert of the queued run, in one write transaction, and a
unique index on (pipe_id, scheduled_for) refuses a second run for a due time: two servers on one
database never fire a schedule twice.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from starlette.applications import Starlette

from flowlang.host.executors import create_executor
from flowlang.host.runs import RunService, insert_run
from flowlang.host.scheduler import (
    Clock,
    PipeScheduler,
    ScheduledPipe,
    Scheduler,
    clock_from_setting,
)
from flowlang.host.settings import Settings
from flowlang.host.store import Store
from flowlang.host.vault import Vault, VaultError

log = logging.getLogger("flowlang.host")


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(text_value: str | None) -> datetime | None:
    return None if not text_value else datetime.fromisoformat(text_value.replace("Z", "+00:00"))


class DatabaseSchedule:
    """The ScheduleStore of the scheduler over the host's database."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def scheduled_pipes(self) -> list[ScheduledPipe]:
        with self.store.read() as conn:
            rows = conn.execute(text(
                "SELECT p.id, p.schedules, p.timezone, p.next_run_at, p.overlap, p.missed, p.enabled, "
                "f.enabled AS flow_enabled, pr.slug, (SELECT COUNT(*) FROM runs r WHERE r.pipe_id = p.id AND "
                "r.status IN ('queued', 'running')) AS active_runs FROM pipes p JOIN flows f ON f.id = p.flow_id "
                "JOIN projects pr ON pr.id = p.project_id WHERE p.trigger = 'schedule'")).fetchall()
        return [ScheduledPipe(id=r.id, schedules=json.loads(r.schedules), timezone=r.timezone,
                              next_run_at=_parse(r.next_run_at), overlap=r.overlap, missed=r.missed,
                              active=bool(r.enabled) and bool(r.flow_enabled), busy=r.active_runs > 0,
                              project_slug=r.slug)
                for r in rows]

    def advance(self, pipe: ScheduledPipe, next_run_at: datetime | None, fire_for: datetime | None) -> str | None:
        try:
            with self.store.write() as conn:
                old = _iso(pipe.next_run_at)
                moved = conn.execute(text(
                    "UPDATE pipes SET next_run_at = :new WHERE id = :id AND "
                    + ("next_run_at IS NULL" if old is None else "next_run_at = :old")),
                    {"new": _iso(next_run_at), "id": pipe.id, "old": old})
                if moved.rowcount != 1 or fire_for is None:
                    return None
                row = conn.execute(text("SELECT project_id, flow_id FROM pipes WHERE id = :id"),
                                   {"id": pipe.id}).one()
                return insert_run(conn, project_id=row.project_id, flow_id=row.flow_id, trigger="schedule",
                                  pipe_id=pipe.id, scheduled_for=_iso(fire_for))
        except IntegrityError:  # another server queued this due time first
            return None


@dataclass
class Services:
    runs: RunService
    scheduler: PipeScheduler
    clock: Clock

    def stop(self) -> None:
        self.scheduler.stop()
        self.runs.stop()


def undecryptable(store: Store, vault: Vault) -> list[str]:
    """The stored secrets (project credentials, webhook tokens) this server's key cannot decrypt."""
    with store.read() as conn:
        sealed = [(f"credential {r.name} of project {r.slug}", r.ciphertext) for r in conn.execute(text(
            "SELECT c.name, c.ciphertext, p.slug FROM credentials c JOIN projects p ON p.id = c.project_id "
            "ORDER BY p.slug, c.name"))]
        sealed += [(f"the token of pipe {r.id}", r.token_ciphertext) for r in conn.execute(text(
            "SELECT id, token_ciphertext FROM pipes WHERE token_ciphertext IS NOT NULL ORDER BY id"))]
    bad = []
    for what, ciphertext in sealed:
        try:
            vault.decrypt(ciphertext, what)
        except VaultError:
            bad.append(what)
    return bad


def warn_undecryptable(store: Store, vault: Vault) -> None:
    """Warn at start when stored secrets were sealed with another key (their runs and deliveries fail)."""
    bad = undecryptable(store, vault)
    if bad:
        shown = ", ".join(bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
        log.warning("%d stored secret(s) cannot be decrypted with the key of %s (was FLOWLANG_SECRET_KEY "
                    "changed?): %s; their runs fail and their webhooks answer 503 until the server has the "
                    "key they were stored with, or they are stored again", len(bad), vault.origin, shown)


def start_services(settings: Settings, store: Store, vault: Vault, app: Starlette | None = None) -> Services:
    """Sweep lost runs, start the executor, the dispatcher and the scheduler (the host's, or the engine's own:
    Temporal Schedules); `app.state` gets the run service and the scheduler's clock (`runs`, `clock`), which
    the pipes and runs endpoints use."""
    runs = RunService(store, vault, create_executor(settings), retention_days=settings.retention_days)
    clock = clock_from_setting(settings.test_clock)
    if app is not None:
        app.state.runs = runs
        app.state.clock = clock
    warn_undecryptable(store, vault)
    runs.start()
    if settings.test_clock:
        log.warning("the scheduler reads its time from %s (a test-only setting)", settings.test_clock)
    scheduler: PipeScheduler = runs.executor.own_scheduler(DatabaseSchedule(store), clock) or Scheduler(
        DatabaseSchedule(store), clock, interval=0.25 if settings.test_clock else 1.0,
        on_fire=lambda run_id: runs.wake())
    scheduler.start()
    return Services(runs, scheduler, clock)
