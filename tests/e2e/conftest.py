"""End-to-end fixtures: files in the test's directory, and a misbehaving API on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from e2e.harness import Write


@pytest.fixture
def write(tmp_path: Path) -> Write:
    """write(name, text) -> Path: a file in the test's directory."""

    def make(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return make


# ------------------------------------------------------------------ a misbehaving API

ROUTES: dict[str, tuple[int, str, bytes]] = {
    "/ok": (200, "application/json", b'{"items": [{"id": 1}]}'),
    "/nested": (200, "application/json", b"[" * 100_000 + b"]" * 100_000),
    "/secret-echo": (401, "application/json", b""),  # filled per request: echoes the credentials
}


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def _answer(self) -> None:
        path = self.path.split("?")[0]
        status, kind, body = ROUTES.get(path, (404, "application/json", b'{"message": "no such route"}'))
        if path == "/secret-echo":
            body = json.dumps({"error": f"bad credentials {self.headers.get('Authorization')} {self.path}"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer


@pytest.fixture(scope="session")
def api() -> Iterator[str]:
    """Base URL of a local API with the routes of ROUTES."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
