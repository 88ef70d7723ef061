"""The throughput comparison script runs (tiny sizes; the figures themselves are not checked here)."""

from __future__ import annotations

from .bench_client import compare


def test_throughput_comparison_runs_against_uvicorn() -> None:
    (hand_rps, hand_cpu), (our_rps, our_cpu) = compare(requests=40, concurrency=4, rounds=1)
    assert hand_rps > 0 and our_rps > 0 and hand_cpu > 0 and our_cpu > 0
