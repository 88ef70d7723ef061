"""`flowlang run` end to end through the CLI: stdout, exit codes, and check errors that stop a run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from flowlang.cli import main

from .flowcases import FLOWS_DIR


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    return CliRunner()


def test_run_prints_the_result_as_json_and_exits_0(runner: CliRunner, tmp_path: Path) -> None:
    done = runner.invoke(main, ["run", str(FLOWS_DIR / "statements.flow"), "--state", str(tmp_path / "s.db")])
    assert done.exit_code == 0
    assert json.loads(done.stdout)["first_even"] == 8


def test_run_reads_the_input_from_stdin(runner: CliRunner, tmp_path: Path) -> None:
    done = runner.invoke(
        main,
        ["run", str(FLOWS_DIR / "source_input.flow"), "--input", "-", "--state", str(tmp_path / "s.db")],
        input='{"customers": [{"name": "zoe", "vip": true}]}',
    )
    assert (done.exit_code, json.loads(done.stdout)["vip"]) == (0, ["zoe"])


def test_a_failing_flow_exits_3_with_the_error_on_stderr(runner: CliRunner, tmp_path: Path) -> None:
    done = runner.invoke(main, ["run", str(FLOWS_DIR / "fail_uncaught.flow"), "--state", str(tmp_path / "s.db")])
    assert done.exit_code == 3
    assert "fail_uncaught.flow:16:5: error: negative value -3" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_flow_with_check_errors_is_not_run(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "bad.flow").write_text('flow bad {\n  log info "ran"\n  return custmers\n}\n', "utf-8")
    done = runner.invoke(main, ["run", "bad.flow", "--state", str(tmp_path / "s.db")])
    assert done.exit_code == 1
    assert "ran" not in done.stderr
    assert "bad.flow:3:10" in done.stderr


def test_max_steps_stops_an_endless_loop_early(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "spin.flow").write_text("flow spin {\n  n = 0\n  while true {\n    n += 1\n  }\n}\n")
    done = runner.invoke(main, ["run", "spin.flow", "--max-steps", "5000", "--state", str(tmp_path / "s.db")])
    assert done.exit_code == 3
    assert "spin.flow:3:3: error: step limit reached (5,000 loop iterations and calls)" in done.stderr
    assert "`--max-steps N` sets the limit" in done.stderr


def test_max_steps_must_be_a_positive_whole_number(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "spin.flow").write_text("flow spin {\n  return 1\n}\n")
    done = runner.invoke(main, ["run", "spin.flow", "--max-steps", "0"])
    assert done.exit_code == 2
    assert "--max-steps" in done.stderr
