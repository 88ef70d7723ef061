"""Every example runs end to end through `flowlang run` against the fake systems, and does what it says.

Each example runs twice in a row against its own fresh fake systems and one state database (the second
run shows what an incremental or idempotent flow does when nothing changed); the tests read those runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import demo
import fake_data
import fake_systems
import pytest
from example_paths import EXAMPLES

NOW = "2026-06-01T12:00:00Z"


@dataclass
class Run:
    """One `flowlang run` and the requests the fake systems received during it."""

    done: subprocess.CompletedProcess[str]
    requests: list[dict[str, Any]]

    @property
    def result(self) -> Any:
        assert self.done.returncode == 0, self.done.stderr
        return json.loads(self.done.stdout)

    def sent(self, method: str, path_prefix: str) -> list[dict[str, Any]]:
        return [
            r for r in self.requests if r["method"] == method and r["path"].startswith(path_prefix)
        ]


@dataclass
class ExampleRuns:
    first: Run
    second: Run
    systems: fake_systems.FakeSystems  # the fake systems' data after both runs


def run_example(server: fake_systems.RunningServer, name: str, state: Path) -> Run:
    """`flowlang run` of an example as the demo runs it, with a fixed clock and seed."""
    env = {**os.environ, **server.env(), "FLOWLANG_NOW": NOW, "FLOWLANG_SEED": "7"}
    command = [*demo.FLOWLANG, *demo.flow_command(name, state)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)
    requests = server.requests()
    server.clear()
    return Run(done, requests)


def run_twice(name: str, state: Path) -> ExampleRuns:
    with fake_systems.start() as server:
        first = run_example(server, name, state)
        second = run_example(server, name, state)
    return ExampleRuns(first, second, server.systems)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], ExampleRuns]]:
    """`runs(name)`: the example's two runs. Every example starts on first use, two at a time."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        started: dict[str, Future[ExampleRuns]] = {}

        def get(name: str) -> ExampleRuns:
            if not started:
                for example in [name, *(n for n in demo.examples() if n != name)]:
                    state = tmp_path_factory.mktemp(example) / "state.db"
                    started[example] = pool.submit(run_twice, example, state)
            return started[name].result()

        yield get


