"""Benchmark 2: 10,000 POSTs with `parallel 32` (both engines) against a hand-written httpx script."""

from __future__ import annotations

import asyncio
import json
import statistics
import urllib.request
from collections.abc import Callable
from typing import Any

from bench import gen_orders, http_hand
from bench.common import (
    BENCH,
    Table,
    compiled_runner,
    environment,
    interpreter_runner,
    out_dir,
    timed,
    verdict,
)
from bench.servers import BenchServer

FLOW = BENCH / "http_sync.flow"
TARGET = 0.8  # requests/s of each engine, relative to the hand-written script


def _posts(url: str) -> int:
    with urllib.request.urlopen(url + "/count", timeout=10) as response:
        return int(json.load(response)["posts"])


def interleaved_posts(url: str, runners: list[tuple[str, Callable[[], Any]]], repeat: int, records: int) -> list[float]:
    """`repeat` rounds of every runner in turn; each must return {"sent": records} and the server must have
    counted exactly `records` more POSTs. The seconds of the "hand" runs (the engines time themselves)."""
    hand: list[float] = []
    for _ in range(repeat):
        for name, runner in runners:
            before = _posts(url)
            run_times, result = timed(runner, 1)
            received = _posts(url) - before
            if result != {"sent": records} or received != records:
                raise AssertionError(f"{name}: returned {result}, server received {received} of {records}")
            if name == "hand":
                hand += run_times
    return hand


def bench_http(records: int, repeat: int) -> Table:
    """POST `records` records `repeat` times per implementation, interleaved; requests/s compared."""
    payload = gen_orders.generate(records, seed=7)
    with BenchServer() as url, environment(BENCH_SINK_URL=url):
        interp_timer, interp_run = interpreter_runner(FLOW)
        comp_timer, comp_run = compiled_runner(FLOW, out_dir() / "http_sync_compiled.py")
        runners: list[tuple[str, Callable[[], Any]]] = [
            ("hand", lambda: asyncio.run(http_hand.post_all(url, payload))),
            ("interpreter", lambda: interp_run(payload)),
            ("compiled", lambda: comp_run(payload)),
        ]
        hand_times = interleaved_posts(url, runners, repeat, records)
    hand = records / statistics.median(hand_times)
    table = Table(f"HTTP sync throughput: {records:,} POSTs, parallel 32, median of {repeat} runs",
                  ["median s", "requests/s", "x hand-written"])
    table.add("hand-written httpx.AsyncClient", f"{statistics.median(hand_times):.2f}", f"{hand:,.0f}", "1.00")
    for name, timer in (("compiled", comp_timer), ("interpreter", interp_timer)):
        seconds = statistics.median(timer.seconds)
        rate = records / seconds
        table.add(f"flowlang {name}", f"{seconds:.2f}", f"{rate:,.0f}", f"{rate / hand:.2f}",
                  verdict=verdict(rate >= TARGET * hand))
    table.notes.append("server: uvicorn (h11, asyncio loop) + a minimal ASGI app answering 201 {\"ok\":true}, "
                       "in its own process on 127.0.0.1; the server counted every request of every run")
    table.notes.append("flowlang rows time the flow body in process (HTTP client start included); "
                       "hand-written: asyncio.run(post_all(...)) with httpx.Limits(32, keep-alive 32)")
    table.notes.append(f"target: each engine >= {TARGET}x the hand-written requests/s")
    return table
