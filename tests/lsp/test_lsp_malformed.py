"""`flowlang lsp` fed messages that are not JSON-RPC: one line each on stderr, no traceback, and it keeps serving."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from flowlang.tools.lsp.client import StdioClient

pytest.importorskip("pygls", reason="the language server needs pygls: pip install -e '.[lsp]'")

BAD = (b"{not json", b'{"jsonrpc": "2.0", "id": 99, "method": "initialize", "params": 5}', b"[1, 2]")


def stderr_lines(client: StdioClient, count: int, timeout: float = 10) -> list[str]:
    deadline = time.monotonic() + timeout
    while len(client.stderr) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return [line.decode("utf-8", errors="replace").rstrip("\n") for line in client.stderr]


def test_malformed_messages_are_one_line_each_and_the_server_goes_on(tmp_path: Path) -> None:
    client = StdioClient(cwd=str(tmp_path))
    try:
        for body in BAD:
            client.send_body(body)
        lines = stderr_lines(client, len(BAD))
        client.initialize(tmp_path)
        flow = tmp_path / "a.flow"
        flow.write_text("flow a {\n  return nope\n}\n", encoding="utf-8")
        diagnostics = client.diagnostics(client.open(flow))
        assert [d["code"] for d in diagnostics] == ["E101"]  # still serving after the bad messages
    finally:
        assert client.shutdown() == 0
    assert len(lines) == len(BAD), lines
    assert all(line.startswith("flowlang lsp: error: Unable to handle message: ") for line in lines), lines
    assert "not JSON (Expecting property name enclosed in double quotes" in lines[0]
    assert "Invalid Params" in lines[1] and "InitializeRequest" in lines[1]
    assert "Traceback" not in "".join(stderr_lines(client, 0))
