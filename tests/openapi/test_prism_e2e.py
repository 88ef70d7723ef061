"""End to end: `flowlang run` against Prism (`prism mock SPEC`), which validates every request it receives
against the OpenAPI document and answers with the document's examples.

Prism comes from the npm registry: `npm install --prefix .ci/node @stoplight/prism-cli@5.14.2`. The tests
look for it in $PRISM_BIN, then on PATH, then in .ci/node/node_modules/.bin, and are skipped only when it
is not installed.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from .conftest import HERE, REAL_SPECS, REPO, TEST_SPECS

STARTUP_TIMEOUT = 90.0  # seconds; Prism usually listens after 2-10 s
FLOWS = REAL_SPECS / "elasticpath-flows.yaml"
SHOP = TEST_SPECS / "shop.yaml"


def prism_binary() -> str | None:
    candidates = [os.environ.get("PRISM_BIN"), shutil.which("prism"), str(REPO / ".ci/node/node_modules/.bin/prism")]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


PRISM = prism_binary()
pytestmark = pytest.mark.skipif(
    PRISM is None,
    reason="the prism binary is not installed: npm install --prefix .ci/node @stoplight/prism-cli@5.14.2",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class PrismServer:
    """A `prism mock` process on 127.0.0.1 and a free port; its log tells which requests it validated."""

    def __init__(self, spec: Path, log_path: Path) -> None:
        assert PRISM is not None
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = open(log_path, "wb")  # closed in stop()
        self.process = subprocess.Popen(
            [PRISM, "mock", "-h", "127.0.0.1", "-p", str(self.port), str(spec)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    def wait(self) -> None:
        """Return once Prism listens (both documents' servers start at the same time)."""
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"prism exited with {self.process.returncode}: {self.log()[-2000:]}")
            if "Prism is listening" in self.log():
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"prism did not start within {STARTUP_TIMEOUT} s: {self.log()[-2000:]}")

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def since(self, mark: int) -> str:
        """What Prism logged after `mark` (a length of the log from `len(server.log())`)."""
        return self.log()[mark:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


@pytest.fixture(scope="module")
def prism(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[Path], PrismServer]]:
    """Prism mocks of the Flows document and of tests/openapi/specs/shop.yaml, started side by side."""
    logs = tmp_path_factory.mktemp("prism")
    servers = {spec: PrismServer(spec, logs / f"{spec.stem}.log") for spec in (FLOWS, SHOP)}
    try:
        for server in servers.values():
            server.wait()
        yield servers.__getitem__
    finally:
        for server in servers.values():
            server.stop()


def run_flow(flow: Path, tmp_path: Path, env: dict[str, str], source: object = None) -> subprocess.CompletedProcess[str]:
    """`flowlang run FLOW` as a user runs it, with its own state database."""
    command = [sys.executable, "-m", "flowlang", "run", str(flow), "--state", str(tmp_path / "state.db")]
    if source is not None:
        payload = tmp_path / "input.json"
        payload.write_text(json.dumps(source), encoding="utf-8")
        command += ["--input", str(payload)]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=120, cwd=REPO, env={**os.environ, **env}
    )


def test_prism_answers_with_the_documents_examples(prism: Callable[[Path], PrismServer]) -> None:
    server = prism(FLOWS)
    response = httpx.get(f"{server.url}/v2/flows", headers={"Authorization": "Bearer t"})
    assert response.status_code == 200
    assert response.json()["data"][0]["slug"] == "products-1"


def test_the_create_flows_flow_runs_and_prism_accepts_every_request(
    prism: Callable[[Path], PrismServer], tmp_path: Path
) -> None:
    server = prism(FLOWS)
    mark = len(server.log())
    done = run_flow(HERE / "flows" / "create_flows.flow", tmp_path, {"EP_URL": server.url, "EP_TOKEN": "t0k3n"})
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert [c["slug"] for c in result["created"]] == ["customer-loyalty", "erp-order-link"]
    assert result["store_flows"] == ["products-1"]
    log = server.since(mark)
    assert log.count("The request passed the validation rules") == 5, log
    assert "Violation" not in log, log


def test_a_request_body_built_at_run_time_that_breaks_the_schema_is_rejected_by_prism(
    prism: Callable[[Path], PrismServer], tmp_path: Path
) -> None:
    server = prism(FLOWS)
    flow = tmp_path / "from_input.flow"
    flow.write_text(
        "system ep {\n"
        '  base_url: env("EP_URL")\n'
        '  auth: bearer(secret("EP_TOKEN"))\n'
        f'  spec: "{REAL_SPECS / "elasticpath-flows.yaml"}"\n'
        "}\n\n"
        "flow create_from_input {\n"
        '  r = call ep.createAFlow(body: {data: {type: "flow", name: source.name, enabled: source.enabled}})\n'
        "  return r.body.data.id\n"
        "}\n",
        encoding="utf-8",
    )
    mark = len(server.log())
    done = run_flow(flow, tmp_path, {"EP_URL": server.url, "EP_TOKEN": "t0k3n"}, {"name": "X", "enabled": "yes"})
    assert done.returncode == 3, done.stderr
    assert "HTTP 422" in done.stderr and "from_input.flow:8:" in done.stderr
    assert "Violation: request.body.data.enabled" in server.since(mark)


