"""docs/diagnostics.md and the code table agree, and every example there reports what the page shows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flowlang.checker import CODES, check
from flowlang.loader import load_project

ROOT = Path(__file__).parents[2]
DOC = (ROOT / "docs" / "diagnostics.md").read_text(encoding="utf-8")
SECTIONS = dict(re.findall(r"^### ([EW]\d{3})\n(.*?)(?=^### |^## |\Z)", DOC, re.M | re.S))
FENCE = re.compile(r"^```(\w+)(?: path=(\S+))?\n(.*?)^```", re.M | re.S)
HEADER = re.compile(r"^\S+:\d+:\d+: (?:error|warning)\[[EW]\d{3}\]: .*$", re.M)


def codes_in_sources() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "flowlang").rglob("*.py"):
        found.update(re.findall(r"\"([EW]\d{3})\"", path.read_text(encoding="utf-8")))
    return found


def test_every_code_of_the_checker_and_loader_is_documented() -> None:
    assert sorted(set(CODES) - set(SECTIONS)) == []


def test_every_documented_code_exists() -> None:
    assert sorted(set(SECTIONS) - set(CODES) - codes_in_sources()) == []


def test_every_syntax_code_of_the_parser_is_documented() -> None:
    syntax = {code for code in codes_in_sources() if code < "E100"}
    assert sorted(syntax - set(SECTIONS)) == []


def test_index_lists_every_section() -> None:
    indexed = set(re.findall(r"^\| \[([EW]\d{3})\]", DOC, re.M))
    assert indexed == set(SECTIONS)


EXAMPLES = sorted(code for code, body in SECTIONS.items() if "```flow\n" in body)


@pytest.mark.parametrize("code", EXAMPLES)
def test_documented_example_reports_what_the_page_shows(code: str, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    shown = ""
    for lang, path, text in FENCE.findall(SECTIONS[code]):
        if lang == "text":
            shown = text
            continue
        target = tmp_path / (path or "example.flow")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    project = load_project("example.flow")
    found = [d for d in check(project) if d.code == code]
    assert found, f"the example of {code} does not report {code}"
    if code in CODES:  # the parser's own messages are its snapshot tests' business
        rendered = [f"{d.span}: {d.severity}[{d.code}]: {d.message}" for d in found]
        assert rendered == HEADER.findall(shown)
