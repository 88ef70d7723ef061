"""docs/graph.md tells the truth: its example flow gives the Mermaid text and the SVG picture it shows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from flowlang.cli import main

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGE = (DOCS / "graph.md").read_text(encoding="utf-8")


def block(language: str) -> str:
    found = re.search(rf"^```{language}\n(.*?)^```$", PAGE, flags=re.S | re.M)
    assert found, f"docs/graph.md has no ```{language} block"
    return found.group(1)


@pytest.fixture
def example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)
    Path("ship_paid.flow").write_text(block("flow"), encoding="utf-8")
    return "ship_paid.flow"


def test_the_mermaid_on_the_page_is_what_the_command_prints(example: str) -> None:
    result = CliRunner().invoke(main, ["graph", example])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == block("mermaid")


def test_the_picture_on_the_page_is_what_the_command_draws(example: str) -> None:
    result = CliRunner().invoke(main, ["graph", example, "--format", "svg"])
    assert result.exit_code == 0, result.stderr
    picture = DOCS / "images" / "graph_ship_paid.svg"
    assert result.stdout == picture.read_text(encoding="utf-8"), (
        "regenerate it: flowlang graph ship_paid.flow --format svg -o docs/images/graph_ship_paid.svg")
