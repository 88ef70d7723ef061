"""Issue 13 on Temporal: schedule pipes are Temporal Schedules, a restarted serve adopts the runs in flight,
and a project can have a task queue of its own.

One host (SQLite) on the session's dev server, with two workers on its task queue and one on the task queue
of the project `routed-…` (`--project-task-queue`), serves the whole module. Schedules are fired at once
through Temporal's own API (`trigger`), so no test waits for a cron minute.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from host.flows import create, publish
from host.harness import HostServer, Tenant, start_server
from temporal.workers import Workers, temporal_workers

temporalio = pytest.importorskip("temporalio", reason="the Temporal engine needs temporalio: pip install -e '.[temporal]'")

from temporalio.client import Client, ScheduleOverlapPolicy  # noqa: E402
from temporalio.service import RPCError, RPCStatusCode  # noqa: E402

DOC = Path(__file__).resolve().parents[2] / "docs" / "scale-out.md"
(EXAMPLE,) = [json.loads(block) for block in re.findall(r"```json\n(.*?)```", DOC.read_text(), re.S)]
ZONE = ZoneInfo(EXAMPLE["data"]["timezone"])
ROUTED = f"routed-{uuid.uuid4().hex[:6]}"


@dataclass
class Host:
    """The module's served host on the Temporal engine, restartable on its database."""

    directory: Path
    db: str
    args: tuple[str, ...]
    env: dict[str, str]
    address: str
    queue: str
    routed_queue: str
    server: HostServer | None = None
    stack: ExitStack = field(default_factory=ExitStack)

    def start(self) -> HostServer:
        self.server = self.stack.enter_context(start_server(self.directory, self.db, args=self.args, env=self.env))
        return self.server

    def restart(self) -> HostServer:
        self.stack.close()
        self.stack = ExitStack()
        return self.start()

    def temporal(self, call: Callable[[Client], Any]) -> Any:
        """`call(client)` awaited on a client of the dev server (the default namespace)."""
        async def run() -> Any:
            return await call(await Client.connect(self.address))
        return asyncio.run(run())


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Host]:
    directory = tmp_path_factory.mktemp("temporal-schedules")
    with temporal_workers(directory, None, workers=2) as (args, env, workers):
        routed = Workers(directory, workers.db, workers.address, workers.queue + "-routed", workers.env)
        routed.start()
        env = {**env, "FLOWLANG_TEST_CLOCK": str(directory / "clock")}  # the real time until the last test
        host = Host(directory, workers.db, (*args, "--project-task-queue", f"{ROUTED}={routed.queue}"), env,
                    workers.address, workers.queue, routed.queue)
        try:
            host.start()
            yield host
        finally:
            host.stack.close()
            routed.stop()


def until(check: Callable[[], Any], timeout: float = 30, what: str = "the condition") -> Any:
    """Poll `check` until it gives a true value (returned), failing after `timeout` seconds (as tests/pipes)."""
    deadline = time.monotonic() + timeout
    while not (value := check()):
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout}s"
        time.sleep(0.1)
    return value


def flow(tenant: Tenant, body: str) -> dict[str, Any]:
    made = create(tenant, enabled=True, source=f"flow job {{\n{body}\n}}\n")
    publish(tenant, made["id"])
    return made


def pipe(tenant: Tenant, flow_id: str, **fields: Any) -> dict[str, Any]:
    done = tenant.http.post("/v2/pipes", json={"data": {"type": "pipe", "flow_id": flow_id, **fields}})
    assert done.status_code == 201, done.text
    return dict(done.json()["data"])


def change(tenant: Tenant, pipe_id: str, **fields: Any) -> None:
    done = tenant.http.put(f"/v2/pipes/{pipe_id}", json={"data": {"type": "pipe", "id": pipe_id, **fields}})
    assert done.status_code == 200, done.text


def runs_of(tenant: Tenant, pipe_id: str) -> list[dict[str, Any]]:
    answer = tenant.http.get("/v2/runs", params={"filter": f"eq(pipe_id,{pipe_id})", "page[limit]": 100})
    assert answer.status_code == 200, answer.text
    return list(answer.json()["data"])


