"""`flowlang run --plan` (and a compiled module's `--plan`) against a real server that records every request."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e.harness import flowlang, run_both
from runtime_http.servers import FakeServer, Reply

from flowlang.runtime.state import StateStore

FLOWS = Path(__file__).parent / "flows"
TOKEN = "tok-plan-7f3a9c"


@pytest.fixture
def shop() -> Iterator[FakeServer]:
    with FakeServer() as server:
        server.reply("POST", "/shop/search", json={"orders": [{"id": "A", "total": 10}, {"id": "B", "total": 20}]})
        server.reply("POST", "/shop/invoices", status=201, json={"id": "INV-1"})
        server.route("DELETE", "/shop/orders/A", lambda _r: Reply(204))
        server.route("DELETE", "/shop/orders/B", lambda _r: Reply(204))
        yield server


@pytest.fixture
def flow(tmp_path: Path) -> Path:
    target = tmp_path / "plan.flow"
    shutil.copy(FLOWS / "plan.flow", target)
    return target


def env(server: FakeServer) -> dict[str, str]:
    return {"SHOP_URL": f"{server.url}/shop", "SHOP_TOKEN": TOKEN}


def test_plan_sends_reads_and_no_write_on_both_engines(shop: FakeServer, flow: Path) -> None:
    both = run_both(flow, "--plan", env=env(shop))
    assert both.code == 0, both.err
    assert [r.line() for r in shop.requests] == ["POST /shop/search", "POST /shop/search"]  # safe: true
    assert both.out == (
        "plan of flow invoice: 4 writes planned, none sent\n"
        "\n"
        "  operation            writes\n"
        "  shop.create_invoice       2\n"
        "  shop.drop_order           2\n"
        "\n"
        "shop.create_invoice:\n"
        f'  POST {shop.url}/shop/invoices  {{"order": "A", "total": 10, "key": "***"}}  (line 13)\n'
        f'  POST {shop.url}/shop/invoices  {{"order": "B", "total": 20, "key": "***"}}  (line 13)\n'
        "\n"
        "shop.drop_order:\n"
        f"  DELETE {shop.url}/shop/orders/A  (line 15)\n"
        f"  DELETE {shop.url}/shop/orders/B  (line 15)\n"
    )
    assert "run planned: 0 succeeded, 0 failed, 1 request in" in both.err
    assert TOKEN not in both.out + both.err


def test_plan_as_json_holds_every_write_whole(shop: FakeServer, flow: Path) -> None:
    done = flowlang("run", flow.name, "--plan", "--format", "json", cwd=flow.parent, env=env(shop))
    assert done.code == 0, done.err
    plan = json.loads(done.out)
    assert (plan["flow"], plan["status"], plan["result"]) == ("invoice", "planned", {"invoiced": 2})
    assert plan["writes"][0] == {"operation": "shop.create_invoice", "method": "POST",
                                 "url": f"{shop.url}/shop/invoices",
                                 "body": {"order": "A", "total": 10, "key": "***"}, "line": 13}
    assert [(w["method"], w["url"].removeprefix(shop.url)) for w in plan["writes"][1:]] == [
        ("DELETE", "/shop/orders/A"), ("POST", "/shop/invoices"), ("DELETE", "/shop/orders/B")]


def test_the_first_use_of_planned_data_is_warned_about_once(shop: FakeServer, flow: Path) -> None:
    done = flowlang("run", flow.name, "--plan", cwd=flow.parent, env=env(shop))
    warnings = [line for line in done.err.splitlines() if " WARN " in line]
    assert len(warnings) == 1, done.err
    assert warnings[0].endswith(
        "WARN plan.flow:13 the flow reads `body` of the answer to a planned write (shop.create_invoice): a plan "
        "answers writes with {status: 0, ok: true, planned: true, body: null}, so what the flow does next may "
        "differ from a real run")


def test_plan_commits_no_state_and_records_no_run(shop: FakeServer, flow: Path) -> None:
    real = flowlang("run", flow.name, "--state", "state.db", cwd=flow.parent, env=env(shop))
    assert real.code == 0, real.err
    assert len(shop.received("POST", "/shop/invoices")) == 2
    shop.reply("POST", "/shop/search", json={"orders": [{"id": "C", "total": 5}]})
    planned = flowlang("run", flow.name, "--state", "state.db", "--plan", cwd=flow.parent, env=env(shop))
    assert planned.code == 0, planned.err
    assert len(shop.received("POST", "/shop/invoices")) == 2  # still only the real run's
    with StateStore(flow.parent / "state.db") as store:
        assert store.load("invoice") == {"last": 2}
        assert [r.status for r in store.list_runs("invoice")] == ["ok"]


def test_plan_creates_no_state_database(shop: FakeServer, flow: Path) -> None:
    done = flowlang("run", flow.name, "--plan", cwd=flow.parent, env=env(shop))
    assert done.code == 0, done.err
    assert not (flow.parent / ".flowlang").exists()


def test_a_flow_that_fails_shows_the_writes_planned_before(shop: FakeServer, flow: Path) -> None:
    shop.reply("POST", "/shop/search", status=500, json={"error": "down"})
    done = flowlang("run", flow.name, "--plan", cwd=flow.parent, env=env(shop))
    assert done.code == 3
    assert done.out == "plan of flow invoice: 0 writes planned before the flow failed, none sent\n"


def test_safe_is_true_or_false(tmp_path: Path) -> None:
    from flowlang.checker import check
    from flowlang.loader import load_project

    path = tmp_path / "safe.flow"
    path.write_text('system s {\n  base_url: "http://127.0.0.1:9"\n  POST q "/q" { safe: "yes" }\n}\n'
                    'flow f {\n  return 1\n}\n', encoding="utf-8")
    found = [(d.code, d.message, d.span.line) for d in check(load_project(str(path))) if d.is_error]
    assert found == [("E214", "'safe' must be true or false, got a string", 3)]
