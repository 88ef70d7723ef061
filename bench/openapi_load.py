"""Benchmark: load the OpenAPI documents (cold and cached) and check a flow against the 216 KB one.

    python bench/openapi_load.py [--repeat N]

Prints one line per measurement: the median and best wall-clock time of N runs and the median CPU
time of this process, in milliseconds. Cold loads clear the
document cache first, as a fresh `flowlang check` or `flowlang run` process would have it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from flowlang.checker import check  # noqa: E402
from flowlang.loader import load_project  # noqa: E402
from flowlang.openapi import spec as openapi  # noqa: E402

SPECS = REPO / "tests" / "data" / "specs"
DOCUMENTS = ["elasticpath-flows.yaml", "elasticpath-inventory.yaml", "elasticpath-carts-orders.yaml"]

CARTS_FLOW = """\
system carts {{
  base_url: "http://127.0.0.1:4010"
  spec: "{spec}"
}}

flow checkout {{
  cart = call carts.createACart(body: {{data: {{name: "Web cart", description: "from the ERP"}}}})
  for line in source.lines {{
    call carts.manageCarts(cartID: cart.body.data.id, body: {{data: {{type: "cart_item", id: line.sku, quantity: line.qty}}}})
  }}
  call carts.manageCarts(cartID: cart.body.data.id, body: {{data: {{type: "custom_item", name: "Gift wrap", sku: "gift", quantity: 1, price: {{amount: 500}}}}}})
  order = call carts.checkoutAPI(cartID: cart.body.data.id, body: {{data: {{customer: {{id: source.customer}}, billing_address: source.billing}}}})
  items = call carts.getOrderItems(orderID: order.body.data.id)
  return {{order: order.body.data.id, items: map(items.body.data, i => i.sku)}}
}}
"""


def measure(fn: Callable[[], object], repeat: int) -> tuple[float, float, float]:
    """Median and best wall-clock time, and median CPU time of this process (ms): on a busy machine
    the CPU time shows what the work itself costs."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(wall), min(wall), statistics.median(cpu)


def cold_load(path: Path) -> Callable[[], object]:
    def run() -> object:
        openapi._load_cached.cache_clear()
        return openapi.load_spec(path)

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    rows: list[tuple[str, float, float, float]] = []
    for name in DOCUMENTS:
        path = SPECS / name
        size = os.path.getsize(path) // 1024
        rows.append((f"load {name} ({size} KB), cold", *measure(cold_load(path), args.repeat)))
    carts = SPECS / "elasticpath-carts-orders.yaml"
    rows.append(("load elasticpath-carts-orders.yaml, cached", *measure(lambda: openapi.load_spec(carts), args.repeat)))
    with tempfile.TemporaryDirectory() as tmp:
        flow = Path(tmp) / "checkout.flow"
        flow.write_text(CARTS_FLOW.format(spec=carts), encoding="utf-8")

        def check_cold() -> object:
            openapi._load_cached.cache_clear()
            diags = check(load_project(str(flow)))
            assert not [d for d in diags if d.is_error], diags
            return diags

        rows.append(("check a flow against carts-orders (document load included)", *measure(check_cold, args.repeat)))
    width = max(len(r[0]) for r in rows)
    print(f"{'measurement'.ljust(width)}  median ms  best ms  cpu ms   (n={args.repeat})")
    for label, median, best, cpu in rows:
        print(f"{label.ljust(width)}  {median:9.1f}  {best:7.1f}  {cpu:6.1f}")


if __name__ == "__main__":
    main()
