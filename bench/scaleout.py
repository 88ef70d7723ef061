"""Benchmark: webhook runs through the in-process engine and through 1, 2 and 4 Temporal workers.

    python -m bench.scaleout [--deliveries 200] [--concurrency 8] [--workers 1,2,4]

Each configuration serves examples/order_webhook.flow (one order: 1 + 3 requests to the fake ERP) from a fresh
`flowlang serve` on SQLite: the in-process engine with 4 threads, then `--engine temporal` on a real Temporal dev
server (`temporal server start-dev`, from the temporal extra) with N `flowlang worker` processes of 4 runs each.
`--deliveries` deliveries from `--concurrency` senders are answered 202; throughput is runs ended per second
from the first delivery to the last end, latency is each run's record from queued to ended (p50, p95).
Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path

import httpx
from cryptography.fernet import Fernet

from bench.common import REPO, Table
from bench.webhooks import EXAMPLES, LISTENING, _setup, fresh
from tests.temporal.devserver import running_temporal, stop_process

PER_WORKER = 4  # runs at once per worker process, and threads of the in-process engine


def _process(directory: Path, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    with open(directory / f"{name}.log", "wb") as log:
        return subprocess.Popen([sys.executable, "-m", "flowlang", *args], cwd=directory, stdout=log,
                                stderr=subprocess.STDOUT, env={**os.environ, **env, "PYTHONPATH": str(REPO)})


def _wait_for(path: Path, marker: str) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        text = path.read_text(errors="replace")
        if marker in text or LISTENING.search(text):
            return text
        time.sleep(0.05)
    raise SystemExit(f"{path.name} did not get ready:\n{path.read_text()}")


@contextmanager
def _host(directory: Path, temporal: str | None, workers: int) -> Iterator[str]:
    """A served host on the engine (its URL), with `workers` worker processes when on Temporal."""
    env = {"FLOWLANG_WORKERS": str(PER_WORKER), "FLOWLANG_SECRET_KEY": Fernet.generate_key().decode()}
    db = str(directory / "host.db")
    engine = ["--engine", "temporal", "--temporal", temporal, "--task-queue", directory.name] if temporal else []
    with ExitStack() as stack:
        serve = _process(directory, "serve", ["serve", "--db", db, "--port", "0", *engine], env)
        stack.callback(stop_process, serve)
        found = LISTENING.search(_wait_for(directory / "serve.log", "Uvicorn running"))
        assert found is not None
        for i in range(workers if temporal else 0):
            worker = _process(directory, f"worker{i}", ["worker", "--db", db, "--temporal", str(temporal),
                                                         "--task-queue", directory.name,
                                                         "--concurrency", str(PER_WORKER)], env)
            stack.callback(stop_process, worker)
            _wait_for(directory / f"worker{i}.log", "flowlang worker: Temporal")
        yield f"http://{found.group(1)}:{found.group(2)}"


def _seconds(start: str, end: str) -> float:
    return (datetime.fromisoformat(end.replace("Z", "+00:00"))
            - datetime.fromisoformat(start.replace("Z", "+00:00"))).total_seconds()


def _measure(url: str, directory: Path, erp: str, deliveries: int, concurrency: int) -> dict[str, float]:
    order = json.loads((EXAMPLES / "samples" / "order_webhook.json").read_text())
    setup = _setup(url, directory / "host.db", erp)
    pipe, api = setup["pipe"], setup["api"]
    sender = httpx.Client(headers={"X-Api-Key": pipe["token"]}, timeout=60)
    warm = sender.post(pipe["listener_url"] + "?wait=30", json=fresh(order))  # compiles the version once
    assert warm.status_code == 200 and warm.json()["data"]["status"] == "ok", warm.text
    with ThreadPoolExecutor(concurrency) as pool:
        ids = list(pool.map(lambda _: sender.post(pipe["listener_url"], json=fresh(order)).json()["data"]["id"],
                            range(deliveries)))
    runs: dict[str, dict[str, str]] = {}
    while len(runs) < deliveries:
        for run_id in ids:
            if run_id not in runs:
                data = api.get(f"/v2/runs/{run_id}").json()["data"]
                if data["status"] not in ("queued", "running"):
                    assert data["status"] == "ok", data["error"]
                    runs[run_id] = data["meta"]["timestamps"]
        time.sleep(0.05)
    latencies = sorted(_seconds(r["created_at"], r["ended_at"]) for r in runs.values())
    first = min(r["created_at"] for r in runs.values())
    last = max(r["ended_at"] for r in runs.values())
    return {"throughput": deliveries / _seconds(first, last), "p50": statistics.median(latencies),
            "p95": latencies[max(0, int(len(latencies) * 0.95) - 1)]}


def bench_scaleout(deliveries: int = 200, concurrency: int = 8, worker_counts: tuple[int, ...] = (1, 2, 4)) -> Table:
    import fake_systems

    sys.path.insert(0, str(EXAMPLES))
    table = Table(f"{deliveries} webhook runs: in-process engine vs Temporal workers",
                  ["runs/s", "p50 latency", "p95 latency"])
    with fake_systems.start() as fake, running_temporal() as temporal, tempfile.TemporaryDirectory() as folder:
        configs: list[tuple[str, str | None, int]] = [("in-process engine (4 threads)", None, 0)]
        configs += [(f"Temporal, {n} worker{'s' if n > 1 else ''} ({PER_WORKER} runs each)", temporal, n)
                    for n in worker_counts]
        for i, (label, address, workers) in enumerate(configs):
            directory = Path(folder) / f"c{i}"
            directory.mkdir()
            with _host(directory, address, workers) as url:
                result = _measure(url, directory, fake.url + "/erp", deliveries, concurrency)
            table.add(label, f"{result['throughput']:.1f}", f"{result['p50'] * 1000:.0f} ms",
                      f"{result['p95'] * 1000:.0f} ms")
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", default="1,2,4", help="worker counts, comma-separated")
    args = parser.parse_args()
    counts = tuple(int(n) for n in args.workers.split(","))
    print(bench_scaleout(args.deliveries, args.concurrency, counts).render(markdown=True))


if __name__ == "__main__":
    main()
