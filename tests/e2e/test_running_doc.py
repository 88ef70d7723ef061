"""docs/running.md: every `flow` example passes `flowlang check`, and what the page says of masking holds."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from e2e.harness import run_both
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


def test_the_page_says_masking_guards_against_accidents_only() -> None:
    section = DOC[DOC.index("## Secrets are masked in every form"):DOC.index("## Credentials stay with their origin")]
    assert section.split("\n\n")[1].startswith("Masking guards against accidental leaks only")
    assert "### What masking does not do" in section


def test_the_example_of_what_masking_does_not_do_does_what_the_page_says(tmp_path: Path) -> None:
    section = DOC[DOC.index("### What masking does not do"):]
    (example,) = re.findall(r"^```flow\n(.*?)^```", section.split("\n## ")[0], re.M | re.S)
    flow = tmp_path / "reveal.flow"
    flow.write_text(example, encoding="utf-8")
    done = run_both(flow, env={"TOKEN": "tok-51f0c2"})
    assert done.code == 0, done.err
    assert json.loads(done.out) == {"shown": "TOK-51F0C2"}  # computed from the secret: not masked
    assert "token ***" in done.err and "tok-51f0c2" not in done.err
