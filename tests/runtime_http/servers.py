"""Real HTTP servers on 127.0.0.1 for tests: a scriptable stdlib server, paginated APIs, oauth2, uvicorn.

Reusable by any test (differential tests included):

    with FakeServer() as server:
        server.reply("GET", "/customers/7", json={"id": 7})
        server.sequence("POST", "/orders", [Reply(503, headers={"retry-after": "0"}), Reply(201, json={})])
        server.route("GET", "/items", page_handler(records, per_page=10))
        ...  # talk to server.url
        server.requests   # every request received, in order (Recorded)
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

_UNSET: Any = object()


@dataclass
class Recorded:
    """One request the server received."""

    method: str
    path: str  # without the query string
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    at: float = field(default_factory=time.monotonic)

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The first value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else default

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def line(self) -> str:
        """`METHOD /path?query` as sent (for comparing request sequences)."""
        query = "&".join(f"{k}={v}" for k, vs in sorted(self.query.items()) for v in vs)
        return f"{self.method} {self.path}" + (f"?{query}" if query else "")


@dataclass
class Reply:
    """What to answer: a JSON value (`json=`), text (`text=`) or raw bytes (`raw=`); `delay` before answering."""

    status: int = 200
    json: Any = _UNSET
    text: str | None = None
    raw: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    def encode(self) -> tuple[bytes, dict[str, str]]:
        headers = {k.lower(): v for k, v in self.headers.items()}
        if self.raw is not None:
            return self.raw, headers
        if self.text is not None:
            headers.setdefault("content-type", "text/plain; charset=utf-8")
            return self.text.encode(), headers
        if self.json is not _UNSET:
            headers.setdefault("content-type", "application/json")
            return json.dumps(self.json).encode(), headers
        return b"", headers


Handler = Callable[[Recorded], Reply]


class _Listener(ThreadingHTTPServer):
    request_queue_size = 256  # the default backlog of 5 drops connects of parallel clients (1 s SYN retry)


class FakeServer:
    """A threaded HTTP/1.1 server (keep-alive) on 127.0.0.1 with a free port, answering scripted routes."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.routes: dict[tuple[str, str], Handler] = {}
        self.connections = 0  # TCP connections accepted (keep-alive reuses one)
        self.in_flight = 0  # requests being answered right now
        self.max_in_flight = 0  # the most answered at once (shows that a client runs requests in parallel)
        self._lock = threading.Lock()
        self._httpd = _Listener(("127.0.0.1", 0), _make_handler(self))
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self.port = self._httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.daemon = True
        self._thread.start()

    def route(self, method: str, path: str, handler: Handler) -> None:
        self.routes[(method.upper(), path)] = handler

    def reply(self, method: str, path: str, status: int = 200, **reply: Any) -> None:
        """Always answer `method path` with the same Reply."""
        fixed = Reply(status, **reply)
        self.route(method, path, lambda _req: fixed)

    def sequence(self, method: str, path: str, replies: list[Reply]) -> None:
        """Answer with `replies` in turn; the last one repeats."""
        counter = itertools.count()
        self.route(method, path, lambda _req: replies[min(next(counter), len(replies) - 1)])

    def received(self, method: str | None = None, path: str | None = None) -> list[Recorded]:
        with self._lock:
            return [
                r for r in self.requests
                if (method is None or r.method == method) and (path is None or r.path == path)
            ]

    def _handle(self, recorded: Recorded) -> Reply:
        with self._lock:
            self.requests.append(recorded)
        handler = self.routes.get((recorded.method, recorded.path))
        if handler is None:
            return Reply(404, json={"error": f"no route {recorded.method} {recorded.path}"})
        return handler(recorded)

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def __enter__(self) -> FakeServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _make_handler(server: FakeServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # else each reply waits ~40 ms for a delayed ACK

        def setup(self) -> None:
            super().setup()
            with server._lock:
                server.connections += 1

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            recorded = Recorded(
                self.command,
                parts.path,
                parse_qs(parts.query, keep_blank_values=True),
                {k.lower(): v for k, v in self.headers.items()},
                body,
            )
            with server._lock:
                server.in_flight += 1
                server.max_in_flight = max(server.max_in_flight, server.in_flight)
            try:
                reply = server._handle(recorded)
                if reply.delay:
                    time.sleep(reply.delay)
            finally:
                with server._lock:
                    server.in_flight -= 1
            content, headers = reply.encode()
            try:
                self.send_response(reply.status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(content)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(content)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return _Handler


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- paginated APIs: handlers serving `records` -----------------------------------------------------


def _int_arg(req: Recorded, name: str, default: int) -> int:
    value = req.arg(name)
    return int(value) if value is not None else default


def page_handler(records: list[Any], per_page: int, param: str = "page", size_param: str | None = None,
                 start: int = 1) -> Handler:
    """`?page=N` (from `start`), `{"data": [...]}`; a page past the end is empty."""
    def handle(req: Recorded) -> Reply:
        size = _int_arg(req, size_param, per_page) if size_param else per_page
        first = (_int_arg(req, param, start) - start) * size
        return Reply(json={"data": records[first:first + size]})
    return handle


def offset_handler(records: list[Any], param: str = "offset", limit_param: str = "limit") -> Handler:
    """`?offset=O&limit=L`, `{"data": [...]}`."""
    def handle(req: Recorded) -> Reply:
        first, limit = _int_arg(req, param, 0), _int_arg(req, limit_param, 10)
        return Reply(json={"data": records[first:first + limit]})
    return handle


def cursor_handler(records: list[Any], per_page: int, param: str = "cursor") -> Handler:
    """`?cursor=C` (opaque "c<index>"), `{"data": [...], "meta": {"next_cursor": "c10" | null}}`."""
    def handle(req: Recorded) -> Reply:
        first = int((req.arg(param) or "c0")[1:])
        end = first + per_page
        following = f"c{end}" if end < len(records) else None
        return Reply(json={"data": records[first:end], "meta": {"next_cursor": following}})
    return handle


def next_link_handler(records: list[Any], per_page: int, path: str, absolute: bool = False,
                      base_url: str = "") -> Handler:
    """`{"items": [...], "links": {"next": "/path?from=10" | null}}` (absolute with `base_url`)."""
    def handle(req: Recorded) -> Reply:
        first = _int_arg(req, "from", 0)
        end = first + per_page
        link = f"{base_url if absolute else ''}{path}?from={end}" if end < len(records) else None
        return Reply(json={"items": records[first:end], "links": {"next": link}})
    return handle


def link_header_handler(records: list[Any], per_page: int, path: str) -> Handler:
    """A bare JSON list per page; `Link: <path?page=N>; rel="next"` while there are more."""
    def handle(req: Recorded) -> Reply:
        number = _int_arg(req, "page", 1)
        first = (number - 1) * per_page
        headers = {}
        if first + per_page < len(records):
            headers["link"] = f'<{path}?page=1>; rel="first", <{path}?page={number + 1}>; rel="next"'
        return Reply(json=records[first:first + per_page], headers=headers)
    return handle


# --- oauth2 --------------------------------------------------------------------------------------


class OAuthProvider:
    """A client-credentials token endpoint plus a guard for API routes that accept only its valid tokens."""

    def __init__(self, client_id: str = "id", client_secret: str = "shh", expires_in: int = 3600) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.expires_in = expires_in
        self.valid: set[str] = set()
        self.issued: list[str] = []
        self._lock = threading.Lock()

    def token_handler(self, req: Recorded) -> Reply:
        form = parse_qs(req.body.decode())
        creds = (form.get("client_id", [""])[0], form.get("client_secret", [""])[0])
        if form.get("grant_type") != ["client_credentials"] or creds != (self.client_id, self.client_secret):
            return Reply(401, json={"error": "invalid_client"})
        with self._lock:
            token = f"token-{len(self.issued) + 1}"
            self.issued.append(token)
            self.valid.add(token)
        return Reply(json={"access_token": token, "token_type": "Bearer", "expires_in": self.expires_in})

    def revoke_all(self) -> None:
        with self._lock:
            self.valid.clear()

    def protect(self, handler: Handler) -> Handler:
        def guarded(req: Recorded) -> Reply:
            token = req.headers.get("authorization", "").removeprefix("Bearer ")
            if token not in self.valid:
                return Reply(401, json={"error": "invalid_token"})
            return handler(req)
        return guarded


# --- a fast ASGI server under uvicorn (benchmarks) ----------------------------------------------------


async def fast_app(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
    """A minimal ASGI app: reads the body and answers `{"ok": true}`."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b'{"ok": true}'})


class UvicornProcess:
    """`fast_app` under uvicorn in a child process (so that it does not share the GIL with the client)."""

    def __init__(self) -> None:
        import subprocess
        import sys

        port = closed_port()
        self.url = f"http://127.0.0.1:{port}"
        code = (
            "import uvicorn; from tests.runtime_http.servers import fast_app; "
            f"uvicorn.run(fast_app, host='127.0.0.1', port={port}, log_level='warning', "
            "access_log=False, lifespan='off', timeout_keep_alive=60)"
        )
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        self._process = subprocess.Popen([sys.executable, "-c", code], cwd=root)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        self.close()
        raise RuntimeError("uvicorn did not start")

    def close(self) -> None:
        self._process.terminate()
        self._process.wait(timeout=10)

    def __enter__(self) -> UvicornProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class UvicornServer:
    """An ASGI app served by uvicorn on 127.0.0.1 (a free port) in a background thread."""

    def __init__(self, app: Callable[..., Any] = fast_app) -> None:
        import uvicorn

        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", timeout_keep_alive=60)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self._server.serve(sockets=[self._sock])), daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started and time.monotonic() < deadline:
            time.sleep(0.01)

    def close(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()

    def __enter__(self) -> UvicornServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
