"""Run toggles on both engines: `enabled: false` needs --force, --log-level and --quiet filter the log,
colours only on a terminal and never with NO_COLOR, progress of `each` streams on a terminal."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from e2e.harness import Write, flowlang, run_both

DISABLED = 'flow paused {\n  enabled: false\n  log info "ran"\n  return 1\n}\n'
LEVELS = """\
flow levels {
  log debug "a debug line"
  log info "an info line"
  log warn "a warn line"
  log error "an error line"
  log success "a success"
  log failure "a failure"
}
"""


def test_a_disabled_flow_is_refused_unless_forced(write: Write) -> None:
    flow = write("paused.flow", DISABLED)
    refused = run_both(flow)
    assert refused.code == 2
    assert "paused.flow: error: flow 'paused' is disabled (enabled: false)" in refused.err
    assert "--force" in refused.err and "ran" not in refused.err
    forced = run_both(flow, "--force")
    assert forced.code == 0 and forced.out == "1\n"
    assert "INFO paused.flow:3 ran" in forced.err


@pytest.mark.parametrize(
    ("args", "shown", "hidden"),
    [
        ((), ["DEBUG", "INFO", "WARN", "ERROR", "SUCCESS", "FAILURE"], []),
        (("--log-level", "info"), ["INFO", "WARN", "ERROR", "SUCCESS", "FAILURE"], ["DEBUG"]),
        (("--log-level", "warn"), ["WARN", "ERROR", "FAILURE"], ["DEBUG", "INFO", "SUCCESS"]),
        (("--log-level", "error"), ["ERROR"], ["DEBUG", "INFO", "WARN", "SUCCESS", "FAILURE"]),
        (("--quiet",), ["WARN", "ERROR", "FAILURE"], ["DEBUG", "INFO", "SUCCESS"]),
    ],
)
def test_the_log_level_hides_the_lines_below_it(write: Write, args: tuple[str, ...], shown: list[str],
                                                 hidden: list[str]) -> None:
    result = run_both(write("levels.flow", LEVELS), *args)
    assert result.code == 0
    words = {line.split()[1] for line in result.err.splitlines()}
    assert set(shown) <= words and not set(hidden) & words
    if "INFO" in hidden:
        assert "run finished" not in result.err  # the summary is an info line too


def test_an_unknown_log_level_is_a_usage_error(write: Write) -> None:
    result = flowlang("run", write("levels.flow", LEVELS).name, "--log-level", "loud", cwd=Path(write("levels.flow", LEVELS)).parent)
    assert result.code == 2 and "loud" in result.err


def _on_a_terminal(command: list[str], cwd: Path, env: dict[str, str]) -> str:
    """What a run writes to stderr when stderr is a terminal (a pseudo-terminal here)."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=follower, env=env)
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    process.wait(timeout=30)
    return b"".join(chunks).decode()


@pytest.mark.parametrize("engine", ["interpreted", "compiled"])
def test_colours_appear_on_a_terminal_only_and_never_with_no_color(write: Write, engine: str) -> None:
    flow = write("levels.flow", LEVELS)
    if engine == "interpreted":
        command = [sys.executable, "-m", "flowlang", "run", flow.name, "--state", "s.db"]
    else:
        assert flowlang("compile", flow.name, "-o", "levels.py", cwd=flow.parent).code == 0
        command = [sys.executable, "levels.py", "--state", "s.db"]
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    coloured = _on_a_terminal(command, flow.parent, env)
    assert "\x1b[33mWARN\x1b[0m" in coloured and "\x1b[1;31mERROR\x1b[0m" in coloured
    plain = _on_a_terminal(command, flow.parent, {**env, "NO_COLOR": "1"})
    assert "WARN levels.flow:4 a warn line" in plain and "\x1b[" not in plain
    piped = subprocess.run(command, cwd=flow.parent, capture_output=True, text=True, env=env, timeout=30)
    assert "WARN levels.flow:4" in piped.stderr and "\x1b[" not in piped.stderr


class _Pages(BaseHTTPRequestHandler):
    """Three slow pages of five records, then an empty page."""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        page = int(parse_qs(urlparse(self.path).query).get("page", ["1"])[0])
        time.sleep(0.15)
        body = json.dumps({"items": [{"n": page * 10 + i} for i in range(5)] if page <= 3 else []}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def pages_api() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


STREAM = """\
system api {
  base_url: env("API")
  GET list "/records" {
    items: "items"
    paginate: page(param: "page", start: 1)
  }
}

flow stream {
  n = 0
  for r in each api.list() {
    n += 1
  }
  return n
}
"""


@pytest.mark.parametrize("engine", ["interpreted", "compiled"])
def test_an_each_stream_shows_records_pages_and_rate_on_a_terminal(write: Write, pages_api: str, engine: str) -> None:
    flow = write("stream.flow", STREAM)
    if engine == "interpreted":
        command = [sys.executable, "-m", "flowlang", "run", flow.name, "--state", "s.db"]
    else:
        assert flowlang("compile", flow.name, "-o", "stream.py", cwd=flow.parent).code == 0
        command = [sys.executable, "stream.py", "--state", "s.db"]
    env = {**os.environ, "API": pages_api}
    shown = _on_a_terminal(command, flow.parent, env)
    assert re.search(r"api\.list: 1[01] records, 3 pages, [\d,]+/s", shown), shown
    assert "\r\x1b[K" in shown  # the progress line is cleared when the stream ends
    quiet = _on_a_terminal([*command, "--quiet"], flow.parent, env)
    assert "records" not in quiet
    piped = subprocess.run(command, cwd=flow.parent, capture_output=True, text=True, env=env, timeout=30)
    assert piped.stdout == "15\n" and "records" not in piped.stderr
