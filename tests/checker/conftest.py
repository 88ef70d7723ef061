"""Helpers for checker tests: write .flow files to a temporary folder, load and check them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from textwrap import dedent

import pytest

from flowlang.checker import check
from flowlang.diagnostics import Diagnostic
from flowlang.loader import load_project

CheckText = Callable[..., list[Diagnostic]]


@pytest.fixture
def check_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CheckText:
    """check_text(main_source, {"lib/x.flow": text, …}) -> the diagnostics of main.flow (in tmp_path)."""
    monkeypatch.chdir(tmp_path)

    def run(text: str, files: dict[str, str] | None = None) -> list[Diagnostic]:
        for name, content in (files or {}).items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(dedent(content), encoding="utf-8")
        (tmp_path / "main.flow").write_text(dedent(text), encoding="utf-8")
        return check(load_project("main.flow"))

    return run


def codes(diagnostics: list[Diagnostic]) -> list[str]:
    return [d.code for d in diagnostics]


def only(diagnostics: list[Diagnostic], code: str) -> Diagnostic:
    """The single diagnostic with `code` (the test fails when there is not exactly one)."""
    found = [d for d in diagnostics if d.code == code]
    assert len(found) == 1, diagnostics
    return found[0]
