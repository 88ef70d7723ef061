"""`flowlang run --record` against a real server on 127.0.0.1, and `given cassette` replaying it on both engines."""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e.harness import flowlang
from runtime_http.servers import FakeServer, Reply

from flowlang.testing.runner import main

FLOWS = Path(__file__).parent / "flows"
TOKEN = "tok-rec-5e1d77"


@pytest.fixture
def shop() -> Iterator[FakeServer]:
    with FakeServer() as server:
        server.sequence("GET", "/shop/orders", [
            Reply(503, headers={"Retry-After": "0"}),
            Reply(200, json={"orders": [{"id": "A"}, {"id": "B"}]}),
        ])
        server.reply("GET", "/shop/orders/A", json={"total": 10, "note": f"token was {TOKEN}"})
        server.reply("GET", "/shop/orders/B", json={"total": 20})
        server.sequence("POST", "/shop/invoices", [Reply(201, json={"id": 1}),
                                                   Reply(422, json={"error": "bad"})])
        yield server


@pytest.fixture
def recorded(shop: FakeServer, tmp_path: Path) -> Path:
    """shop.flow run for real with --record: the cassette beside a copy of the flow."""
    shutil.copy(FLOWS / "shop.flow", tmp_path / "shop.flow")
    done = flowlang("run", "shop.flow", "--record", "shop.cassette.json", cwd=tmp_path,
                    env={"SHOP_URL": f"{shop.url}/shop", "SHOP_TOKEN": TOKEN})
    assert done.code == 0, done.err
    assert done.err.splitlines()[-1] == "recorded 6 exchanges in shop.cassette.json"
    return tmp_path / "shop.cassette.json"


def test_the_recording_holds_every_exchange_in_order(shop: FakeServer, recorded: Path) -> None:
    cassette = json.loads(recorded.read_text(encoding="utf-8"))
    exchanges = cassette["interactions"]
    assert len(exchanges) == len(shop.requests) == 6
    assert [(e["operation"], e["request"]["method"], e["request"]["url"].removeprefix(shop.url),
             e["response"]["status"]) for e in exchanges] == [
        ("shop.list_orders", "GET", "/shop/orders", 503),
        ("shop.list_orders", "GET", "/shop/orders", 200),
        ("shop.get_order", "GET", "/shop/orders/A", 200),
        ("shop.create_invoice", "POST", "/shop/invoices", 201),
        ("shop.get_order", "GET", "/shop/orders/B", 200),
        ("shop.create_invoice", "POST", "/shop/invoices", 422),
    ]
    assert exchanges[3]["request"]["body"] == {"order": "A", "total": 10}
    assert exchanges[5]["response"]["body"] == {"error": "bad"}


def test_the_recording_holds_no_secret(recorded: Path) -> None:
    text = recorded.read_text(encoding="utf-8")
    assert TOKEN not in text
    exchanges = json.loads(text)["interactions"]
    assert {e["request"]["headers"]["authorization"] for e in exchanges} == {"<redacted>"}
    assert exchanges[2]["response"]["body"]["note"] == "token was <secret>"


def run_tests(test_file: Path, **options: object) -> tuple[int, str]:
    out = io.StringIO()
    code = main([str(test_file)], out=out, **options)  # type: ignore[arg-type]
    return code, re.sub(r" in \d+\.\d\ds", " in <time>", out.getvalue())


REPLAY = """\
import "shop.flow"

test "replays the recorded run" {
  given cassette "shop.cassette.json"
  given secret SHOP_TOKEN = "another-token"
  result = run invoice
  expect result == {invoiced: 1}
  expect length(calls(shop.list_orders)) == 2
  expect logs(failure) == ["order B: 422"]
}
"""


def test_a_test_replays_the_recording_on_both_engines(recorded: Path) -> None:
    test_file = recorded.parent / "shop_test.flow"
    test_file.write_text(REPLAY, encoding="utf-8")
    code, out = run_tests(test_file)
    assert code == 0, out
    assert "1 passed, 0 failed" in out


