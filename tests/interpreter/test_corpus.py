"""Every flow of tests/interpreter/flows/ runs to its recorded outcome (exit code, stdout, log lines)."""

from __future__ import annotations

from pathlib import Path

import pytest
from runtime_http.servers import FakeServer

from .flowcases import FLOWS_DIR, case_names, environment, expected, run_case


def test_the_corpus_is_not_empty() -> None:
    assert len(case_names()) >= 10


@pytest.mark.parametrize("name", case_names())
def test_flow_runs_to_its_expected_outcome(
    name: str, flow_server: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(FLOWS_DIR)
    for key, value in environment(flow_server).items():
        monkeypatch.setenv(key, value)
    assert run_case(name, str(tmp_path / "state.db")) == expected(name)
