"""Fixtures of the stdlib tests: a fixed clock, seed and environment for every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from flowlang.runtime.ambient import Ambient, activate, deactivate

FIXED_ENV = {
    "FLOWLANG_NOW": "2026-11-23T12:00:00Z",
    "FLOWLANG_SEED": "42",
    "SHOP_URL": "https://shop.example.com",
    "SHOP_TOKEN": "s3cr3t-token",
    "EMPTY_VAR": "",
}


@pytest.fixture(autouse=True)
def fixed_ambient() -> Iterator[Ambient]:
    """Builtins see FIXED_ENV: now() is 2026-11-23T12:00:00Z and uuid() is seeded."""
    ambient = Ambient.from_env(FIXED_ENV)
    token = activate(ambient)
    yield ambient
    deactivate(token)