def ended(client: httpx.Client, run_id: str, timeout: float = 60) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        run = client.get(f"/v2/runs/{run_id}").json()["data"]
        return None if run["status"] in ("queued", "running") else dict(run)
    return dict(until(check, timeout, f"the end of run {run_id}"))


def described(host: Host, pipe_id: str) -> Any:
    """The pipe's Temporal Schedule as Temporal describes it (None while there is none)."""
    async def describe(client: Client) -> Any:
        try:
            return await client.get_schedule_handle(f"flowlang-pipe-{pipe_id}").describe()
        except RPCError as exc:
            if exc.status == RPCStatusCode.NOT_FOUND:
                return None
            raise
    return host.temporal(describe)


def trigger(host: Host, pipe_id: str) -> None:
    async def fire(client: Client) -> None:
        await client.get_schedule_handle(f"flowlang-pipe-{pipe_id}").trigger()
    host.temporal(fire)


def test_a_schedule_pipe_is_a_temporal_schedule_created_updated_paused_and_deleted_with_it(host: Host) -> None:
    assert host.server is not None
    tenant = host.server.tenant()
    made = flow(tenant, '  return 1')
    fields = {k: v for k, v in EXAMPLE["data"].items() if k != "type"}  # the pipe of docs/scale-out.md
    data = pipe(tenant, made["id"], **fields)
    schedule = until(lambda: described(host, data["id"]), what="the pipe's Temporal Schedule")
    assert schedule.schedule.policy.overlap == ScheduleOverlapPolicy.BUFFER_ALL
    assert schedule.schedule.policy.catchup_window == timedelta(days=365)
    assert schedule.schedule.spec.time_zone_name == "Europe/Berlin"
    assert not schedule.schedule.state.paused
    first = schedule.info.next_action_times[0].astimezone(ZONE)
    assert (first.weekday(), first.hour, first.minute) == (0, 6, 0)  # Monday six o'clock in Berlin, not UTC
    assert data["next_run_at"] == first.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    change(tenant, data["id"], overlap="skip", missed="skip", schedules=["30 7 * * *"], timezone="UTC")
    schedule = until(lambda: (s := described(host, data["id"])) and s.schedule.spec.time_zone_name == "UTC" and s,
                     what="the updated Schedule")
    assert schedule.schedule.policy.overlap == ScheduleOverlapPolicy.SKIP
    assert schedule.schedule.policy.catchup_window == timedelta(seconds=60)
    assert [(t.hour, t.minute) for t in schedule.info.next_action_times[:1]] == [(7, 30)]

    change(tenant, data["id"], enabled=False)
    until(lambda: described(host, data["id"]).schedule.state.paused, what="the pause")
    change(tenant, data["id"], enabled=True)
    until(lambda: not described(host, data["id"]).schedule.state.paused, what="the unpause")
    flow_off = tenant.http.put(f"/v2/flows/{made['id']}", json={"data": {"type": "flow", "id": made["id"],
                                                                         "enabled": False}})
    assert flow_off.status_code == 200, flow_off.text
    until(lambda: described(host, data["id"]).schedule.state.paused, what="the pause of a disabled flow")

    assert tenant.http.delete(f"/v2/pipes/{data['id']}").status_code == 204
    until(lambda: described(host, data["id"]) is None, what="the Schedule's deletion")


def test_a_firing_of_the_schedule_records_its_run_as_the_host_scheduler_does(host: Host) -> None:
    assert host.server is not None
    tenant = host.server.tenant()
    made = flow(tenant, '  log success "one"\n  log success "two"\n  log failure "three"\n  return "done"')
    data = pipe(tenant, made["id"], trigger="schedule", schedules=["0 0 1 1 *"])
    until(lambda: described(host, data["id"]), what="the pipe's Temporal Schedule")
    trigger(host, data["id"])
    [run] = until(lambda: runs_of(tenant, data["id"]), timeout=60, what="the run of the firing")
    run = ended(tenant.http, run["id"])
    assert (run["status"], run["trigger"], run["result"]) == ("ok", "schedule", "done"), (run, host.server.log())
    assert (run["succeeded"], run["failed"], run["version"]) == (2, 1, 1)
    stamps = run["meta"]["timestamps"]
    assert run["scheduled_for"] and stamps["started_at"] and stamps["ended_at"]
    messages = [line["message"] for line in tenant.http.get(f"/v2/runs/{run['id']}/logs").json()["data"]]
    assert messages[:3] == ["one", "two", "three"], messages
    assert "run finished" in messages[-1]


