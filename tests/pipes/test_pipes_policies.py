"""Schedule pipes' policies and life end to end, on a real `flowlang serve` and its test clock: overlap
(`skip`, `queue`), missed times (`skip`, `run_once`) while the pipe was disabled or the clock jumped, and a
schedule edited, disabled and deleted while the scheduler runs.

Each test lives on a day of its own and deletes its pipe at the end, so the session's one server (per engine
and store, the `executor` fixture) never fires one test's pipe in another.
"""

from __future__ import annotations

from typing import Any

from host.harness import HostServer, Tenant
from served import published, runs_of, schedule, set_clock, until, wait_run

FIRES_ON_THE_TEST_CLOCK = True  # skipped on engines with schedules of their own (engines.OWN_SCHEDULES)

SLOW = 'flow slow {\n  wait 4s\n  return "done"\n}\n'
QUICK = "flow quick {\n  return 1\n}\n"


def _day(executor: HostServer, day: str) -> Tenant:
    """A new tenant on the test's own day: the clock at `day` 00:00:30, before its first quarter hour."""
    set_clock(executor, f"{day}T00:00:30Z")
    return executor.tenant()


def _first_running(tenant: Tenant, pipe_id: str) -> dict[str, Any]:
    """The pipe's first run, once it is running."""
    first = until(lambda: runs_of(tenant.http, pipe_id), what="the pipe's first run")[0]
    until(lambda: tenant.http.get(f"/v2/runs/{first['id']}").json()["data"]["status"] == "running")
    return dict(first)


def _pipe(tenant: Tenant, pipe_id: str) -> dict[str, Any]:
    return dict(tenant.http.get(f"/v2/pipes/{pipe_id}").json()["data"])


def _put(tenant: Tenant, pipe_id: str, **fields: Any) -> dict[str, Any]:
    done = tenant.http.put(f"/v2/pipes/{pipe_id}", json={"data": {"type": "pipe", **fields}})
    assert done.status_code == 200, done.text
    return dict(done.json()["data"])


def _due_times(tenant: Tenant, pipe_id: str) -> list[str]:
    return sorted(r["scheduled_for"] for r in runs_of(tenant.http, pipe_id))


def _moved_to(tenant: Tenant, pipe_id: str, next_run_at: str) -> bool:
    return _pipe(tenant, pipe_id)["next_run_at"] == next_run_at


def _settled(tenant: Tenant, pipe_id: str, count: int) -> list[dict[str, Any]]:
    """The pipe's runs once there are `count` of them and all have ended."""
    def ended() -> list[dict[str, Any]] | None:
        runs = runs_of(tenant.http, pipe_id)
        return runs if len(runs) == count and all(r["status"] not in ("queued", "running") for r in runs) else None
    return list(until(ended, 30, f"{count} ended runs"))


def _delete(tenant: Tenant, pipe_id: str) -> None:
    assert tenant.http.delete(f"/v2/pipes/{pipe_id}").status_code == 204


def test_overlap_skip_drops_a_due_time_while_the_pipes_run_goes_on(executor) -> None:
    tenant = _day(executor, "2027-01-01")
    pipe = schedule(tenant, published(tenant, SLOW)["id"], ["*/15 * * * *"])  # overlap: skip by default
    assert (pipe["overlap"], pipe["next_run_at"]) == ("skip", "2027-01-01T00:15:00Z")
    set_clock(executor, "2027-01-01T00:15:01Z")
    first = _first_running(tenant, pipe["id"])
    set_clock(executor, "2027-01-01T00:30:01Z")  # due while the 00:15 run still waits its 4 s
    until(lambda: _moved_to(tenant, pipe["id"], "2027-01-01T00:45:00Z"), what="the skip of 00:30")
    assert tenant.http.get(f"/v2/runs/{first['id']}").json()["data"]["status"] == "running"
    assert wait_run(tenant, first["id"])["status"] == "ok"
    set_clock(executor, "2027-01-01T00:45:01Z")
    _settled(tenant, pipe["id"], 2)
    assert _due_times(tenant, pipe["id"]) == ["2027-01-01T00:15:00Z", "2027-01-01T00:45:00Z"]
    _delete(tenant, pipe["id"])


def test_overlap_queue_runs_the_due_time_after_the_run_in_progress(executor) -> None:
    tenant = _day(executor, "2027-01-02")
    pipe = schedule(tenant, published(tenant, SLOW)["id"], ["*/15 * * * *"], overlap="queue")
    set_clock(executor, "2027-01-02T00:15:01Z")
    _first_running(tenant, pipe["id"])
    set_clock(executor, "2027-01-02T00:30:01Z")
    runs = _settled(tenant, pipe["id"], 2)
    assert _due_times(tenant, pipe["id"]) == ["2027-01-02T00:15:00Z", "2027-01-02T00:30:00Z"]
    earlier, later = sorted(runs, key=lambda r: r["scheduled_for"])
    assert all(r["status"] == "ok" for r in runs)
    assert later["meta"]["timestamps"]["started_at"] >= earlier["meta"]["timestamps"]["ended_at"]  # one at a time
    _delete(tenant, pipe["id"])


