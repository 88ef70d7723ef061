"""Throughput of HttpClient from worker threads vs a hand-written httpx.AsyncClient script (POSTs to uvicorn).

    python -m tests.runtime_http.bench_client [REQUESTS] [CONCURRENCY] [ROUNDS]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx

from flowlang.runtime.config import build_operation, build_system
from flowlang.runtime.http import HttpClient

from .servers import UvicornProcess

Measure = tuple[float, float]  # (requests per second, client CPU microseconds per request)


def _measure(run: Callable[[], None], requests: int) -> Measure:
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return requests / wall, cpu / requests * 1e6


def hand_written(url: str, requests: int, concurrency: int) -> Measure:
    """The script a developer would write: one AsyncClient, `concurrency` worker tasks."""

    async def main() -> None:
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)  # as HttpClient
        async with httpx.AsyncClient(limits=limits) as client:
            queue = iter(range(requests))

            async def worker() -> None:
                for n in queue:
                    response = await client.post(f"{url}/records", json={"id": n, "name": f"record {n}"})
                    response.raise_for_status()
                    response.json()

            await asyncio.gather(*(worker() for _ in range(concurrency)))

    return _measure(lambda: asyncio.run(main()), requests)


def flowlang_client(url: str, requests: int, concurrency: int) -> Measure:
    """HttpClient.request called from `concurrency` threads, as a parallel loop does."""
    system = build_system("sink", {"base_url": url}, [build_operation("create", "POST", "/records")])

    def run() -> None:
        with HttpClient({"sink": system}) as client, ThreadPoolExecutor(concurrency) as pool:
            def one(n: int) -> None:
                client.request("sink", "create", {"body": {"id": n, "name": f"record {n}"}})

            list(pool.map(one, range(requests)))

    return _measure(run, requests)


def compare(requests: int = 10_000, concurrency: int = 32, rounds: int = 3) -> tuple[Measure, Measure]:
    """Medians for (hand-written, HttpClient), runs interleaved, server in a child process."""
    hand: list[Measure] = []
    ours: list[Measure] = []
    with UvicornProcess() as server:
        for _ in range(rounds):
            hand.append(hand_written(server.url, requests, concurrency))
            ours.append(flowlang_client(server.url, requests, concurrency))

    def median(runs: list[Measure]) -> Measure:
        return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)

    return median(hand), median(ours)


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    (hand_rps, hand_cpu), (our_rps, our_cpu) = compare(*args)
    print(f"hand-written httpx.AsyncClient: {hand_rps:8.0f} req/s  {hand_cpu:6.0f} µs CPU/request")
    print(f"flowlang HttpClient (threads):  {our_rps:8.0f} req/s  {our_cpu:6.0f} µs CPU/request"
          f"  ({our_rps / hand_rps:.2f}x req/s)")