def test_overlap_skip_drops_a_firing_while_the_pipes_run_goes_on(host: Host) -> None:
    assert host.server is not None
    tenant = host.server.tenant()
    made = flow(tenant, '  wait 3s\n  return 1')
    data = pipe(tenant, made["id"], trigger="schedule", schedules=["0 0 1 1 *"], overlap="skip")
    until(lambda: described(host, data["id"]), what="the pipe's Temporal Schedule")
    trigger(host, data["id"])
    [run] = until(lambda: runs_of(tenant, data["id"]), timeout=60, what="the run of the first firing")
    trigger(host, data["id"])  # while the first run waits its 3 s: skipped
    assert ended(tenant.http, run["id"])["status"] == "ok"
    time.sleep(1)
    assert len(runs_of(tenant, data["id"])) == 1


def test_a_restarted_serve_follows_the_run_in_flight_and_it_ends_ok(host: Host) -> None:
    assert host.server is not None
    tenant = host.server.tenant()
    made = flow(tenant, '  wait 4s\n  log success "after the restart"\n  return "finished"')
    data = pipe(tenant, made["id"], trigger="webhook")
    answer = httpx.post(data["listener_url"], json={}, headers={"Authorization": f"Bearer {data['token']}"})
    assert answer.status_code == 202, answer.text
    run_id = answer.json()["data"]["id"]
    until(lambda: tenant.http.get(f"/v2/runs/{run_id}").json()["data"]["status"] == "running", what="the start")
    server = host.restart()  # SIGTERM mid-run, then a new serve on the same database
    run = ended(server.client(tenant.token), run_id)
    assert (run["status"], run["result"], run["succeeded"]) == ("ok", "finished", 1), (run["error"], server.log())


def test_a_project_with_a_task_queue_of_its_own_runs_on_its_workers(host: Host) -> None:
    assert host.server is not None
    queues = {}
    for slug in (ROUTED, None):
        tenant = host.server.tenant(slug)
        made = flow(tenant, '  return 7')
        data = pipe(tenant, made["id"], trigger="webhook")
        answer = httpx.post(data["listener_url"], json={}, headers={"Authorization": f"Bearer {data['token']}"})
        run_id = answer.json()["data"]["id"]
        assert ended(tenant.http, run_id)["status"] == "ok"

        async def queue_of(client: Client, run_id: str = run_id) -> str:
            return str((await client.get_workflow_handle(run_id).describe()).task_queue)
        queues[slug] = host.temporal(queue_of)
    assert queues == {ROUTED: host.routed_queue, None: host.queue}


def test_enabling_a_run_once_pipe_backfills_the_latest_time_it_missed_while_disabled(host: Host) -> None:
    """Last of the module: it moves the host's test clock (the pipe's next_run_at and missed times follow it)."""
    assert host.server is not None
    clock = host.directory / "clock"
    clock.write_text("2027-01-05T00:00:30Z")
    tenant = host.server.tenant()
    made = flow(tenant, '  return 1')
    data = pipe(tenant, made["id"], trigger="schedule", schedules=["*/15 * * * *"], missed="run_once", enabled=False)
    assert data["next_run_at"] == "2027-01-05T00:15:00Z"
    until(lambda: (s := described(host, data["id"])) and s.schedule.state.paused, what="the paused Schedule")
    clock.write_text("2027-01-05T00:50:00Z")  # 00:15, 00:30 and 00:45 pass while the pipe is disabled
    change(tenant, data["id"], enabled=True)
    [run] = until(lambda: runs_of(tenant, data["id"]), timeout=60, what="the backfilled run")
    assert run["scheduled_for"] == "2027-01-05T00:45:00Z"  # once, for the latest of them
    assert ended(tenant.http, run["id"])["status"] == "ok"
    until(lambda: tenant.http.get(f"/v2/pipes/{data['id']}").json()["data"]["next_run_at"] == "2027-01-05T01:00:00Z",
          what="next_run_at moving on")
    time.sleep(1)
    assert len(runs_of(tenant, data["id"])) == 1
