"""A minimal LSP client over stdio: starts `flowlang lsp` and talks JSON-RPC to it as an editor does.

The tests (tests/lsp/) and the completion benchmark (bench/) drive the real server with it. Standard
library only: Content-Length framing, a reader thread, requests by id, notifications kept by method.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

# What the client says it supports (as VS Code does, for the features the server has).
EDITOR_CAPABILITIES: dict[str, Any] = {"textDocument": {
    "rename": {"prepareSupport": True},
    "hover": {"contentFormat": ["markdown", "plaintext"]},
    "publishDiagnostics": {"versionSupport": True},
    "documentSymbol": {"hierarchicalDocumentSymbolSupport": True},
}}


class LspError(Exception):
    """The server answered a request with an error."""

    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(error.get("message", "error"))
        self.error = error


class StdioClient:
    """One `flowlang lsp` process; `request` waits for the answer, `notify` does not."""

    def __init__(self, command: list[str] | None = None, cwd: str | None = None) -> None:
        self.process = subprocess.Popen(
            command or [sys.executable, "-m", "flowlang", "lsp"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd,
        )
        self.ids = itertools.count(1)
        self.responses: dict[int, dict[str, Any]] = {}
        self.notifications: list[dict[str, Any]] = []
        self.condition = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.stderr: list[bytes] = []
        threading.Thread(target=self._drain_stderr, daemon=True).start()

    # ---------------------------------------------------------- wire

    def _send(self, message: dict[str, Any]) -> None:
        self.send_body(json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8"))

    def send_body(self, body: bytes) -> None:
        """One message of the wire as it is (also one that is not JSON-RPC at all)."""
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def _read(self) -> None:
        out = self.process.stdout
        assert out is not None
        while True:
            length = None
            while True:
                header = out.readline()
                if not header:
                    return
                if header in (b"\r\n", b"\n"):
                    break
                name, _, value = header.decode("ascii").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            if length is None:
                continue
            message = json.loads(out.read(length))
            if "method" in message and "id" in message:  # a request from the server: say yes, with nothing
                self._send({"id": message["id"], "result": None})
            with self.condition:
                if "id" in message and "method" not in message:
                    self.responses[message["id"]] = message
                elif "method" in message:
                    self.notifications.append(message)
                self.condition.notify_all()

    def _drain_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr.append(line)

    # ---------------------------------------------------------- protocol

    def request(self, method: str, params: Any, timeout: float = 30) -> Any:
        ident = next(self.ids)
        self._send({"id": ident, "method": method, "params": params})
        with self.condition:
            if not self.condition.wait_for(lambda: ident in self.responses, timeout):
                raise TimeoutError(f"no answer to {method} in {timeout} s")
            answer = self.responses.pop(ident)
        if "error" in answer:
            raise LspError(answer["error"])
        return answer.get("result")

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    def initialize(self, root: Path, options: dict[str, Any] | None = None) -> dict[str, Any]:
        result: dict[str, Any] = self.request("initialize", {
            "processId": None, "rootUri": root.resolve().as_uri(), "capabilities": EDITOR_CAPABILITIES,
            "initializationOptions": options or {},
        })
        self.notify("initialized", {})
        return result

    def open(self, path: Path, text: str | None = None, version: int = 1) -> str:
        uri = path.resolve().as_uri()
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "flowlang", "version": version,
            "text": path.read_text(encoding="utf-8") if text is None else text,
        }})
        return uri

    def change(self, uri: str, text: str, version: int) -> None:
        self.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                               "contentChanges": [{"text": text}]})

    def diagnostics(self, uri: str, after: int = 0, timeout: float = 30,
                    version: int | None = None) -> list[dict[str, Any]]:
        """The diagnostics of the first publishDiagnostics for `uri` past the first `after` notifications
        (and of `version`, when given)."""

        def found() -> dict[str, Any] | None:
            for note in self.notifications[after:]:
                params = note.get("params", {})
                if note["method"] == "textDocument/publishDiagnostics" and params.get("uri") == uri and (
                        version is None or params.get("version") == version):
                    return note
            return None

        with self.condition:
            if not self.condition.wait_for(lambda: found() is not None, timeout):
                raise TimeoutError(f"no diagnostics for {uri} in {timeout} s")
            note = found()
        assert note is not None
        result: list[dict[str, Any]] = note["params"]["diagnostics"]
        return result

    def shutdown(self, timeout: float = 10) -> int:
        """shutdown, exit, and the process's exit status."""
        try:
            self.request("shutdown", None, timeout)
            self.notify("exit", None)
            return self.process.wait(timeout)
        except (TimeoutError, OSError, subprocess.TimeoutExpired):
            self.process.kill()
            return self.process.wait()

    def timed(self, method: str, params: Any) -> tuple[Any, float]:
        """A request's answer and its round trip in seconds."""
        start = time.perf_counter()
        result = self.request(method, params)
        return result, time.perf_counter() - start
