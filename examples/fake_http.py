"""A tiny JSON-over-HTTP server (stdlib http.server) for the fake systems, and their error envelopes."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Request:
    """One parsed request; `params` holds the path parameters of the route it matched."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]
    params: dict[str, str] = field(default_factory=dict)


Response = tuple[int, Any, dict[str, str]]  # status, JSON body, extra headers


class HttpProblem(Exception):
    """A non-2xx answer raised from inside a handler."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.response: Response = (status, body, headers or {})


# The error envelopes of the fake APIs.


def magento_error(status: int, message: str, **parameters: Any) -> HttpProblem:
    return HttpProblem(status, {"message": message, "parameters": parameters})


def erp_error(status: int, message: str, field_name: str | None = None) -> HttpProblem:
    return HttpProblem(status, {"error": message, "field": field_name})


def ep_error(status: int, title: str, detail: str, pointer: str | None = None) -> HttpProblem:
    error: dict[str, object] = {"status": status, "title": title, "detail": detail}
    if pointer is not None:
        error["source"] = {"pointer": pointer}
    return HttpProblem(status, {"errors": [error]})


def int_param(req: Request, name: str, default: int, low: int, high: int) -> int:
    text = req.query.get(name)
    if text is None:
        return default
    if not re.fullmatch(r"-?\d+", text) or not low <= int(text) <= high:
        raise erp_error(
            400, f"query parameter {name} must be an integer from {low} to {high}", name
        )
    return int(text)


class JsonHandler(BaseHTTPRequestHandler):
    """Turns http.server requests into `Request`s for the app the server carries."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stall between
    server: JsonServer

    def handle_any(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            body = decode_body(raw, headers.get("content-type", ""))
        except ValueError as exc:
            self.send(400, {"error": f"request body is not valid: {exc}"}, {})
            return
        req = Request(self.command, parts.path, dict(parse_qsl(parts.query)), body, headers)
        try:
            status, payload, extra = self.server.app.handle(req)
        except Exception as exc:  # a bug in the fake: answer 500 rather than hang the client
            status, payload, extra = 500, {"error": f"fake server error: {exc!r}"}, {}
        self.send(status, payload, extra)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

    def send(self, status: int, payload: Any, extra: dict[str, str]) -> None:
        data = b"" if status == 204 else json.dumps(payload).encode()
        self.send_response(status)
        if status != 204:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in extra.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log at /__requests says what happened."""


def decode_body(raw: bytes, content_type: str) -> Any:
    """JSON, form-encoded, or text; None when empty. Raises ValueError on bad JSON."""
    if not raw:
        return None
    text = raw.decode("utf-8")
    if "json" in content_type:
        return json.loads(text)
    if "x-www-form-urlencoded" in content_type:
        return dict(parse_qsl(text))
    return text


class App(Protocol):
    """What a JsonServer serves."""

    def handle(self, req: Request) -> Response: ...


class JsonServer(ThreadingHTTPServer):
    """A threading HTTP server that hands every request to `app`."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], app: App) -> None:
        super().__init__(address, JsonHandler)
        self.app = app
