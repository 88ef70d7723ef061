"""The corpus of bad flows: every file's rendered diagnostics are snapshotted (`pytest --snapshot-update`).

Each file starts with a comment naming the codes it shows (`# E101: …`); those codes must be reported.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flowlang.checker import check
from flowlang.diagnostics import render_all_text
from flowlang.loader import load_project

HERE = Path(__file__).parent
CORPUS = sorted(p.name for p in (HERE / "bad").glob("*.flow"))
HEADER = re.compile(rb"# ((?:[EW]\d{3})(?:/[EW]\d{3})*)\b")


def test_corpus_has_a_flow_per_rule() -> None:
    assert len([name for name in CORPUS if not name.startswith("syntax_")]) >= 45


@pytest.mark.parametrize("name", CORPUS)
def test_bad_flow_diagnostics(name: str, snapshot, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(HERE)
    project = load_project(f"bad/{name}")
    diagnostics = check(project)
    assert diagnostics, f"{name} gives no diagnostics"
    header = HEADER.match((HERE / "bad" / name).read_bytes())
    if header:
        expected = set(header.group(1).decode().split("/"))
        assert expected <= {d.code for d in diagnostics}
    assert render_all_text(diagnostics, project.sources) == snapshot
