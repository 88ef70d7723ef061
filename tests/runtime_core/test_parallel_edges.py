"""Parallel loops on greenlets at their edges, against real servers: close() and signals during a loop, a run's
context, `+=` of a stream under run.lock, a loop wider than the open-file limit, a recording replayed.

Written by the review of ca022b7 as failing tests; each comment says what went wrong then.
"""

from __future__ import annotations

import contextvars
import io
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from runtime_http.servers import FakeServer, page_handler

from flowlang.runtime.config import build_operation, build_system
from flowlang.runtime.context import Run
from flowlang.runtime.http import HttpClient
from flowlang.runtime.launcher import EXIT_TERMINATED, Terminated, launch
from flowlang.runtime.runlog import RunLog

W = ("review.flow", 1, 1)


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as fake:
        fake.reply("GET", "/slow", json={}, delay=3)
        yield fake


def _client(server: FakeServer) -> HttpClient:
    return HttpClient({"api": build_system("api", {"base_url": server.url},
                                           [build_operation("slow", "GET", "/slow", {})])})


def _run(http: Any = None) -> Run:
    run = Run(flow="review", log=RunLog(io.StringIO()))
    run.http = http
    return run


def _in_thread(job: Callable[[], None]) -> tuple[threading.Thread, list[BaseException]]:
    raised: list[BaseException] = []

    def target() -> None:
        try:
            job()
        except BaseException as exc:
            raised.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, raised


def test_close_ends_every_request_a_parallel_loop_has_in_flight(server: FakeServer) -> None:
    # close() cancels the drive task, which cancels one worker; that worker catches the CancelledError as an
    # iteration failure and returns normally, so drive() goes on awaiting the others' requests (3 s here).
    client = _client(server)
    run = _run(client)
    thread, raised = _in_thread(
        lambda: run.parallel_for(range(4), 4, lambda item: client.request("api", "slow", {}, W), W))
    while len(server.requests) < 4:
        time.sleep(0.01)
    started = time.monotonic()
    client.close()
    thread.join(timeout=10)
    assert time.monotonic() - started < 1.5  # as test_close_ends_requests_still_in_flight for one request
    assert raised


def test_ctrl_c_in_a_worker_does_not_wait_for_the_other_workers_requests(server: FakeServer) -> None:
    # A signal lands in whatever greenlet runs Python code: in a worker, KeyboardInterrupt becomes one more
    # failure, and the loop waits for every request in flight (with retries and backoff) before it raises.
    client = _client(server)
    run = _run(client)

    def body(item: int) -> None:
        if item == 3:
            while len(server.requests) < 3:
                run.wait(0.01, W)
            raise KeyboardInterrupt  # what SIGINT raises when it arrives while this iteration computes
        client.request("api", "slow", {}, W)

    started = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            run.parallel_for(range(8), 4, body, W)
        assert time.monotonic() - started < 1.5  # threads: at once; now: when the 3 s requests end
    finally:
        client.close()


def test_sigterm_in_a_worker_exits_143_not_130(tmp_path: Path) -> None:
    # Terminated in item 2 cancels the run; items 0 and 1 then raise RunCancelled from their `wait`, and
    # parallel_for raises the earliest failure, RunCancelled: the launcher reports Ctrl-C (130) for a SIGTERM.
    class NoHttp:
        def __init__(self, systems: object, **options: object) -> None: ...
        def close(self) -> None: ...

    def flow(run: Run) -> None:
        def one(item: int) -> None:
            if item == 2:
                raise Terminated()  # what the SIGTERM handler raises when the signal lands in this worker
            run.wait(60, W)

        run.parallel_for(range(10), 4, one, W)

    code = launch(file="review.flow", flow_name="review", slug="review", build_systems=dict, body=flow,
                  state_path=str(tmp_path / "state.db"), make_http=NoHttp, stderr=io.StringIO())
    assert code == EXIT_TERMINATED


def test_a_run_leaves_nothing_in_its_threads_context() -> None:
    # Run._stack is a ContextVar made per Run and set in the caller's context: a host worker thread keeps one
    # more variable (and its frame list) for every run it ever executed.
    before = len(contextvars.copy_context())
    for _ in range(50):
        run = _run()
        run.enter_flow("review")
        run.exit_call()
    assert len(contextvars.copy_context()) == before


DEADLOCK_FLOW = """\
system api {
  base_url: env("API_URL")
  GET items "/items" {
    items: "data"
    paginate: page(param: "page")
  }
}

flow gather {
  all = []
  for i in range(0, 4) parallel 4 {
    all += each api.items()
  }
  return length(all)
}
"""


