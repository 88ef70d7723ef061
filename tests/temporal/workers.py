"""Real `flowlang worker` processes beside a served host on the Temporal engine, for end-to-end tests.

`temporal_workers(directory, db)` (the Temporal engine of tests/pipes/engines.py) takes the session's dev
server and a task queue of its own, starts two workers on the host's database and yields the `flowlang serve`
arguments and environment that send runs to them. `Workers` starts more workers and kills one.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from host.harness import _stop as stop_process
from host.harness import clean_env
from temporal.devserver import TemporalUnavailable, shared_temporal

HEARTBEAT_TIMEOUT = "4"  # seconds: a killed worker's run is taken over this soon after (30 by default)
READY = "flowlang worker: Temporal"


class Workers:
    """The worker processes of one task queue, on one host database."""

    def __init__(self, directory: Path, db: str, address: str, queue: str, env: dict[str, str]) -> None:
        self.directory = directory
        self.db = db
        self.address = address
        self.queue = queue
        self.env = env
        self.processes: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []

    def start(self, concurrency: int = 4) -> subprocess.Popen[bytes]:
        """A new worker, once it polls the task queue."""
        log_path = self.directory / f"worker-{uuid.uuid4().hex[:6]}.log"
        with open(log_path, "wb") as log_file:
            process = subprocess.Popen(
                [sys.executable, "-m", "flowlang", "worker", "--db", self.db, "--temporal", self.address,
                 "--task-queue", self.queue, "--concurrency", str(concurrency)],
                cwd=self.directory, env=self.env, stdout=log_file, stderr=subprocess.STDOUT)
        self.processes.append(process)
        self.logs.append(log_path)
        deadline = time.monotonic() + 30
        while READY not in log_path.read_text(errors="replace"):
            assert process.poll() is None and time.monotonic() < deadline, log_path.read_text(errors="replace")
            time.sleep(0.05)
        return process

    def log(self) -> str:
        return "\n".join(path.read_text(errors="replace") for path in self.logs)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            stop_process(process)


def _migrated(db: str) -> None:
    """Create the store's tables before the server and the workers open it at once."""
    from flowlang.host.settings import Settings
    from flowlang.host.store import Store

    Store(Settings(db=db).db_url).close()


@contextmanager
def temporal_workers(directory: Path, db: str | None, *,
                     workers: int = 2) -> Iterator[tuple[tuple[str, ...], dict[str, str], Workers]]:
    """(serve arguments, serve environment, the workers) of a Temporal host with `workers` workers polling
    its own task queue of the session's dev server (skipped, with the reason, without one)."""
    pytest.importorskip("temporalio", reason="the Temporal engine needs temporalio: pip install -e '.[temporal]'")
    try:
        address = shared_temporal()
    except TemporalUnavailable as exc:
        pytest.skip(f"no Temporal dev server: {exc}")
    directory.mkdir(parents=True, exist_ok=True)
    db = db or str(directory / "host.db")
    _migrated(db)
    queue = f"q-{uuid.uuid4().hex[:10]}"
    env = {"FLOWLANG_SECRET_KEY": Fernet.generate_key().decode(), "FLOWLANG_TEMPORAL_HEARTBEAT_TIMEOUT": HEARTBEAT_TIMEOUT}
    pool = Workers(directory, db, address, queue, clean_env(env))
    try:
        for _ in range(workers):
            pool.start()
        yield ("--engine", "temporal", "--temporal", address, "--task-queue", queue), env, pool
    finally:
        pool.stop()
