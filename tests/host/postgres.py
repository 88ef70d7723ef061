"""A real PostgreSQL for tests: Debian's `postgresql` binaries, initdb + pg_ctl in a temporary directory
on a free 127.0.0.1 port (as the `postgres` user when the tests run as root). `PostgresUnavailable`
says why it cannot start, for a visible skip."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class PostgresUnavailable(Exception):
    pass


def _binaries() -> Path:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not candidates:
        raise PostgresUnavailable("PostgreSQL is not installed (apt-get install -y postgresql)")
    return Path(candidates[-1]).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_postgres() -> Iterator[str]:
    """A fresh cluster with a database `flowlang`; yields its postgresql:// URL, removed afterwards."""
    bindir = _binaries()
    as_user: list[str] = []
    base = Path(tempfile.mkdtemp(prefix="flowlang-pg-"))
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        try:
            shutil.chown(base, "postgres")
        except (LookupError, OSError) as exc:
            shutil.rmtree(base, ignore_errors=True)
            raise PostgresUnavailable(f"running as root and there is no postgres user ({exc})") from None
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = base / "data", _free_port()

    def run(*args: str) -> None:
        done = subprocess.run([*as_user, *args], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise PostgresUnavailable(f"{Path(args[0]).name} failed: {(done.stderr or done.stdout)[-500:]}")

    started = False
    try:
        run(str(bindir / "initdb"), "-D", str(data), "-U", "flowlang", "--auth=trust", "-E", "UTF8")
        run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w", "-t", "60", "-o",
            f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
        started = True
        run(str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "flowlang", "flowlang")
        yield f"postgresql://flowlang@127.0.0.1:{port}/flowlang"
    finally:
        if started:
            subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w",
                            "stop"], capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)
