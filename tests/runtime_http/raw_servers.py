"""Servers on 127.0.0.1 that misbehave below HTTP: trickle bytes, or drop the connection mid-response."""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Callable

Script = Callable[[socket.socket], None]


class RawServer:
    """Accepts connections and runs `script(conn)` on each (after reading the request head), in a thread."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.connections = 0
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            try:
                self.script(conn)
            except OSError:
                pass

    def close(self) -> None:
        self._closed = True
        self._sock.close()

    def __enter__(self) -> RawServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def trickle(body: bytes, every: float) -> Script:
    """A 200 response whose body arrives one byte every `every` seconds (no gap long enough to time out)."""
    def script(conn: socket.socket) -> None:
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        conn.sendall(head.encode())
        for i in range(len(body)):
            time.sleep(every)
            conn.sendall(body[i:i + 1])
    return script


def reset_mid_response(sent: bytes, length: int) -> Script:
    """A 200 response announcing `length` bytes that sends only `sent`, then resets the connection (RST)."""
    def script(conn: socket.socket) -> None:
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
        conn.sendall(head.encode() + sent)
        time.sleep(0.05)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    return script


def close_without_response(conn: socket.socket) -> None:
    """Read the request and hang up without a word."""
