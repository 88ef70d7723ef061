"""Smoke test of bench/scaleout.py: it runs on tiny sizes on both engines, with a real Temporal dev server."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))


def test_the_scale_out_benchmark_measures_each_engine() -> None:
    pytest.importorskip("temporalio", reason="the Temporal engine needs the temporal extra: pip install -e '.[temporal]'")
    from bench.scaleout import bench_scaleout
    from tests.temporal.devserver import TemporalUnavailable

    try:
        table = bench_scaleout(deliveries=3, concurrency=2, worker_counts=(1,))
    except TemporalUnavailable as exc:
        pytest.skip(f"no Temporal dev server: {exc}")
    assert [row.label for row in table.rows] == ["in-process engine (4 threads)", "Temporal, 1 worker (4 runs each)"]
