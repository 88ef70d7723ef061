"""One client per run: shared by threads, rate limited across them, reporting every request, closable."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from .conftest import MakeClient, op
from .servers import FakeServer, Reply


def test_requests_from_many_threads_all_get_their_own_answer(server: FakeServer, make_client: MakeClient) -> None:
    server.route("POST", "/echo", lambda req: Reply(json=req.json()))
    client = make_client(server.url, [op("echo", "POST", "/echo")])
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda n: client.request("api", "echo", {"body": {"n": n}})["body"], range(200)))
    assert results == [{"n": n} for n in range(200)]


def test_requests_from_threads_run_concurrently(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("GET", "/slow", json={}, delay=0.3)
    client = make_client(server.url, [op("slow", "GET", "/slow")])
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: client.request("api", "slow", {}), range(8)))
    assert server.max_in_flight >= 4


@pytest.mark.parametrize("threads", [1, 4])
def test_rate_limit_spaces_requests_across_threads(server: FakeServer, make_client: MakeClient, threads: int) -> None:
    server.reply("GET", "/c", json={})
    client = make_client(server.url, [op("c", "GET", "/c")], rate_limit=20)
    started = time.monotonic()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda _: client.request("api", "c", {}), range(6)))
    assert time.monotonic() - started >= (6 - 1) / 20
    assert len(server.requests) == 6


def test_rate_limits_are_per_system(server: FakeServer) -> None:
    from flowlang.runtime.config import build_system
    from flowlang.runtime.http import HttpClient

    server.reply("GET", "/c", json={})
    slow = build_system("slow", {"base_url": server.url, "rate_limit": 1}, [op("c", "GET", "/c")])
    fast = build_system("fast", {"base_url": server.url}, [op("c", "GET", "/c")])
    with HttpClient({"slow": slow, "fast": fast}) as client:
        client.request("slow", "c", {})
        started = time.monotonic()
        for _ in range(5):
            client.request("fast", "c", {})
        assert time.monotonic() - started < 2.5  # a shared limit would make it 5 s


def test_on_request_sees_every_attempt(server: FakeServer, make_client: MakeClient) -> None:
    seen: list[tuple[str, str, int | None]] = []
    server.sequence("GET", "/c", [Reply(503), Reply(json={})])
    client = make_client(server.url, [op("c", "GET", "/c")], retry=1,
                         on_request=lambda method, url, status, elapsed: seen.append((method, url, status)))
    client.request("api", "c", {"query": {"q": 1}})
    assert seen == [("GET", f"{server.url}/c?q=1", 503), ("GET", f"{server.url}/c?q=1", 200)]


def _open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


def _settled_open_files(expected: int) -> int:
    """Open files once the test server's threads (in this process) have closed their side (<= 2 s)."""
    deadline = time.monotonic() + 2
    while _open_files() > expected and time.monotonic() < deadline:
        time.sleep(0.02)
    return _open_files()


needs_proc = pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts open files in /proc/self/fd (Linux)")


@needs_proc
def test_close_is_idempotent_and_closes_every_loop_and_connection(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("GET", "/c", json={}, delay=0.05)
    client = make_client(server.url, [op("c", "GET", "/c")])
    before = _open_files()
    with ThreadPoolExecutor(4) as pool:  # four loops at once, each with its connection
        list(pool.map(lambda _: client.request("api", "c", {}), range(8)))
    assert _open_files() >= before + 4  # a loop: its selector, its wake-up socket pair, its connection
    client.close()
    client.close()
    assert _settled_open_files(before) <= before  # (a file another test left open may close meanwhile)
    with pytest.raises(RuntimeError, match="closed"):
        client.request("api", "c", {})


def test_loops_and_connections_are_reused_by_the_next_threads(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("GET", "/c", json={})
    client = make_client(server.url, [op("c", "GET", "/c")])
    for _ in range(10):  # new threads every round, as in a host's runs one after the other
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda _: client.request("api", "c", {}), range(16)))
    assert len(server.requests) == 160
    assert server.connections <= 8  # at most one loop per thread asking at once, each keeping its connection


def test_a_thread_that_runs_an_event_loop_can_still_call(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("GET", "/c", json={"ok": 1})
    client = make_client(server.url, [op("c", "GET", "/c")])

    async def inside_a_loop() -> object:
        body = client.request("api", "c", {})["body"]
        client.close()  # its loops are shut from another thread: this one's loop is running
        return body

    assert asyncio.run(inside_a_loop()) == {"ok": 1}
    with pytest.raises(RuntimeError, match="closed"):
        client.request("api", "c", {})


def test_a_pool_lends_at_most_its_limit_of_loops_at_once() -> None:
    from flowlang.runtime.background import Lane, LoopPool, make_async_client

    pool = LoopPool(make_async_client, limit=2)
    now = [0]
    most = [0]
    lock = threading.Lock()

    async def work(lane: Lane) -> int:
        with lock:
            now[0] += 1
            most[0] = max(most[0], now[0])
        await asyncio.sleep(0.05)
        with lock:
            now[0] -= 1
        return 7

    with ThreadPoolExecutor(6) as threads:
        assert list(threads.map(lambda _: pool.run(work), range(6))) == [7] * 6
    pool.close()
    assert most[0] == 2


def test_a_client_that_made_no_request_starts_no_thread(make_client: MakeClient) -> None:
    before = {t.ident for t in threading.enumerate()}
    make_client("http://127.0.0.1:1", [op("c", "GET", "/c")])
    assert {t.ident for t in threading.enumerate()} == before


def test_close_ends_requests_still_in_flight(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("GET", "/slow", json={}, delay=3)
    client = make_client(server.url, [op("slow", "GET", "/slow")])
    outcome: list[BaseException] = []

    def call() -> None:
        try:
            client.request("api", "slow", {})
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=call)
    thread.start()
    while not server.requests:
        time.sleep(0.01)
    started = time.monotonic()
    client.close()
    thread.join(timeout=5)
    assert time.monotonic() - started < 2
    assert [type(exc).__name__ for exc in outcome] == ["CancelledError"]