def test_spec_query_and_header_parameters_given_as_named_arguments_reach_the_server(
    prism: Callable[[Path], PrismServer], tmp_path: Path
) -> None:
    server = prism(SHOP)
    flow = tmp_path / "customers.flow"
    flow.write_text(
        "system shop {\n"
        '  base_url: env("SHOP_URL")\n'
        f'  spec: "{TEST_SPECS / "shop.yaml"}"\n'
        "}\n\n"
        "flow list_customers {\n"
        '  r = call shop.listCustomers(modified_since: "2024-01-01T00:00:00Z", status: "active",\n'
        '                              query: {"page[size]": 10}, headers: {"X-Tenant": "t1"})\n'
        "  return r.status\n"
        "}\n",
        encoding="utf-8",
    )
    mark = len(server.log())
    done = run_flow(flow, tmp_path, {"SHOP_URL": server.url})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == 200
    log = server.since(mark)
    assert log.count("The request passed the validation rules") == 1, log
    assert "Violation" not in log, log


def test_prism_rejects_a_request_without_a_required_query_parameter(
    prism: Callable[[Path], PrismServer], tmp_path: Path
) -> None:
    """The other side of the test above: Prism does check the parameters the named arguments set."""
    server = prism(SHOP)
    response = httpx.get(f"{server.url}/customers", headers={"X-Tenant": "t1"})
    assert response.status_code == 422


def test_the_compiled_module_sends_the_same_valid_requests(prism: Callable[[Path], PrismServer], tmp_path: Path) -> None:
    server = prism(FLOWS)
    env = {"EP_URL": server.url, "EP_TOKEN": "t0k3n"}
    module = tmp_path / "create_flows.py"
    compiled = subprocess.run(
        [sys.executable, "-m", "flowlang", "compile", str(HERE / "flows" / "create_flows.flow"), "-o", str(module)],
        capture_output=True, text=True, timeout=120, cwd=REPO,
    )
    assert compiled.returncode == 0, compiled.stderr
    interpreted = run_flow(HERE / "flows" / "create_flows.flow", tmp_path, env)
    mark = len(server.log())
    done = subprocess.run(
        [sys.executable, str(module), "--state", str(tmp_path / "compiled.db")],
        capture_output=True, text=True, timeout=120, cwd=REPO, env={**os.environ, **env},
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(interpreted.stdout)
    log = server.since(mark)
    assert log.count("The request passed the validation rules") == 5, log
    assert "Violation" not in log, log


class TokenAndForward(BaseHTTPRequestHandler):
    """Answers the OAuth2 token request that the Flows document does not describe, and forwards every
    other request unchanged to Prism (`self.server.upstream`)."""

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.command == "POST" and self.path == "/oauth/access_token":
            status, headers, content = 200, {"Content-Type": "application/json"}, json.dumps(
                {"access_token": "prism-token", "token_type": "Bearer", "expires_in": 3600}
            ).encode()
        else:
            skip = {"host", "content-length", "connection", "accept-encoding"}
            upstream = httpx.request(
                self.command, self.server.upstream + self.path, content=body,  # type: ignore[attr-defined]
                headers={k: v for k, v in self.headers.items() if k.lower() not in skip}, timeout=30,
            )
            status, content = upstream.status_code, upstream.content
            headers = {"Content-Type": upstream.headers.get("content-type", "application/json")}
        self.send_response(status)
        for key, value in {**headers, "Content-Length": str(len(content))}.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = do_PUT = do_DELETE = _handle

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def ep_gateway(prism: Callable[[Path], PrismServer]) -> Iterator[str]:
    """A local URL where the example's `ep` system finds both its token endpoint and the Prism mock."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), TokenAndForward)
    server.upstream = prism(FLOWS).url  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_the_elastic_path_example_runs_against_prism_and_every_request_is_valid(
    prism: Callable[[Path], PrismServer], ep_gateway: str, tmp_path: Path
) -> None:
    example = REPO / "examples" / "elasticpath_flows.flow"
    assert 'spec: "specs/elasticpath-flows.yaml"' in (REPO / "examples" / "systems.flow").read_text(encoding="utf-8")
    server = prism(FLOWS)
    mark = len(server.log())
    done = run_flow(example, tmp_path, {"EP_URL": ep_gateway})
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert [c["slug"] for c in result["created"]] == ["customer-loyalty", "erp-order-link", "product-compliance"]
    assert result["store_flows"] == ["products-1"]
    log = server.since(mark)
    assert log.count("The request passed the validation rules") == 4, log
    assert "Violation" not in log, log
