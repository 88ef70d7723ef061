"""launch() with the real HttpClient against a real server on 127.0.0.1: requests counted, secrets masked."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from flowlang.stdlib.system import fl_secret

from flowlang.runtime.config import bearer, build_operation, build_system, page
from flowlang.runtime.context import Run
from flowlang.runtime.launcher import EXIT_FAILED, EXIT_OK, launch
from flowlang.runtime.state import StateStore

TOKEN = "tok-5f0c1e2d9a"
W = ("shop.flow", 6, 3)


class ShopHandler(BaseHTTPRequestHandler):
    """GET /customers?page=N: two pages of two, then an empty page. POST /customers: 201, or 422 for 'bad'."""

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def _answer(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._answer(401, {"error": "no token"})
        number = int(parse_qs(urlparse(self.path).query).get("page", ["1"])[0])
        records = [{"id": (number - 1) * 2 + i} for i in (1, 2)] if number <= 2 else []
        self._answer(200, {"data": records})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if body.get("name") == "bad":
            return self._answer(422, {"error": f"rejected with token {TOKEN}"})
        self._answer(201, {"created": body})


@pytest.fixture
def shop_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), ShopHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def start(url: str, body: Any, state_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    monkeypatch.setenv("SHOP_TOKEN", TOKEN)

    def systems() -> dict[str, Any]:
        operations = [
            build_operation("list_customers", "GET", "/customers", {"items": "data", "paginate": page("page")}),
            build_operation("create_customer", "POST", "/customers"),
        ]
        settings = {"base_url": url, "auth": bearer(fl_secret("SHOP_TOKEN")), "retry": 0}
        return {"shop": build_system("shop", settings, operations)}

    stdout, stderr = io.StringIO(), io.StringIO()
    code = launch(
        file="shop.flow", flow_name="shop", slug="shop", build_systems=systems, body=body,
        state_path=str(state_path), stdout=stdout, stderr=stderr,
    )
    return code, stdout.getvalue(), stderr.getvalue()


def test_every_request_is_counted_in_the_summary_and_the_run_record(
    shop_url: str, state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def body(run: Run) -> Any:
        ids = [c["id"] for c in run.each("shop", "list_customers", {}, W)]
        created = run.call("shop", "create_customer", {"body": {"name": "Zoë"}}, W)
        run.log("success", f"created {created['body']['created']['name']}", W)
        return ids

    code, stdout, stderr = start(shop_url, body, state_path, monkeypatch)
    assert (code, json.loads(stdout)) == (EXIT_OK, [1, 2, 3, 4])
    assert "1 succeeded, 0 failed, 4 requests in" in stderr.splitlines()[-1]
    with StateStore(state_path) as store:
        assert store.list_runs()[0].requests == 4


def test_a_rejected_request_fails_the_run_with_the_secret_masked(
    shop_url: str, state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def body(run: Run) -> Any:
        return run.call("shop", "create_customer", {"body": {"name": "bad"}}, W)

    code, stdout, stderr = start(shop_url, body, state_path, monkeypatch)
    assert (code, stdout) == (EXIT_FAILED, "")
    assert stderr.startswith("shop.flow:6:3: error: ")
    assert TOKEN not in stderr
    with StateStore(state_path) as store:
        record = store.list_runs()[0]
    assert (record.status, record.requests) == ("failed", 1)
    assert record.error is not None and TOKEN not in record.error


def test_parallel_calls_share_the_client_and_are_all_counted(
    shop_url: str, state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def body(run: Run) -> Any:
        names: list[str] = []

        def create(n: int) -> None:
            response = run.call("shop", "create_customer", {"body": {"name": f"c{n}"}}, W)
            with run.lock:
                names.append(response["body"]["created"]["name"])

        run.parallel_for(range(20), 5, create, W)
        return sorted(names)

    code, stdout, stderr = start(shop_url, body, state_path, monkeypatch)
    assert code == EXIT_OK
    assert json.loads(stdout) == sorted(f"c{n}" for n in range(20))
    assert "20 requests in" in stderr.splitlines()[-1]
