"""Run every flowlang benchmark and print one table per benchmark.

    python bench/run.py [--quick | --tiny] [--only mapping,http,memory,checker] [--markdown]

Full sizes: 50,000 orders (median of 5), 10,000 POSTs (median of 3), 1,000 vs 10 pages, flows of 5,000 and
50,000 lines. --quick: small sizes and fewer runs (a minute or two); figures are then only indicative. --tiny: the
test suite's smoke test (does every benchmark still run, and do the implementations agree?).
Generated data and compiled modules go to bench/out/ (git-ignored). The machine line ends with the CPU
seconds of a fixed 5,000,000-step Python loop: compare it between runs to see how loaded the machine was.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `bench` and `flowlang` from this checkout

from bench.common import Table, calibration, load_average, out_dir


def _pycache() -> None:
    """Child processes keep bytecode caches (as an installed flowlang has), under bench/out/pycache."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(out_dir() / "pycache")


def machine() -> str:
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            model = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")),
                         model)
    except OSError:
        pass
    return (f"{os.cpu_count()} CPUs, {model}; Python {platform.python_version()}; "
            f"load average {load_average()}; calibration loop {calibration():.3f} s CPU")


def benchmarks(quick: bool, tiny: bool) -> dict[str, Callable[[], Table]]:
    from bench.checker import bench_checker
    from bench.http_sync import bench_http
    from bench.mapping import bench_mapping
    from bench.memory import bench_memory

    if tiny:  # the test suite's smoke test: does everything still run and agree?
        return {
            "mapping": lambda: bench_mapping(records=30, repeat=1),
            "http": lambda: bench_http(records=40, repeat=1),
            "memory": lambda: bench_memory(small=1, large=3, warm=False),
            "checker": lambda: bench_checker(sizes=[200, 400], repeat=1, cli_repeat=1),
        }
    if quick:
        return {
            "mapping": lambda: bench_mapping(records=5_000, repeat=3),
            "http": lambda: bench_http(records=1_000, repeat=1),
            "memory": lambda: bench_memory(small=10, large=100),
            "checker": lambda: bench_checker(sizes=[1_000, 5_000], repeat=3, cli_repeat=5),
        }
    return {
        "mapping": lambda: bench_mapping(records=50_000, repeat=5),
        "http": lambda: bench_http(records=10_000, repeat=3),
        "memory": lambda: bench_memory(small=10, large=1_000),
        "checker": lambda: bench_checker(sizes=[5_000, 50_000], repeat=5, cli_repeat=10),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, fewer runs")
    parser.add_argument("--only", help="comma-separated: mapping,http,memory,checker")
    parser.add_argument("--tiny", action="store_true", help="tiny sizes, one run (the smoke test)")
    parser.add_argument("--markdown", action="store_true", help="print the tables as Markdown")
    args = parser.parse_args()
    _pycache()
    chosen = benchmarks(args.quick, args.tiny)
    names = args.only.split(",") if args.only else list(chosen)
    unknown = [n for n in names if n not in chosen]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(chosen)}")
    print(f"machine: {machine()}\n", flush=True)
    missed = 0
    for name in names:
        started = time.monotonic()
        table = chosen[name]()
        missed += sum(1 for row in table.rows if row.verdict == "MISSED")
        print(table.render(markdown=args.markdown), flush=True)
        print(f"({name}: {time.monotonic() - started:.0f} s; load average now {load_average()})\n", flush=True)
    print(f"{missed} target(s) missed" if missed else "all targets met")


if __name__ == "__main__":
    main()
