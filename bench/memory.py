"""Benchmark 3: peak RSS of `each` over many pages against few pages, both engines, in child processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.common import BENCH, REPO, Table, compile_flow, flowlang_command, out_dir, verdict
from bench.servers import PAGE_SIZE, BenchServer

FLOW = BENCH / "paging.flow"
TARGET_MB = 20.0


def expected(pages: int) -> dict[str, int]:
    """What paging.flow returns for `pages` pages (see servers.page_body)."""
    ids = range(pages * PAGE_SIZE)
    return {"records": len(ids), "on_hand": sum(n % 97 for n in ids)}


def peak_rss_mb(command: list[str], env: dict[str, str]) -> tuple[float, object]:
    """Run `command` (through bench/rss.py); its peak resident set in MiB and its JSON stdout."""
    done = subprocess.run([sys.executable, "-m", "bench.rss", *command], env=env, cwd=REPO,
                          capture_output=True, text=True, check=True)
    report = json.loads(done.stdout)
    if report["returncode"] != 0:
        raise RuntimeError(f"{' '.join(command)} exited {report['returncode']}")
    return report["rss_kb"] / 1024, json.loads(report["stdout"])  # ru_maxrss is in KiB on Linux


def bench_memory(small: int, large: int, warm: bool = True) -> Table:
    """Peak RSS of runs over `small` and `large` pages of 100 records, per engine.

    `warm`: first one untimed run per engine, so that writing bytecode caches is not measured.
    """
    out = out_dir()
    module = out / "paging_compiled.py"
    compile_flow(FLOW, module)
    engines: dict[str, list[str]] = {
        "interpreter": [*flowlang_command(), "run", str(FLOW)],
        "compiled": [sys.executable, str(module)],
    }
    table = Table(f"Memory: `each` over {large:,} pages of {PAGE_SIZE} records vs {small:,} pages",
                  [f"{small} pages MB", f"{large} pages MB", "growth MB"])
    with BenchServer() as url:
        env = {**os.environ, "BENCH_PAGES_URL": url}
        for name, command in engines.items():
            peaks = []
            for pages in ((small,) if warm else ()) + (small, large):
                source = out / f"pages-{pages}.json"
                source.write_text(json.dumps({"pages": pages}), encoding="utf-8")
                state = Path(out / f"paging-{name}.db")
                peak, result = peak_rss_mb([*command, "--input", str(source), "--state", str(state)], env)
                if result != expected(pages):
                    raise AssertionError(f"{name} over {pages} pages returned {result}")
                peaks.append(peak)
            growth = peaks[-1] - peaks[-2]
            table.add(f"flowlang {name}", f"{peaks[-2]:.1f}", f"{peaks[-1]:.1f}", f"{growth:+.1f}",
                      verdict=verdict(growth <= TARGET_MB))
    table.notes.append("peak RSS = ru_maxrss of the whole `flowlang run` / `python compiled.py` process, read "
                       "with getrusage(RUSAGE_CHILDREN) by bench/rss.py, its small parent; pages served by "
                       "the benchmark server (page strategy)")
    table.notes.append(f"target: growth <= {TARGET_MB:.0f} MB; both runs' results checked")
    return table
