"""Fixtures of the example tests: the fake systems on a free local port, reset before every test."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from example_paths import EXAMPLE_FILES, EXAMPLES  # noqa: F401  (also imported from here by older tests)

sys.path.insert(0, str(EXAMPLES))

import fake_systems  # lives in examples/, put on sys.path above


@pytest.fixture(scope="session")
def fake_server() -> Iterator[fake_systems.RunningServer]:
    with fake_systems.start() as server:
        yield server


@pytest.fixture
def fake(fake_server: fake_systems.RunningServer) -> fake_systems.RunningServer:
    """The shared fake-systems server with its seeded data restored and its request log empty."""
    fake_server.reset()
    return fake_server
