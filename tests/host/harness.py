"""Helpers for host tests: start `flowlang serve` as a user does (a subprocess on 127.0.0.1) and talk HTTP.

`start_server(directory, db)` starts the real server on a free port and waits until it answers;
`HostServer.tenant()` makes a new project with a token and returns an httpx client signed in to it, so
tests sharing one server never see each other's objects. See conftest.py for the fixtures.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

START_TIMEOUT = 30.0
_LISTENING = re.compile(r"Uvicorn running on http://([\d.]+):(\d+)")


@dataclass
class Tenant:
    """A project of the test's own, its token, and a client that sends `Authorization: Bearer <token>`."""

    slug: str
    token: str
    http: httpx.Client


@dataclass
class HostServer:
    """A running `flowlang serve`: its URL, database (path or URL), log file and process."""

    url: str
    db: str
    directory: Path
    log_path: Path
    process: subprocess.Popen[bytes]
    env: dict[str, str]
    _clients: list[httpx.Client] = field(default_factory=list)

    def log(self) -> str:
        """Everything the server wrote to stdout and stderr so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def flowlang(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """`flowlang ARGS…` run in the server's directory with its environment (add --db yourself)."""
        return subprocess.run([sys.executable, "-m", "flowlang", *args], cwd=self.directory, env=self.env,
                              input=stdin, capture_output=True, text=True, timeout=60)

    def create_token(self, project: str, name: str = "tests") -> str:
        """A new token of `project` (created when missing), made by `flowlang token create` with the server's
        environment. The command runs in this process (click's CliRunner): the same code as the subprocess a
        user starts, without its Python start-up, which every test that takes a tenant would pay (~0.6 s of
        CPU each). tests/host/test_token_cli.py runs the command as a subprocess."""
        from click.testing import CliRunner

        from flowlang.cli import main

        env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("FLOWLANG_")}
        env.update({k: v for k, v in self.env.items() if k.startswith("FLOWLANG_")})
        done = CliRunner().invoke(main, ["token", "create", "--db", self.db, "--project", project, "--name", name],
                                  env=env, catch_exceptions=False)
        assert done.exit_code == 0, done.stderr
        return done.stdout.strip()

    def client(self, token: str | None = None, headers: dict[str, str] | None = None,
               **kwargs: Any) -> httpx.Client:
        """An httpx client on the server (signed in with `token` when given), closed with the server."""
        headers = {**({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})}
        client = httpx.Client(base_url=self.url, headers=headers, timeout=30, **kwargs)
        self._clients.append(client)
        return client

    def tenant(self, slug: str | None = None) -> Tenant:
        """A fresh project (a random slug unless given) with a token, and a client signed in to it."""
        slug = slug or f"p-{uuid.uuid4().hex[:10]}"
        token = self.create_token(slug)
        return Tenant(slug, token, self.client(token))

    def close(self) -> None:
        for client in self._clients:
            client.close()


def move_clock(clock: Path, moment: str) -> None:
    """Move the test clock (FLOWLANG_TEST_CLOCK) of servers to `moment` in one step: written aside, then
    renamed over the clock file, so a scheduler tick never reads a half-written time."""
    staged = clock.with_name(clock.name + ".new")
    staged.write_text(moment, encoding="utf-8")
    os.replace(staged, clock)


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOWLANG_")}
    env.update(extra or {})
    return env


@contextmanager
def start_server(directory: Path, db: str | None = None, *, args: tuple[str, ...] = (),
                 env: dict[str, str] | None = None) -> Iterator[HostServer]:
    """Run `flowlang serve --db DB --port 0` in `directory` until the block ends (then SIGTERM, then kill).

    `db` defaults to a SQLite file in `directory`. Fails with the server's log when it does not start.
    """
    directory.mkdir(parents=True, exist_ok=True)
    db = db or str(directory / "host.db")
    log_path = directory / f"serve-{uuid.uuid4().hex[:6]}.log"
    full_env = clean_env(env)
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "flowlang", "serve", "--db", db, "--host", "127.0.0.1", "--port", "0",
             *args],
            cwd=directory, env=full_env, stdout=log_file, stderr=subprocess.STDOUT,
        )
    server: HostServer | None = None
    try:
        url = _wait_listening(log_path, process)
        server = HostServer(url, db, directory, log_path, process, full_env)
        yield server
    finally:
        if server is not None:
            server.close()
        _stop(process)


def _wait_listening(log_path: Path, process: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        text = log_path.read_text(encoding="utf-8", errors="replace")
        found = _LISTENING.search(text)
        if found:
            return f"http://{found.group(1)}:{found.group(2)}"
        if process.poll() is not None:
            raise AssertionError(f"flowlang serve exited with {process.returncode}:\n{text}")
        time.sleep(0.05)
    _stop(process)
    raise AssertionError(f"flowlang serve did not start in {START_TIMEOUT}s:\n{log_path.read_text()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
