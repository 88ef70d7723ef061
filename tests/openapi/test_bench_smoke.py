"""bench/openapi_load.py runs (a smoke test on one repetition; the figures are in docs/openapi.md)."""

from __future__ import annotations

import subprocess
import sys

from .conftest import REPO


def test_the_openapi_benchmark_runs_and_prints_every_measurement() -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "openapi_load.py"), "--repeat", "1"],
        capture_output=True, text=True, timeout=120, cwd=REPO,
    )
    assert done.returncode == 0, done.stderr
    rows = done.stdout.splitlines()[1:]
    assert len(rows) == 5 and all(row.split()[-3].replace(".", "").isdigit() for row in rows), done.stdout
