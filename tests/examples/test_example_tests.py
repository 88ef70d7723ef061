"""Every example has a `*_test.flow` beside it, and its tests pass on both engines with `flowlang test`."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from example_paths import EXAMPLE_FILES

from flowlang.testing.runner import main

RUNNABLE = [path for path in EXAMPLE_FILES if path.name != "systems.flow"]


@pytest.mark.parametrize("path", RUNNABLE, ids=lambda p: p.name)
def test_the_example_has_tests_of_its_success_and_failure_paths(path: Path) -> None:
    tests = path.with_name(f"{path.stem}_test.flow")
    assert tests.exists(), f"{path.name} has no {tests.name}"
    text = tests.read_text(encoding="utf-8")
    assert text.count('\ntest "') >= 2, "a test of the success path and at least one of a failure path"
    assert f'import "{path.name}"' in text


@pytest.mark.parametrize("path", RUNNABLE, ids=lambda p: p.stem + "_test.flow")
def test_the_example_tests_pass_on_both_engines(path: Path) -> None:
    out = io.StringIO()
    code = main([str(path.with_name(f"{path.stem}_test.flow"))], engine="both", out=out)
    assert code == 0, out.getvalue()
    assert "engines: interpreter, compiled" in out.getvalue()
    assert " 0 failed" in out.getvalue()

