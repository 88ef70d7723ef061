"""Smoke test of bench/webhooks.py: it runs on tiny sizes through a real `flowlang serve` (no timings)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))


def test_the_webhook_benchmark_runs_and_reports_every_measure() -> None:
    pytest.importorskip("starlette", reason="the host needs the serve extra: pip install -e '.[serve]'")
    from bench.webhooks import bench_webhooks

    table = bench_webhooks(deliveries=6, concurrency=2, workers=2, sequential=2)
    assert [row.label.split(" (")[0] for row in table.rows] == [
        "flow run directly", "one delivery with ?wait=30", "added latency of the host",
        "6 deliveries from 2 senders: accepted", "6 deliveries: every run ended",
    ]