def test_missed_skip_fires_nothing_for_times_the_clock_jumped_over(executor) -> None:
    tenant = _day(executor, "2027-01-03")
    pipe = schedule(tenant, published(tenant, QUICK)["id"], ["*/15 * * * *"])  # missed: skip by default
    assert pipe["missed"] == "skip"
    set_clock(executor, "2027-01-03T02:10:00Z")  # as after two hours down: 00:15 … 02:00 were missed
    until(lambda: _moved_to(tenant, pipe["id"], "2027-01-03T02:15:00Z"), what="the skip of the missed times")
    assert runs_of(tenant.http, pipe["id"]) == []
    set_clock(executor, "2027-01-03T02:15:01Z")
    _settled(tenant, pipe["id"], 1)
    assert _due_times(tenant, pipe["id"]) == ["2027-01-03T02:15:00Z"]
    _delete(tenant, pipe["id"])


def test_missed_run_once_fires_one_run_for_all_the_missed_times(executor) -> None:
    tenant = _day(executor, "2027-01-04")
    pipe = schedule(tenant, published(tenant, QUICK)["id"], ["*/15 * * * *"], missed="run_once")
    set_clock(executor, "2027-01-04T02:10:00Z")
    until(lambda: _moved_to(tenant, pipe["id"], "2027-01-04T02:15:00Z"), what="the catch-up")
    _settled(tenant, pipe["id"], 1)
    assert _due_times(tenant, pipe["id"]) == ["2027-01-04T02:00:00Z"]  # once, for the latest missed time
    _delete(tenant, pipe["id"])


def test_a_disabled_pipe_fires_nothing_and_on_enabling_its_missed_policy_applies(executor) -> None:
    tenant = _day(executor, "2027-01-05")
    flow = published(tenant, QUICK)
    skipping = schedule(tenant, flow["id"], ["*/15 * * * *"])
    catching_up = schedule(tenant, flow["id"], ["*/15 * * * *"], missed="run_once")
    witness = schedule(tenant, flow["id"], ["*/15 * * * *"])  # enabled: shows when the scheduler has ticked
    for pipe in (skipping, catching_up):
        assert _put(tenant, pipe["id"], enabled=False)["enabled"] is False
    set_clock(executor, "2027-01-05T00:50:00Z")  # 00:15, 00:30 and 00:45 pass while both are disabled
    until(lambda: _moved_to(tenant, witness["id"], "2027-01-05T01:00:00Z"), what="a tick on 00:50")
    assert _pipe(tenant, skipping["id"])["next_run_at"] == "2027-01-05T00:15:00Z"  # kept while disabled
    assert runs_of(tenant.http, skipping["id"]) == runs_of(tenant.http, catching_up["id"]) == []
    for pipe in (skipping, catching_up):
        _put(tenant, pipe["id"], enabled=True)
    until(lambda: _moved_to(tenant, skipping["id"], "2027-01-05T01:00:00Z"), what="the skip on enabling")
    until(lambda: _moved_to(tenant, catching_up["id"], "2027-01-05T01:00:00Z"), what="the catch-up on enabling")
    _settled(tenant, catching_up["id"], 1)
    assert _due_times(tenant, catching_up["id"]) == ["2027-01-05T00:45:00Z"]
    assert runs_of(tenant.http, skipping["id"]) == []
    for pipe in (skipping, catching_up, witness):
        _delete(tenant, pipe["id"])


def test_an_edited_schedule_is_followed_at_once(executor) -> None:
    tenant = _day(executor, "2027-01-06")
    pipe = schedule(tenant, published(tenant, QUICK)["id"], ["0 * * * *"])
    assert pipe["next_run_at"] == "2027-01-06T01:00:00Z"
    edited = _put(tenant, pipe["id"], schedules=["*/10 * * * *"])
    assert edited["next_run_at"] == "2027-01-06T00:10:00Z"  # in the answer to the PUT itself
    moved = _put(tenant, pipe["id"], timezone="Asia/Kolkata", schedules=["45 5 * * *"])  # 05:45 IST = 00:15 UTC
    assert (moved["timezone"], moved["next_run_at"]) == ("Asia/Kolkata", "2027-01-06T00:15:00Z")
    set_clock(executor, "2027-01-06T00:15:01Z")  # past 00:10 of the */10 it had for a moment
    _settled(tenant, pipe["id"], 1)
    assert _due_times(tenant, pipe["id"]) == ["2027-01-06T00:15:00Z"]
    assert _pipe(tenant, pipe["id"])["next_run_at"] == "2027-01-07T00:15:00Z"
    _delete(tenant, pipe["id"])


def test_a_deleted_pipe_never_fires_again(executor) -> None:
    tenant = _day(executor, "2027-01-07")
    flow = published(tenant, QUICK)
    gone, kept = (schedule(tenant, flow["id"], ["*/15 * * * *"]) for _ in range(2))
    set_clock(executor, "2027-01-07T00:15:01Z")
    _settled(tenant, gone["id"], 1)
    _settled(tenant, kept["id"], 1)
    _delete(tenant, gone["id"])
    assert tenant.http.get(f"/v2/pipes/{gone['id']}").status_code == 404
    set_clock(executor, "2027-01-07T00:30:01Z")
    _settled(tenant, kept["id"], 2)  # the scheduler ticked on 00:30: the deleted pipe had its chance
    assert _due_times(tenant, gone["id"]) == ["2027-01-07T00:15:00Z"]  # its past run stays in the history
    _delete(tenant, kept["id"])
