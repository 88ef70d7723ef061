"""Fixtures of the OpenAPI tests: paths of the documents, and a checker of .flow files run from the repo."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from flowlang.checker import check
from flowlang.diagnostics import Diagnostic, render_all_text
from flowlang.loader import load_project

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
REAL_SPECS = REPO / "tests" / "data" / "specs"
TEST_SPECS = HERE / "specs"

CheckResult = tuple[list[Diagnostic], str]


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from the repository root, so that file names in diagnostics are stable."""
    monkeypatch.chdir(REPO)
    return REPO


@pytest.fixture
def check_openapi(in_repo: Path) -> Callable[[str], CheckResult]:
    """Check a .flow file (path relative to the repo) with the whole checker, as `flowlang check` does.

    Returns every diagnostic (the OpenAPI ones come from the systems.py hook, which loads `spec:`
    documents, and from `check_spec_calls`), and their rendering as text.
    """

    def run(path: str) -> CheckResult:
        project = load_project(path)
        diags = check(project)
        return diags, render_all_text(diags, project.sources)

    return run
