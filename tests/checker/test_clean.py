"""Flows that must check clean: a realistic flow using most of the language, and every example."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowlang.checker import check
from flowlang.diagnostics import render_all_text
from flowlang.loader import load_project

HERE = Path(__file__).parent
EXAMPLES = sorted((HERE.parents[1] / "examples").glob("*.flow"))


def test_realistic_flow_has_no_diagnostics(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HERE)
    project = load_project("good/realistic.flow")
    assert render_all_text(check(project), project.sources) == ""


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_checks_clean(path: Path) -> None:
    project = load_project(str(path))
    assert render_all_text(check(project), project.sources) == ""
