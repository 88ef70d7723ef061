"""Smoke test of bench/lsp_completion.py: it runs on a small file through a real `flowlang lsp` (no timings)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))


def test_the_completion_benchmark_runs_and_every_case_has_items() -> None:
    pytest.importorskip("pygls", reason="the language server needs pygls: pip install -e '.[lsp]'")
    from bench.lsp_completion import CASES, bench_lsp_completion

    table = bench_lsp_completion(lines=200, repeat=2)
    assert [row.label for row in table.rows] == [label for _, label in CASES]
    assert all(int(row.cells["items"]) > 0 for row in table.rows)