@pytest.mark.parametrize("engine", ["interpreter", "compiled"])
def test_a_stream_added_to_an_outer_list_in_a_parallel_loop_does_not_hang(tmp_path: Path, engine: str) -> None:
    # `all += each …` extends the list under run.lock (a threading.Lock), reading the stream's pages there: the
    # first worker suspends holding the lock, the second blocks the thread on it, and the loop never runs again.
    # With threads (ca022b7^) this prints 20.
    flow = tmp_path / "gather.flow"
    flow.write_text(DEADLOCK_FLOW, encoding="utf-8")
    flowlang = [sys.executable, "-m", "flowlang"]
    if engine == "interpreter":
        command = [*flowlang, "run", flow.name, "--state", "s.db"]
    else:
        subprocess.run([*flowlang, "compile", flow.name, "-o", "gather.py"], cwd=tmp_path, check=True,
                       capture_output=True)
        command = [sys.executable, "gather.py", "--state", "s.db"]
    with FakeServer() as server:
        server.route("GET", "/items", page_handler(list(range(5)), per_page=2))
        env = {**os.environ, "API_URL": server.url}
        try:
            done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=15)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{engine}: the run hung (deadlock on run.lock)")
    assert (done.returncode, done.stdout.strip()) == (0, "20"), done.stderr


MANY_FLOW = """\
system api {
  base_url: env("API_URL")
  GET slow "/slow"
}

flow many {
  total = 0
  for n in range(0, 300) parallel 300 {
    r = call api.slow()
    total += r.body.n
  }
  return total
}
"""


def test_a_wide_parallel_loop_fits_in_256_open_files(tmp_path: Path) -> None:
    # ca022b7 dropped the pool's cap of 64 connections (max_connections=None): `parallel 300` now opens 300
    # sockets at once, past macOS's default of 256 open files, and fails with "All connection attempts
    # failed". With the cap (ca022b7^) the same run succeeds, 64 requests at a time.
    import resource

    (tmp_path / "many.flow").write_text(MANY_FLOW, encoding="utf-8")

    def limit_open_files() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))

    with FakeServer() as server:
        server.reply("GET", "/slow", json={"n": 1}, delay=1.0)
        done = subprocess.run([sys.executable, "-m", "flowlang", "run", "many.flow", "--state", "s.db"],
                              cwd=tmp_path, env={**os.environ, "API_URL": server.url}, capture_output=True,
                              text=True, timeout=60, preexec_fn=limit_open_files)
    assert (done.returncode, done.stdout.strip()) == (0, "300"), done.stderr[-400:]


def test_a_recording_of_a_parallel_loop_replays() -> None:
    # Pre-existing, now deterministic: the Recorder writes an exchange down when its response arrives (item 0,
    # slow, last), while a replay answers at once in the order the workers send (item 0 first) and compares
    # strictly in order. Recording at send time would make both orders the workers' order.
    from runtime_http.servers import Reply

    from flowlang.testing.cassettes import Recorder, Replay, ReplayTransport

    def loop(client: HttpClient) -> None:
        _run(client).parallel_for(range(4), 4, lambda n: client.request("api", "get", {"query": {"n": n}}, W), W)

    with FakeServer() as server:
        server.route("GET", "/get", lambda req: Reply(json={}, delay=0.3 if req.arg("n") == "0" else 0.0))
        systems = {"api": build_system("api", {"base_url": server.url}, [build_operation("get", "GET", "/get", {})])}
        recorder = Recorder()
        with HttpClient(systems, transport=recorder) as client:
            loop(client)
    replay = ReplayTransport(Replay("parallel.cassette.json", recorder.interactions))
    with HttpClient(systems, transport=replay) as client:
        loop(client)
    assert replay.problems == []


def test_ctrl_c_in_a_workers_coroutine_on_the_loop_stops_the_loop_at_once(server: FakeServer) -> None:
    # The loop's greenlet runs the workers' coroutines (httpx, _execute, on_request): a signal landing there
    # reaches run_worker's `await`, which throws it into the worker (cooperative.py:39), and the loop then
    # waits for the other requests in flight, as above.
    fired: list[bool] = []

    def on_request(method: str, url: str, status: int | None, elapsed: float) -> None:
        if url.endswith("/fast") and not fired:
            fired.append(True)
            raise KeyboardInterrupt  # what SIGINT raises when it arrives while the loop runs this coroutine

    server.reply("GET", "/fast", json={})
    operations = [build_operation("slow", "GET", "/slow", {}), build_operation("fast", "GET", "/fast", {})]
    with HttpClient({"api": build_system("api", {"base_url": server.url}, operations)}, on_request=on_request) as client:
        run = _run(client)
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            run.parallel_for(range(4), 4, lambda n: client.request("api", "fast" if n == 3 else "slow", {}, W), W)
        assert time.monotonic() - started < 1.5  # now: when the three 3 s requests end
