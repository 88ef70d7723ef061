"""Fake P21, Magento, ERP and Elastic Path APIs on one local HTTP server, for the examples and their tests.

Run it:      python examples/fake_systems.py [--port 8765]
Use it:      from fake_systems import start; server = start(); ...; server.stop()

Each system lives under its own path prefix (/p21, /magento, /erp, /ep) and checks a bearer token
(P21_TOKEN, MAGENTO_TOKEN, ERP_TOKEN, EP_TOKEN from the environment, defaulting to demo-<system>-token).
The server records every request it receives: GET /__requests lists them, DELETE /__requests forgets
them, POST /__reset also restores the initial data. POST /__faults {"method", "path", "status", "times",
"body"} makes the next requests to that path fail (until a reset).
"""

from __future__ import annotations

import argparse
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from fake_apis import FakeApis  # sibling modules: examples/ is on sys.path here
from fake_http import HttpProblem, JsonServer, Request, Response

SYSTEMS = ("p21", "magento", "erp", "ep")


class FakeSystems(FakeApis):
    """The fake APIs behind one router that checks tokens, logs requests and injects faults."""

    def __init__(self) -> None:
        super().__init__()
        self.tokens = {
            name: os.environ.get(f"{name.upper()}_TOKEN", f"demo-{name}-token") for name in SYSTEMS
        }
        self.routes: list[tuple[str, str, re.Pattern[str], Callable[[Request], Response]]] = []
        for method, pattern, handler in self.endpoints():
            regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern)
            self.routes.append((method, pattern, re.compile(f"^{regex}$"), handler))
        self.reset()

    def reset(self) -> None:
        """Forget every request, fault and change: back to the seeded data."""
        with self.lock:
            self.requests: list[dict[str, Any]] = []
            self.faults: list[dict[str, Any]] = []
            self.reset_data()

    # ------------------------------------------------------------ dispatch

    def handle(self, req: Request) -> Response:
        """Answer one request and record it (requests to /__* are not recorded)."""
        if req.path == "/__requests":
            if req.method == "DELETE":
                with self.lock:
                    self.requests.clear()
                return 204, None, {}
            with self.lock:
                return 200, list(self.requests), {}
        if req.path == "/__reset" and req.method == "POST":
            self.reset()
            return 204, None, {}
        if req.path == "/__faults" and req.method == "POST":
            self.add_fault(req.body)
            return 204, None, {}
        try:
            response = self.take_fault(req) or self.dispatch(req)
        except HttpProblem as problem:
            response = problem.response
        with self.lock:
            self.requests.append(
                {
                    "method": req.method,
                    "path": req.path,
                    "query": req.query,
                    "body": req.body,
                    "status": response[0],
                }
            )
        return response

    def add_fault(self, fault: Any) -> None:
        """Answer the next `times` requests to `method path` with `status` (and `body`)."""
        if not isinstance(fault, dict) or not {"method", "path", "status"} <= fault.keys():
            raise HttpProblem(400, {"error": "a fault needs method, path and status"})
        with self.lock:
            self.faults.append({"times": 1, "body": {"error": "injected fault"}, **fault})

    def take_fault(self, req: Request) -> Response | None:
        with self.lock:
            for fault in self.faults:
                if (fault["method"], fault["path"]) == (req.method, req.path) and fault[
                    "times"
                ] > 0:
                    fault["times"] -= 1
                    return int(fault["status"]), fault["body"], {}
        return None

    def dispatch(self, req: Request) -> Response:
        allowed = []
        for method, _, regex, handler in self.routes:
            match = regex.match(req.path)
            if match:
                if method != req.method:
                    allowed.append(method)
                    continue
                req.params = {k: unquote(v) for k, v in match.groupdict().items()}
                if handler != self.ep_token:
                    self.authorize(req)
                return handler(req)
        if allowed:
            raise HttpProblem(
                405, {"error": f"{req.method} not allowed"}, {"Allow": ", ".join(allowed)}
            )
        raise HttpProblem(404, {"error": f"no route for {req.method} {req.path}"})

    def route_of(self, method: str, path: str) -> str:
        """The route template a request matched (`/erp/api/orders/{order_id}/lines`), else the path."""
        for route_method, pattern, regex, _ in self.routes:
            if route_method == method and regex.match(path):
                return pattern
        return path

    def authorize(self, req: Request) -> None:
        system = req.path.split("/")[1]
        token = req.headers.get("authorization", "")
        scheme, _, value = token.partition(" ")
        good = {self.tokens[system]} | (self.ep_issued if system == "ep" else set())
        if scheme.lower() != "bearer" or value not in good:
            raise HttpProblem(
                401, {"error": "missing or invalid bearer token"}, {"WWW-Authenticate": "Bearer"}
            )


@dataclass
class RunningServer:
    """A fake-systems server running in a background thread."""

    url: str
    systems: FakeSystems
    _server: JsonServer
    _thread: threading.Thread

    def env(self) -> dict[str, str]:
        """The *_URL variables that point the examples' systems at this server."""
        return {f"{name.upper()}_URL": f"{self.url}/{name}" for name in SYSTEMS}

    def requests(self) -> list[dict[str, Any]]:
        with self.systems.lock:
            return list(self.systems.requests)

    def clear(self) -> None:
        """Forget the requests received so far (the data stays as it is)."""
        with self.systems.lock:
            self.systems.requests.clear()

    def reset(self) -> None:
        self.systems.reset()

    def inject(self, method: str, path: str, status: int, times: int = 1, body: Any = None) -> None:
        """Answer the next `times` requests to `method path` with `status` instead of the real answer."""
        fault = {"method": method, "path": path, "status": status, "times": times}
        self.systems.add_fault(fault if body is None else {**fault, "body": body})

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start(port: int = 0, host: str = "127.0.0.1") -> RunningServer:
    """Start the fake systems on `host:port` (0: a free port) in a daemon thread."""
    systems = FakeSystems()
    server = JsonServer((host, port), systems)
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name="fake-systems", daemon=True
    )
    thread.start()
    return RunningServer(f"http://{host}:{server.server_address[1]}", systems, server, thread)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Serve the fake systems the flowlang examples talk to."
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    server = JsonServer((args.host, args.port), FakeSystems())
    base = f"http://{args.host}:{server.server_address[1]}"
    print(f"fake systems on {base}: " + ", ".join(f"{base}/{name}" for name in SYSTEMS), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
