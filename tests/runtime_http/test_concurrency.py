"""One client per run: shared by threads, rate limited across them, reporting every request, closable."""

from __future__ import annotations

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


def test_close_is_idempotent_and_stops_the_loop_thread(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("GET", "/c", json={})
    client = make_client(server.url, [op("c", "GET", "/c")])
    client.request("api", "c", {})
    loop_thread = client._background.thread
    assert loop_thread is not None and loop_thread.is_alive()
    client.close()
    client.close()
    assert not loop_thread.is_alive()
    with pytest.raises(RuntimeError):
        client.request("api", "c", {})


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
