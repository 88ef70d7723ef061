"""Fixtures of the example tests: the fake systems on a free local port, reset before every test."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# The examples' flows and systems; their tests (`*_test.flow`, run by test_example_tests.py) are not examples.
EXAMPLE_FILES = sorted(p for p in EXAMPLES.glob("*.flow") if not p.stem.endswith("_test"))
sys.path.insert(0, str(EXAMPLES))

import fake_systems  # noqa: E402  (lives in examples/, put on sys.path above)


@pytest.fixture(scope="session")
def fake_server() -> Iterator[fake_systems.RunningServer]:
    with fake_systems.start() as server:
        yield server


@pytest.fixture
def fake(fake_server: fake_systems.RunningServer) -> fake_systems.RunningServer:
    """The shared fake-systems server with its seeded data restored and its request log empty."""
    fake_server.reset()
    return fake_server
