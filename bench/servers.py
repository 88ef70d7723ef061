"""The local server of the HTTP benchmarks: a minimal ASGI app under uvicorn, in its own process.

    python -m bench.servers      (listens on 127.0.0.1, a free port, and prints the port once ready)

POST /sink answers 201 {"ok": true} (after BENCH_LATENCY_MS milliseconds, 0 when unset); GET /count says how many POSTs /sink has had. GET /pages?page=N&pages=P answers {"data": [100 records]} for
N <= P, else {"data": []}.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

CREATED = b'{"ok":true}'
JSON_HEADERS = [(b"content-type", b"application/json")]
PAGE_SIZE = 100
_posts = [0]  # POST /sink requests answered so far (one event loop: no lock needed)
LATENCY = float(os.environ.get("BENCH_LATENCY_MS") or 0) / 1000  # seconds before /sink answers


def page_body(page: int, pages: int) -> bytes:
    """Page `page` (1-based) of `pages`: 100 records of about 150 bytes each, then an empty page."""
    if page > pages:
        return b'{"data":[]}'
    first = (page - 1) * PAGE_SIZE
    records = [
        {"id": n, "sku": f"SKU-{n:07d}", "name": f"Product number {n}", "on_hand": n % 97, "allocated": n % 13,
         "tags": ["bench", "memory"]}
        for n in range(first, first + PAGE_SIZE)
    ]
    return json.dumps({"data": records}).encode()


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """The ASGI application."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    more = True
    while more:  # read (and drop) the request body
        message = await receive()
        more = message.get("more_body", False)
    if scope["method"] == "POST" and scope["path"] == "/sink":
        if LATENCY:
            await asyncio.sleep(LATENCY)
        _posts[0] += 1
        status, body = 201, CREATED
    elif scope["path"] == "/count":
        status, body = 200, json.dumps({"posts": _posts[0]}).encode()
    elif scope["method"] == "GET" and scope["path"] == "/pages":
        query = parse_qs(scope["query_string"].decode())
        status = 200
        body = page_body(int(query.get("page", ["1"])[0]), int(query.get("pages", ["10"])[0]))
    elif scope["path"] == "/ping":
        status, body = 200, b"{}"
    else:
        status, body = 404, b'{"error":"not found"}'
    await send({"type": "http.response.start", "status": status, "headers": JSON_HEADERS})
    await send({"type": "http.response.body", "body": body})


class BenchServer:
    """`with BenchServer() as url:` — uvicorn serving `app` on 127.0.0.1 in a child process."""

    def __init__(self, latency_ms: float = 0) -> None:
        self.latency_ms = latency_ms
        self._process: subprocess.Popen[str] | None = None
        self.url = ""

    def __enter__(self) -> str:
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.servers"], cwd=root, stdout=subprocess.PIPE, text=True,
            env={**os.environ, "BENCH_LATENCY_MS": str(self.latency_ms)},
        )
        self._process = process
        assert process.stdout is not None
        line = process.stdout.readline()  # the port, once the server listens
        if not line.strip().isdigit():
            process.kill()
            raise RuntimeError("the benchmark server did not start")
        self.url = f"http://127.0.0.1:{int(line)}"
        return self.url

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            if self._process.stdout is not None:
                self._process.stdout.close()


async def serve() -> None:
    """Serve until terminated; print the port once listening (created by asyncio: TCP_NODELAY is on)."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning",
                                           access_log=False, lifespan="on", backlog=2048))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            return task.result()
        await asyncio.sleep(0.01)
    print(server.servers[0].sockets[0].getsockname()[1], flush=True)
    await task


def main() -> None:
    asyncio.run(serve())


if __name__ == "__main__":
    main()
