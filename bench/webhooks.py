"""Benchmark: webhook deliveries through `flowlang serve` (HTTP in, flow run, HTTP out to the fake ERP).

    python -m bench.webhooks [--deliveries 200] [--concurrency 8] [--workers 4]

Runs examples/order_webhook.flow (one order: 1 + 3 requests to the fake ERP) three ways: directly in
this process through the executor's `run_job` (compiled once, as a worker runs it), as sequential
deliveries with `?wait=30` (latency of one delivery, end to end), and as `--deliveries` deliveries from
`--concurrency` senders answered 202 (throughput until every run has ended). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from bench.common import REPO, Table

EXAMPLES = REPO / "examples"
sys.path.insert(0, str(EXAMPLES))
FILES = ("systems.flow", "specs/elasticpath-flows.yaml", "samples/order_webhook.json")
LISTENING = re.compile(r"Uvicorn running on http://([\d.]+):(\d+)")


def _serve(directory: Path, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    log = open(directory / "serve.log", "wb")
    env = {"PATH": "/usr/bin:/bin", "FLOWLANG_WORKERS": str(workers)}
    process = subprocess.Popen([sys.executable, "-m", "flowlang", "serve", "--db", str(directory / "host.db"),
                                "--port", "0"], cwd=directory, stdout=log,
                               stderr=subprocess.STDOUT, env={**env, "PYTHONPATH": str(REPO)})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = LISTENING.search((directory / "serve.log").read_text(errors="replace"))
        if found:
            return process, f"http://{found.group(1)}:{found.group(2)}"
        time.sleep(0.05)
    process.kill()
    raise SystemExit("flowlang serve did not start:\n" + (directory / "serve.log").read_text())


def _setup(url: str, db: Path, erp: str) -> dict[str, Any]:
    token = subprocess.run([sys.executable, "-m", "flowlang", "token", "create", "--db", str(db), "--project",
                            "bench"], capture_output=True, text=True, check=True).stdout.strip()
    api = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    for path in FILES:
        api.put(f"/v2/files/{path}", json={"data": {"type": "file", "content": (EXAMPLES / path).read_text()}})
    for name, value in (("ERP_URL", erp), ("ERP_TOKEN", "demo-erp-token")):
        api.put(f"/v2/credentials/{name}", json={"data": {"type": "credential", "value": value}})
    flow = api.post("/v2/flows", json={"data": {"type": "flow", "name": "Orders", "slug": "orders", "enabled": True,
                                                "source": (EXAMPLES / "order_webhook.flow").read_text()}}).json()
    api.post(f"/v2/flows/{flow['data']['id']}/publish").raise_for_status()
    pipe = api.post("/v2/pipes", json={"data": {"type": "pipe", "flow_id": flow["data"]["id"],
                                                "trigger": "webhook"}}).json()["data"]
    return {"api": api, "pipe": pipe}


_ids = iter(range(10**9, 2 * 10**9))


def fresh(order: dict[str, Any]) -> dict[str, Any]:
    """The order with a new id (the fake ERP refuses an order id it has seen)."""
    return {**order, "id": next(_ids)}


def _direct(order: Any, erp: str, repeat: int) -> list[float]:
    """Seconds per run of the flow called directly (the executor's run_job, compiled once)."""
    from flowlang.host.executors.base import RunJob
    from flowlang.host.executors.flowrun import CompiledCache, run_job

    class Quiet:
        def log_lines(self, run_id: str, lines: list[Any]) -> None: ...
        def load_state(self, project: str, key: str) -> dict[str, Any]:
            return {}
        def save_state(self, project: str, key: str, state: dict[str, Any]) -> None: ...
        def finish(self, run_id: str, outcome: Any) -> None: ...

    files = {name: (EXAMPLES / name).read_text() for name in (*FILES, "order_webhook.flow")}
    cache = CompiledCache()
    samples = []
    for _ in range(repeat + 1):
        job = RunJob(run_id=uuid.uuid4().hex, project="bench", flow_id="f", flow_name=None, version=1,
                     root="order_webhook.flow", files=files, input=fresh(order),
                     credentials={"ERP_URL": erp, "ERP_TOKEN": "demo-erp-token"})
        started = time.perf_counter()
        outcome = run_job(job, Quiet(), cache)
        samples.append(time.perf_counter() - started)
        assert outcome.status == "ok", outcome.error
    cache.close()
    return samples[1:]  # the first run compiles


def bench_webhooks(deliveries: int, concurrency: int, workers: int, sequential: int = 30) -> Table:
    import fake_systems

    order = json.loads((EXAMPLES / "samples" / "order_webhook.json").read_text())
    table = Table(f"Webhook deliveries through flowlang serve ({workers} workers)",
                  ["value"])
    with fake_systems.start() as fake, tempfile.TemporaryDirectory() as folder:
        erp = fake.url + "/erp"
        direct = _direct(order, erp, sequential)
        process, url = _serve(Path(folder), workers)
        try:
            setup = _setup(url, Path(folder) / "host.db", erp)
            pipe, api = setup["pipe"], setup["api"]
            sender = httpx.Client(headers={"X-Api-Key": pipe["token"]}, timeout=60)
            waited = []
            for _ in range(sequential + 1):
                started = time.perf_counter()
                answer = sender.post(pipe["listener_url"] + "?wait=30", json=fresh(order))
                waited.append(time.perf_counter() - started)
                assert answer.status_code == 200 and answer.json()["data"]["status"] == "ok", answer.text
            waited = waited[1:]
            started = time.perf_counter()
            with ThreadPoolExecutor(concurrency) as pool:
                ids = list(pool.map(lambda _: sender.post(pipe["listener_url"], json=fresh(order)).json()["data"]["id"],
                                    range(deliveries)))
            accepted = time.perf_counter() - started
            while api.get("/v2/runs", params={"filter": "eq(status,ok)"}).json()["meta"]["results"]["total"] \
                    < deliveries + sequential + 1:
                time.sleep(0.05)
            finished = time.perf_counter() - started
            assert len(set(ids)) == deliveries
        finally:
            process.terminate()
            process.wait(timeout=20)
    p50_direct, p50_wait = statistics.median(direct), statistics.median(waited)
    table.add("flow run directly (run_job, p50)", f"{p50_direct * 1000:.1f} ms")
    table.add("one delivery with ?wait=30 (p50, HTTP in + queue + run + answer)", f"{p50_wait * 1000:.1f} ms")
    table.add("added latency of the host (p50)", f"{(p50_wait - p50_direct) * 1000:.1f} ms")
    table.add(f"{deliveries} deliveries from {concurrency} senders: accepted (202)",
              f"{deliveries / accepted:.0f} /s")
    table.add(f"{deliveries} deliveries: every run ended", f"{deliveries / finished:.1f} runs/s")
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    print(bench_webhooks(args.deliveries, args.concurrency, args.workers).render(markdown=True))


if __name__ == "__main__":
    main()
