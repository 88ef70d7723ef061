"""The corpus of misuses (tests/openapi/bad/*.flow): each gives diagnostics, snapshotted as rendered text.

Update the snapshots after an intended change with `python -m pytest tests/openapi --snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from syrupy.assertion import SnapshotAssertion

from .conftest import HERE, CheckResult

BAD = sorted(p.name for p in (HERE / "bad").glob("*.flow"))


def test_the_corpus_has_at_least_ten_misuses() -> None:
    assert len(BAD) >= 10


@pytest.mark.parametrize("name", BAD)
def test_misuse_is_reported(
    name: str, check_openapi: Callable[[str], CheckResult], snapshot: SnapshotAssertion
) -> None:
    diags, text = check_openapi(f"tests/openapi/bad/{name}")
    assert diags, f"{name} gives no diagnostic"
    assert all(d.code[1] == "3" or d.code == "E201" for d in diags), text
    assert text == snapshot
