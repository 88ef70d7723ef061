"""Benchmark 6: three workloads as whole processes, hand-written Python against both engines (issue 16).

Each workload is a flow, the same program written by hand in Python, and a seeded data generator:

- mapping: `mapping.flow` / `mapping_hand.py` over orders (`gen_orders.py`): nested lists, string
  functions, interpolation, lambdas given to `map` and `sum`;
- report: `report.flow` / `report_hand.py` over orders (another seed): nested loops that update one
  object per country, `+=` on fields, comparisons, `in`, interpolation;
- triage: `triage.flow` / `triage_hand.py` over tickets (`gen_tickets.py`): `filter`, `sort_by`,
  `group_by`, `count` with and without a lambda, `in` on lists, `??`, interpolation.

Every run is a whole process, start-up included: `python X_hand.py data.json`, `python X_compiled.py
--input data.json` (the module `flowlang compile` writes) and `flowlang run X.flow --input data.json`,
each through `bench/rss.py` (wall-clock and CPU seconds, peak RSS). Runs are interleaved (hand,
compiled, interpreter, repeated) so that the load of other processes falls on all three alike; the
ratios are taken between the best runs of one benchmark run. Each output must be byte for byte the
hand-written program's (both print the result as `json.dumps(result, ensure_ascii=False, indent=2)`).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import gen_orders, gen_tickets
from bench.common import BENCH, REPO, Table, flowlang_command, out_dir, verdict

TARGETS = {"compiled": 1.1, "interpreter": 2.0}  # x the hand-written program's time
RSS_TARGET = 1.2  # x the hand-written program's peak RSS


@dataclass(frozen=True)
class Workload:
    name: str
    records: int  # the full size
    generate: Callable[[int], list[Any]]

    @property
    def flow(self) -> Path:
        return BENCH / f"{self.name}.flow"

    @property
    def hand(self) -> Path:
        return BENCH / f"{self.name}_hand.py"


WORKLOADS = [
    Workload("mapping", 50_000, lambda n: gen_orders.generate(n, seed=42)),
    Workload("report", 100_000, lambda n: gen_orders.generate(n, seed=3)),
    Workload("triage", 200_000, lambda n: gen_tickets.generate(n, seed=11)),
]


@dataclass
class Sample:
    seconds: float
    cpu: float
    rss_mb: float


@dataclass(frozen=True)
class Command:
    args: list[str]
    env: dict[str, str]


def measure(command: Command, output: Path) -> Sample:
    """One whole-process run of `command` (stdout to `output`) through bench/rss.py."""
    done = subprocess.run([sys.executable, "-m", "bench.rss", "--out", str(output), *command.args], cwd=REPO,
                          env=command.env, capture_output=True, text=True, check=True)
    report = json.loads(done.stdout)
    if report["returncode"] != 0:
        raise RuntimeError(f"{' '.join(command.args)} exited {report['returncode']}")
    return Sample(report["seconds"], report["cpu"], report["rss_kb"] / 1024)


def engine_commands(work: Workload, data: Path, records: int, checkout: Path | None) -> dict[str, Command]:
    """Both engines of `work` reading `data`: this checkout's, or (`checkout`) another one's flowlang.

    The module is written by `flowlang compile` of that flowlang; its processes get PYTHONPATH=checkout.
    """
    out = out_dir()
    env = dict(os.environ)
    suffix = ""
    if checkout is not None:
        env["PYTHONPATH"] = str(checkout)
        suffix = " (before)"
    module = out / f"{work.name}_compiled{'_before' if checkout else ''}.py"
    # another checkout's flowlang may lack this one's console-script entry point: start it through its cli
    flowlang = [sys.executable, "-c", "from flowlang.cli import main; main()"] if checkout else flowlang_command()
    subprocess.run([*flowlang, "compile", str(work.flow), "-o", str(module)], env=env, check=True,
                   capture_output=True, cwd=out)
    state = str(out / f"{work.name}-{records}{'-before' if checkout else ''}.db")
    return {
        "compiled" + suffix: Command([sys.executable, str(module), "--input", str(data), "--state", state], env),
        "interpreter" + suffix: Command([*flowlang, "run", str(work.flow), "--input", str(data),
                                         "--state", state], env),
    }


def bench_workload(work: Workload, records: int, repeat: int, warm: bool = True,
                   baseline: Path | None = None) -> list[tuple[str, list[Sample]]]:
    """`repeat` interleaved rounds of the implementations; outputs compared with the hand-written one.

    `baseline`: another flowlang checkout whose engines run in the same rounds ("before" rows).
    """
    out = out_dir()
    data = out / f"{work.name}-{records}.json"
    if not data.exists():
        data.write_text(json.dumps(work.generate(records)), encoding="utf-8")
    chosen = {"hand-written": Command([sys.executable, str(work.hand), str(data)], dict(os.environ))}
    chosen.update(engine_commands(work, data, records, None))
    if baseline is not None:
        chosen.update(engine_commands(work, data, records, baseline))
    samples: dict[str, list[Sample]] = {name: [] for name in chosen}
    outputs = {name: out / f"{work.name}-{records}-{name.replace(' ', '_')}.out.json" for name in chosen}
    if warm:  # bytecode caches written, files in the page cache
        for name, command in chosen.items():
            measure(command, outputs[name])
    for _ in range(repeat):
        for name, command in chosen.items():
            samples[name].append(measure(command, outputs[name]))
    expected = outputs["hand-written"].read_bytes()
    differ = [name for name, path in outputs.items() if path.read_bytes() != expected]
    if differ:
        raise AssertionError(f"{work.name}: output of {differ} differs from the hand-written program's")
    return list(samples.items())


def bench_workloads(scale: float, repeat: int, warm: bool = True, only: list[str] | None = None,
                    baseline: Path | None = None) -> Table:
    """All workloads at `scale` times their full size."""
    table = Table(f"Workloads, whole processes, best of {repeat} interleaved runs",
                  ["records", "best s", "median s", "CPU s", "x hand", "peak MB", "x hand RSS"])
    for work in WORKLOADS:
        if only and work.name not in only:
            continue
        records = max(1, int(work.records * scale))
        results = dict(bench_workload(work, records, repeat, warm, baseline))
        hand = results["hand-written"]
        best_hand = min(s.seconds for s in hand)
        rss_hand = max(s.rss_mb for s in hand)
        for name, samples in results.items():
            best = min(s.seconds for s in samples)
            rss = max(s.rss_mb for s in samples)
            ratio, rss_ratio = best / best_hand, rss / rss_hand
            target = TARGETS.get(name)
            ok = target is not None and ratio <= target and rss_ratio <= RSS_TARGET
            table.add(f"{work.name}: {name}", f"{records:,}", f"{best:.3f}",
                      f"{statistics.median(s.seconds for s in samples):.3f}",
                      f"{min(s.cpu for s in samples):.3f}", f"{ratio:.2f}", f"{rss:.1f}", f"{rss_ratio:.2f}",
                      verdict="" if target is None else verdict(ok))
    table.notes.append("whole processes (start-up, reading --input, writing the result included), through "
                       "bench/rss.py; interleaved hand, compiled, interpreter; outputs byte-identical")
    table.notes.append(f"targets: compiled <= {TARGETS['compiled']}x, interpreter <= {TARGETS['interpreter']}x "
                       f"the hand-written time (best runs), peak RSS <= {RSS_TARGET}x hand-written")
    return table


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="whole-process workloads (issue 16)")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full sizes [1.0]")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", help="comma-separated workload names")
    parser.add_argument("--baseline", type=Path, help="another flowlang checkout: its engines run alongside")
    args = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ.setdefault("PYTHONPYCACHEPREFIX", str(out_dir() / "pycache"))
    only = args.only.split(",") if args.only else None
    print(bench_workloads(args.scale, args.repeat, only=only, baseline=args.baseline).render())


if __name__ == "__main__":
    main()
