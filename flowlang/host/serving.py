"""Running the app under uvicorn, saying where it listens once the socket is bound (the real port of --port 0)."""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable, Sequence
from typing import Any

import uvicorn

STARTUP_FAILURE = 3  # uvicorn's exit status when the server cannot start


def url_of(host: str, port: int) -> str:
    """`http://host:port`, with an IPv6 address in brackets."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def announcement(url: str) -> str:
    """The line `flowlang serve` prints on start: where the API and the console are."""
    return f"flowlang serve: {url} (API /v2, console /flows, OpenAPI /openapi.json)"


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, announce: Callable[[str], None]) -> None:
        super().__init__(config)
        self._announce = announce

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        listeners: Sequence[Any] = [s for server in self.servers for s in (server.sockets or ())]
        for listener in listeners[:1]:
            host, port = listener.getsockname()[:2]
            self._announce(announcement(url_of(str(host), int(port))))


def run(app: Any, *, host: str, port: int, log_level: str, announce: Callable[[str], None]) -> None:
    """`uvicorn.run(app, …)` that calls `announce` with the announcement once the server listens."""
    server = _Server(uvicorn.Config(app, host=host, port=port, log_level=log_level, access_log=True), announce)
    server.run()
    if not server.started:
        sys.exit(STARTUP_FAILURE)