def test_a_request_that_differs_from_the_recording_fails_showing_the_difference(recorded: Path) -> None:
    cassette = json.loads(recorded.read_text(encoding="utf-8"))
    cassette["interactions"][3]["request"]["body"]["total"] = 11
    recorded.write_text(json.dumps(cassette), encoding="utf-8")
    test_file = recorded.parent / "shop_test.flow"
    test_file.write_text(REPLAY, encoding="utf-8")
    code, out = run_tests(test_file, engine="interpreter")
    assert code == 1
    assert (f"  request 4 differs from the recording in {recorded}: body: recorded "
            '{"order": "A", "total": 11}, sent {"order": "A", "total": 10}\n') in out


@pytest.mark.parametrize(("kept", "engine", "said"), [
    (4, "compiled", "request 5 is beyond the recording (4 requests): GET /shop/orders/B (shop.get_order)"),
    (1, "interpreter", "request 2 is beyond the recording (1 request): GET /shop/orders (shop.list_orders)"),
])
def test_a_request_beyond_the_recording_fails(recorded: Path, kept: int, engine: str, said: str) -> None:
    cassette = json.loads(recorded.read_text(encoding="utf-8"))
    del cassette["interactions"][kept:]
    recorded.write_text(json.dumps(cassette), encoding="utf-8")
    test_file = recorded.parent / "shop_test.flow"
    test_file.write_text(REPLAY, encoding="utf-8")
    code, out = run_tests(test_file, engine=engine)
    assert code == 1
    assert f"  {said}\n" in out


KEYED = """\
system stock {
  base_url: env("STOCK_URL", "http://127.0.0.1:9")
  auth: api_key("key", secret("STOCK_KEY"), in: "query")
  GET level "/levels/{sku}"
}

flow check_stock {
  return (call stock.level(sku: "S-1", query: {warehouse: "north"})).body
}

test "replays a call that carries its key in the query" {
  given cassette "stock.cassette.json"
  given secret STOCK_KEY = "test-key-000000"
  result = run check_stock
  expect result == {level: 4}
  expect calls(stock.level)[0].url == "http://127.0.0.1:9/levels/S-1?warehouse=north&key=***"
}
"""


def test_a_key_in_the_query_is_replaced_in_the_recording_and_matched_in_replay(tmp_path: Path) -> None:
    key = "live-key-93b1c2"
    flow = tmp_path / "stock_test.flow"
    flow.write_text(KEYED, encoding="utf-8")
    with FakeServer() as server:
        server.reply("GET", "/levels/S-1", json={"level": 4})
        done = flowlang("run", flow.name, "--record", "stock.cassette.json", cwd=tmp_path,
                        env={"STOCK_URL": server.url, "STOCK_KEY": key})
        assert done.code == 0, done.err
        assert server.requests[0].arg("key") == key
    text = (tmp_path / "stock.cassette.json").read_text(encoding="utf-8")
    assert key not in text
    assert json.loads(text)["interactions"][0]["request"]["url"] == (
        f"{server.url}/levels/S-1?warehouse=north&key=<secret>")
    code, out = run_tests(flow)
    assert code == 0, out


@pytest.mark.parametrize("where", ["missing/dir/c.json", "."])
def test_a_cassette_that_cannot_be_written_fails_before_any_request(shop: FakeServer, tmp_path: Path,
                                                                     where: str) -> None:
    shutil.copy(FLOWS / "shop.flow", tmp_path / "shop.flow")
    done = flowlang("run", "shop.flow", "--record", where, cwd=tmp_path,
                    env={"SHOP_URL": f"{shop.url}/shop", "SHOP_TOKEN": TOKEN})
    assert done.code == 2, done.err
    assert done.err.startswith(f"error: cannot write cassette {where}: ")
    assert len(done.err.splitlines()) == 1
    assert shop.requests == []  # nothing was read, nothing was written
    assert done.out == ""


def test_checking_the_cassette_path_leaves_no_file_when_nothing_ran(tmp_path: Path) -> None:
    (tmp_path / "broken.flow").write_text("flow f {\n  return nope\n}\n", encoding="utf-8")
    done = flowlang("run", "broken.flow", "--record", "c.json", cwd=tmp_path)
    assert done.code == 1, done.err
    assert not (tmp_path / "c.json").exists()
