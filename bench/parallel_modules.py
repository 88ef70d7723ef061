"""Parallel HTTP, runtime against runtime: compiled modules of one flow, made by different checkouts, in one process.

    python -m bench.parallel_modules [--flight 8] [--records 2000] [--repeat 5] OLD.py NEW.py ...

Each module is `flowlang compile bench/out/parallel_N.flow -o X.py` of a checkout (`python -m bench.parallel`
writes the flow; the runtime is inlined, so modules of two versions load side by side). Rounds interleave the hand-written `bench/http_hand.py` and every
module against one server with 5 ms latency (bench/servers.py). Besides the best wall time, the CPU time and
the context switches of this process per request (getrusage), where the cost of threads shows (section 13 of
docs/performance.md). A comparison harness, without a target.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import gen_orders, http_hand
from bench.common import Table, environment, load_module
from bench.servers import BenchServer


def _usage() -> tuple[float, int]:
    """CPU seconds and context switches of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime, usage.ru_nvcsw + usage.ru_nivcsw


def compare(modules: list[Path], flight: int, records: int, repeat: int) -> Table:
    payload = gen_orders.generate(records, seed=11)
    loaded = [(path.name, load_module(path, f"bench_parallel_module_{i}")) for i, path in enumerate(modules)]
    with BenchServer(latency_ms=5) as url, environment(BENCH_SINK_URL=url):
        runners: list[tuple[str, Callable[[], Any]]] = [
            ("hand-written", lambda: asyncio.run(http_hand.post_all(url, payload, flight)))]
        runners += [(name, lambda module=module: module.run(payload)) for name, module in loaded]
        runs: dict[str, list[tuple[float, float, int]]] = {name: [] for name, _ in runners}
        for _ in range(repeat):
            for name, runner in runners:
                cpu, switches = _usage()
                started = time.perf_counter()
                outcome = runner()
                seconds = time.perf_counter() - started
                if outcome != {"sent": records}:
                    raise RuntimeError(f"{name} returned {outcome!r}, not {{'sent': {records}}}")
                cpu_after, switches_after = _usage()
                runs[name].append((seconds, cpu_after - cpu, switches_after - switches))
    best_hand = min(runs["hand-written"])[0]
    table = Table(f"{records:,} POSTs, {flight} in flight, 5 ms latency, best of {repeat} interleaved rounds",
                  ["best s", "x hand-written", "CPU us/request", "switches/request"])
    for name, _ in runners:
        seconds, cpu, switches = min(runs[name])
        table.add(name, f"{seconds:.2f}", f"{best_hand / seconds:.2f}", f"{cpu / records * 1e6:.0f}",
                  f"{switches / records:.1f}")
    table.notes.append("CPU and context switches of the best run, this whole process (the server is another)")
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="+", type=Path)
    parser.add_argument("--flight", type=int, default=8)
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    missing = [str(m) for m in args.modules if not m.is_file()]
    if missing:
        parser.error(f"no such module: {', '.join(missing)} (`python -m bench.parallel --flights {args.flight} "
                     f"--repeat 1` writes bench/out/parallel_{args.flight}.flow; then in each checkout: "
                     f"flowlang compile bench/out/parallel_{args.flight}.flow -o X.py)")
    print(compare(args.modules, args.flight, args.records, args.repeat).render())


if __name__ == "__main__":
    main()
