"""`flowlang serve --engine temporal` and `flowlang worker` say plainly what is missing or unreachable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from temporal.devserver import free_port


def flowlang(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flowlang", *args], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60)


def test_the_temporal_engine_needs_an_address(tmp_path: Path) -> None:
    done = flowlang(tmp_path, "serve", "--engine", "temporal", "--db", str(tmp_path / "host.db"), "--port", "0")
    assert done.returncode == 2
    assert "the Temporal engine needs --temporal HOST:PORT" in done.stderr


def test_a_worker_names_the_address_it_cannot_reach(tmp_path: Path) -> None:
    pytest.importorskip("temporalio", reason="the worker needs temporalio: pip install -e '.[temporal]'")
    address = f"127.0.0.1:{free_port()}"
    done = flowlang(tmp_path, "worker", "--db", str(tmp_path / "host.db"), "--temporal", address)
    assert done.returncode == 2, done.stderr
    assert f"error: cannot reach Temporal at {address} (namespace default)" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_worker_refuses_a_malformed_address(tmp_path: Path) -> None:
    done = flowlang(tmp_path, "worker", "--db", str(tmp_path / "host.db"), "--temporal", "nowhere")
    assert done.returncode == 2
    assert "--temporal must be HOST:PORT, not 'nowhere'" in done.stderr


def test_a_project_task_queue_must_name_the_project_and_the_queue(tmp_path: Path) -> None:
    done = flowlang(tmp_path, "serve", "--engine", "temporal", "--temporal", "127.0.0.1:7233", "--db",
                    str(tmp_path / "host.db"), "--port", "0", "--project-task-queue", "acme")
    assert done.returncode == 2
    assert "--project-task-queue takes SLUG=VALUE (a project's slug and its value), not 'acme'" in done.stderr
