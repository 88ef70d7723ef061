"""Benchmark 4: parse+check time of generated flows, and CLI start-up (`--version`, `check` of a small file)."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from bench import gen_flow
from bench.common import REPO, Table, flowlang_command, out_dir, time_command, timed, verdict

SMALL_FLOW = REPO / "examples" / "order_webhook.flow"
MAPPING_FLOW = REPO / "bench" / "mapping.flow"
CHECK_TARGET_S = 1.0  # 5,000 lines
STARTUP_TARGET_S = 0.200


def parse_and_check(path: Path) -> int:
    """Load (read + parse) and check one file in process, as `flowlang check` does; the number of errors."""
    from flowlang.checker import check
    from flowlang.loader import collector_paused, load_project

    with collector_paused():
        return sum(1 for d in check(load_project(str(path))) if d.is_error)


def bench_checker(sizes: list[int], repeat: int, cli_repeat: int) -> Table:
    """Seconds and lines/s of parse+check per size (in process and through `flowlang check`), and start-up."""
    flowlang = flowlang_command()
    parse_and_check(SMALL_FLOW)  # warm: imports done, parser tables built
    time_command([*flowlang, "check", str(SMALL_FLOW)], 1)  # warm: bytecode caches written
    table = Table("Checker and CLI start-up", ["lines", "median s", "best s", "CPU s", "lines/s"])
    per_line: dict[int, float] = {}
    for size in sizes:
        path = out_dir() / f"generated-{size}.flow"
        text = gen_flow.generate(size)
        path.write_text(text, encoding="utf-8")
        lines = text.count("\n")
        cpu_start = time.process_time()
        times, errors = timed(lambda p=path: parse_and_check(p), repeat)  # type: ignore[misc]
        cpu = (time.process_time() - cpu_start) / repeat
        if errors:
            raise AssertionError(f"{path} has {errors} check errors")
        seconds = statistics.median(times)
        per_line[lines] = seconds / lines
        in_target = verdict(seconds < CHECK_TARGET_S) if size <= 5_000 else ""
        table.add(f"parse+check in process, {size:,} lines", f"{lines:,}", f"{seconds:.3f}", f"{min(times):.3f}",
                  f"{cpu:.3f}", f"{lines / seconds:,.0f}", verdict=in_target)
        cli, cli_cpu = time_command([*flowlang, "check", str(path)], cli_repeat)
        cli_seconds = statistics.median(cli)
        table.add(f"`flowlang check`, {size:,} lines", f"{lines:,}", f"{cli_seconds:.3f}", f"{min(cli):.3f}",
                  f"{statistics.median(cli_cpu):.3f}", f"{lines / cli_seconds:,.0f}",
                  verdict=verdict(cli_seconds < CHECK_TARGET_S) if size <= 5_000 else "")
    if len(per_line) >= 2:
        (small, a), *_, (large, b) = sorted(per_line.items())
        table.notes.append(f"growth: {b / a:.2f}x the time per line at {large:,} lines as at {small:,} "
                           "(1.00 = linear)")
    for label, args in (("`flowlang --version`", ["--version"]),
                        ("`flowlang check` bench/mapping.flow (36 lines)", ["check", str(MAPPING_FLOW)]),
                        ("`flowlang check` examples/order_webhook.flow (+ import, OpenAPI document)",
                         ["check", str(SMALL_FLOW)])):
        times, cpus = time_command([*flowlang, *args], cli_repeat)
        table.add(label, "", f"{statistics.median(times):.3f}", f"{min(times):.3f}",
                  f"{statistics.median(cpus):.3f}", "", verdict=verdict(statistics.median(times) < STARTUP_TARGET_S))
    # what any Python program pays here before its first line: the interpreter and this machine's `site`
    # (.pth files of the installed packages: an editable install's finder, a certificate bundle, ...)
    base_times, base_cpus = time_command([sys.executable, "-c", "pass"], cli_repeat)
    table.add("`python -c pass` (baseline: interpreter + site)", "", f"{statistics.median(base_times):.3f}",
              f"{min(base_times):.3f}", f"{statistics.median(base_cpus):.3f}", "")
    table.notes.append(f"in process: load_project + check, warm (parser tables built), median of {repeat}; "
                       f"CLI rows: wall time of the whole process, median/best of {cli_repeat}; CPU s: user+system "
                       "(median; in process: mean), less disturbed by other processes than wall time")
    table.notes.append("targets: 5,000 lines in < 1 s; start-up rows < 0.200 s (median)")
    return table
