"""Every `flow` example in docs/running.md passes `flowlang check` (the page never shows code that is wrong)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flowlang.checker import check
from flowlang.loader import load_project

DOC = (Path(__file__).parents[2] / "docs" / "running.md").read_text(encoding="utf-8")
EXAMPLES = re.findall(r"^```flow\n(.*?)^```", DOC, re.M | re.S)


def test_the_page_has_examples() -> None:
    assert len(EXAMPLES) >= 1


@pytest.mark.parametrize("source", EXAMPLES, ids=[f"example-{i + 1}" for i in range(len(EXAMPLES))])
def test_an_example_checks_without_errors(source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if "flow " not in source:
        source += "flow example {\n  return null\n}\n"
    (tmp_path / "example.flow").write_text(source, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    errors = [d for d in check(load_project("example.flow")) if d.is_error]
    assert errors == []