def money(amount: Decimal) -> str:
    return str(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


# ---------------------------------------------------------------- P21 -> Magento

Runs = Callable[[str], ExampleRuns]


def test_p21_to_magento_creates_every_customer_with_a_valid_email(runs: Runs) -> None:
    first = runs("p21_to_magento").first
    skipped = {fake_data.NO_EMAIL, fake_data.BAD_EMAIL}
    assert first.result == {
        "since": "1970-01-01T00:00:00Z",
        "created": fake_data.CUSTOMER_COUNT - len(skipped),
    }
    created = first.sent("POST", "/magento/rest/V1/customers")
    emails = [r["body"]["customer"]["email"] for r in created if r["status"] == 200]
    expected = [
        c["email"].strip().lower() for c in fake_data.p21_customers() if c["id"] not in skipped
    ]
    assert emails == expected


def test_p21_to_magento_maps_names_and_addresses(runs: Runs) -> None:
    shop = runs("p21_to_magento").systems.shop_customers
    for customer in fake_data.p21_customers():
        if customer["id"] in (fake_data.NO_EMAIL, fake_data.BAD_EMAIL):
            continue
        created = shop[customer["email"].strip().lower()]
        assert created["firstname"] == customer["first_name"]
        assert created["lastname"] == (customer["last_name"] or "-")
        addresses = customer["addresses"] or []
        assert [a["street"] for a in created["addresses"]] == [[a["line1"]] for a in addresses]


def test_p21_to_magento_logs_the_customers_it_could_not_create(runs: Runs) -> None:
    stderr = runs("p21_to_magento").first.done.stderr
    assert f"customer {fake_data.NO_EMAIL} has no email" in stderr
    assert f"customer {fake_data.BAD_EMAIL}: 400" in stderr


def test_p21_to_magento_reads_every_page_then_stops_on_the_empty_one(runs: Runs) -> None:
    first = runs("p21_to_magento").first
    pages = [r["query"]["page"] for r in first.sent("GET", "/p21/api/customers")]
    full_pages = -(-fake_data.CUSTOMER_COUNT // 10)
    assert pages == [str(n) for n in range(1, full_pages + 2)]


def test_p21_to_magento_second_run_asks_only_for_changes_since_the_first(runs: Runs) -> None:
    second = runs("p21_to_magento").second
    assert second.result["created"] == 0
    assert second.result["since"] != "1970-01-01T00:00:00Z"
    assert second.sent("POST", "/magento") == []
    asked = second.sent("GET", "/p21")[0]["query"]["modified_since"]
    assert asked == second.result["since"]


# ---------------------------------------------------------------- order webhook -> ERP


def sample_order() -> dict[str, Any]:
    return json.loads((EXAMPLES / "samples" / "order_webhook.json").read_text(encoding="utf-8"))


def expected_line(line: dict[str, Any]) -> dict[str, Any]:
    unit_price = Decimal(line["price"])
    discount = Decimal(line.get("total_discount", "0"))
    return {
        "sku": line["sku"].strip().upper(),
        "description": line["title"][:40],
        "quantity": line["quantity"],
        "unit_price": money(unit_price),
        "amount": money(unit_price * line["quantity"] - discount),
    }


def test_order_webhook_creates_the_order_header_from_the_payload(runs: Runs) -> None:
    example = runs("order_webhook")
    order = sample_order()
    erp_order = example.systems.orders[example.first.result["order_id"]]
    assert erp_order["external_id"] == str(order["id"])
    assert erp_order["order_date"] == order["created_at"][:10]  # the shop's local date
    assert erp_order["customer_email"] == order["customer"]["email"].strip().lower()
    assert erp_order["currency"] == order["currency"].upper()
    assert erp_order["ship_to"]["street"] == ", ".join(
        [order["shipping_address"]["address1"], order["shipping_address"]["address2"]]
    )


def test_order_webhook_sends_lines_with_money_as_two_place_decimals(runs: Runs) -> None:
    example = runs("order_webhook")
    known = {item["sku"] for item in fake_data.erp_items()}
    lines = [expected_line(line) for line in sample_order()["line_items"]]
    erp_order = example.systems.orders[example.first.result["order_id"]]
    assert erp_order["lines"] == [line for line in lines if line["sku"] in known]


def test_order_webhook_logs_a_rejected_line_and_goes_on(runs: Runs) -> None:
    first = runs("order_webhook").first
    assert first.result["lines"] == len(sample_order()["line_items"])
    assert [(r["line"], r["sku"]) for r in first.result["rejected"]] == [(3, "SKU-9999")]
    assert "unknown item SKU-9999" in first.result["rejected"][0]["reason"]
    assert "(SKU-9999): 422" in first.done.stderr
    assert len(first.sent("POST", "/erp/api/orders/")) == len(sample_order()["line_items"])


def test_order_webhook_sent_twice_fails_with_the_erps_conflict(runs: Runs) -> None:
    second = runs("order_webhook").second
    assert second.done.returncode == 3
    assert "order_webhook.flow:" in second.done.stderr
    assert "already exists" in second.done.stderr
    assert "Traceback" not in second.done.stderr
    assert second.sent("POST", "/erp/api/orders/") == []


# ---------------------------------------------------------------- inventory sync


def available(item: dict[str, Any]) -> int:
    return max(item["on_hand"] - item["allocated"], 0)


def test_inventory_sync_sets_the_stock_of_every_item_the_shop_sells(runs: Runs) -> None:
    example = runs("inventory_sync")
    in_shop = [i for i in fake_data.erp_items() if i["sku"] not in fake_data.NOT_IN_SHOP]
    assert example.systems.shop_stock == {
        i["sku"]: {"qty": available(i), "is_in_stock": available(i) > 0} for i in in_shop
    }
    assert example.first.result["updated"] == len(in_shop)


def test_inventory_sync_reports_unknown_and_low_stock_items_sorted(runs: Runs) -> None:
    first = runs("inventory_sync").first
    in_shop = [i for i in fake_data.erp_items() if i["sku"] not in fake_data.NOT_IN_SHOP]
    assert first.result["not_in_shop"] == sorted(fake_data.NOT_IN_SHOP)
    assert first.result["low_stock"] == sorted(i["sku"] for i in in_shop if available(i) < 5)


def test_inventory_sync_follows_the_cursor_to_the_last_page(runs: Runs) -> None:
    first = runs("inventory_sync").first
    cursors = [r["query"].get("cursor") for r in first.sent("GET", "/erp/api/inventory")]
    assert cursors == [None, *[f"c{n}" for n in range(25, fake_data.ITEM_COUNT, 25)]]


def test_inventory_sync_second_run_finds_nothing_new(runs: Runs) -> None:
    second = runs("inventory_sync").second
    assert second.result["updated"] == 0
    assert second.sent("PUT", "/magento") == []
    assert second.sent("GET", "/erp")[0]["query"]["modified_since"] == second.result["since"]


def test_inventory_sync_stops_on_a_server_error_and_commits_no_state(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    with fake_systems.start() as server:
        server.inject("PUT", "/magento/rest/V1/products/SKU-1020/stockItems/1", 500)
        failed = run_example(server, "inventory_sync", state)
        retried = run_example(server, "inventory_sync", state)
    assert failed.done.returncode == 3
    assert "stock update of SKU-1020 failed" in failed.done.stderr
    assert retried.result["since"] == "1970-01-01T00:00:00Z"
    assert retried.result["updated"] == fake_data.ITEM_COUNT - len(fake_data.NOT_IN_SHOP)


# ---------------------------------------------------------------- price sync


def test_price_sync_sends_every_price_to_its_currencys_store(runs: Runs) -> None:
    example = runs("price_sync")
    stores = {"USD": 1, "EUR": 2}
    shop = fake_data.shop_skus()
    prices = fake_data.erp_prices()
    assert example.systems.shop_prices == {
        (p["sku"], stores[p["currency"]]): round(p["list_price_cents"] / 100, 2)
        for p in prices
        if p["sku"] in shop
    }
    rejected = [p["sku"] for p in prices if p["sku"] not in shop]
    assert example.first.result == {
        "prices": len(prices),
        "sent": len(prices) - len(rejected),
        "rejected": rejected,
    }


def test_price_sync_retries_the_batch_that_met_a_503(runs: Runs) -> None:
    posts = runs("price_sync").first.sent("POST", "/magento/rest/V1/products/base-prices")
    assert [r["status"] for r in posts[:3]] == [200, 503, 200]
    assert posts[1]["body"] == posts[2]["body"]
    assert all(len(r["body"]["prices"]) <= 10 for r in posts)


def test_price_sync_logs_rejected_prices_with_the_message_filled_in(runs: Runs) -> None:
    stderr = runs("price_sync").first.done.stderr
    assert "Requested product doesn't exist: SKU-1013" in stderr
    assert "%sku" not in stderr


# ---------------------------------------------------------------- sales report


def test_sales_report_sums_invoiced_lines_per_region_best_first(runs: Runs) -> None:
    result = runs("sales_report").first.result
    lines = [r for r in fake_data.erp_sales(fake_data.SALES_MONTH) if r["status"] == "invoiced"]
    regions = [
        {
            "region": region,
            "orders": len({r["order_no"] for r in lines if r["region"] == region}),
            "units": sum(r["quantity"] for r in lines if r["region"] == region),
            "net": round(sum(r["net_cents"] for r in lines if r["region"] == region) / 100, 2),
        }
        for region in dict.fromkeys(r["region"] for r in lines)
    ]
    assert result["month"] == fake_data.SALES_MONTH
    assert result["lines"] == len(lines)
    assert result["net"] == round(sum(r["net_cents"] for r in lines) / 100, 2)
    assert result["regions"] == sorted(regions, key=lambda r: r["net"], reverse=True)


def test_sales_report_polls_the_export_then_follows_the_next_links(runs: Runs) -> None:
    first = runs("sales_report").first
    export = first.result["export"]
    checks = first.sent("GET", f"/erp/api/exports/{export}")
    pages = [r for r in checks if r["path"].endswith("/rows")]
    statuses = [r for r in checks if not r["path"].endswith("/rows")]
    row_count = len(fake_data.erp_sales(fake_data.SALES_MONTH))
    assert len(statuses) == 2
    assert [r["query"].get("page") for r in pages] == [
        None,
        *[str(n) for n in range(2, -(-row_count // 15) + 1)],
    ]


def test_sales_report_of_a_month_without_sales_is_empty(
    fake: fake_systems.RunningServer, tmp_path: Path
) -> None:
    env = {**os.environ, **fake.env()}
    flow = str(EXAMPLES / "sales_report.flow")
    command = [*demo.FLOWLANG, "run", flow, "--input", "-", "--state", str(tmp_path / "s.db")]
    done = subprocess.run(
        command, input='{"month": "2026-04"}', env=env, capture_output=True, text=True, timeout=60
    )
    result = Run(done, fake.requests()).result
    assert (result["month"], result["lines"], result["regions"]) == ("2026-04", 0, [])
    assert "no invoiced sales in 2026-04" in done.stderr


# ---------------------------------------------------------------- Elastic Path flows


def test_elasticpath_flows_creates_the_missing_flows_and_keeps_the_existing(runs: Runs) -> None:
    example = runs("elasticpath_flows")
    before = [f["slug"] for f in fake_data.elasticpath_flows()]
    result = example.first.result
    created = [f["slug"] for f in result["created"]]
    assert created == ["erp-order-link", "product-compliance"]
    assert result["existing"] == [slug for slug in before if slug == "customer-loyalty"]
    assert result["store_flows"] == before + created
    assert all(f["id"] == example.systems.ep_flows[f["slug"]]["id"] for f in result["created"])


def test_elasticpath_flows_posts_json_api_bodies(runs: Runs) -> None:
    bodies = [
        r["body"]["data"] for r in runs("elasticpath_flows").first.sent("POST", "/ep/v2/flows")
    ]
    assert {b["type"] for b in bodies} == {"flow"}
    assert {b["slug"]: b["enabled"] for b in bodies}["product-compliance"] is False
    assert all(set(b) == {"type", "name", "slug", "description", "enabled"} for b in bodies)


def test_elasticpath_flows_fetches_one_oauth2_token_for_the_whole_run(runs: Runs) -> None:
    first = runs("elasticpath_flows").first
    tokens = first.sent("POST", "/ep/oauth/access_token")
    assert [r["body"]["grant_type"] for r in tokens] == ["client_credentials"]
    assert first.requests[0] == tokens[0]
    assert all(r["status"] != 401 for r in first.requests)


def test_elasticpath_flows_second_run_creates_nothing(runs: Runs) -> None:
    second = runs("elasticpath_flows").second
    assert second.result["created"] == []
    assert len(second.result["existing"]) == len(second.sent("POST", "/ep/v2/flows"))


# ---------------------------------------------------------------- the quickstart


def run_demo(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(EXAMPLES / "demo.py"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_demo_runs_the_quickstart_with_one_command() -> None:
    done = run_demo()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "$ flowlang run examples/p21_to_magento.flow" in done.stdout
    assert "exit code 0" in done.stdout
    assert "POST /magento/rest/V1/customers -> 200" in done.stdout


def test_the_demo_compiles_the_flow_and_runs_it_twice_on_request() -> None:
    done = run_demo("elasticpath_flows", "--compiled", "--twice")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "$ flowlang compile examples/elasticpath_flows.flow" in done.stdout
    assert done.stdout.count("exit code 0") == 2
    second_run = done.stdout.rsplit("$ python ", 1)[1]
    assert "POST /ep/v2/flows -> 201" not in second_run
