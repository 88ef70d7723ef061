"""The parse tables shipped in grammar/ match the grammar, and parsing needs no lark."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from flowlang.syntax import tablegen

ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_tables_are_built_from_the_current_grammar() -> None:
    assert tablegen.main(["--check"]) == 0, "run `python -m flowlang.syntax.tablegen` after editing the grammar"


def test_building_the_tables_twice_gives_the_same_file() -> None:
    # lark numbers its states differently in every process; tablegen renumbers them
    script = "from flowlang.syntax import tablegen as t; print(t.render(t.build_tables(t.GRAMMAR.read_text('utf-8'))))"
    outputs = {
        subprocess.run([sys.executable, "-c", script], env={"PYTHONHASHSEED": seed}, capture_output=True,
                       text=True, check=True).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1
    assert json.loads(outputs.pop()) == json.loads(tablegen.TABLES.read_text("utf-8"))


def test_stale_tables_are_refused_with_the_command_that_rebuilds_them() -> None:
    from flowlang.syntax import lalr

    data = json.loads(tablegen.TABLES.read_text("utf-8"))
    data["grammar_crc32"] = "00000000"
    try:
        lalr.check_digest(data, tablegen.GRAMMAR.read_text("utf-8"))
    except lalr.TablesOutOfDate as error:
        assert "python -m flowlang.syntax.tablegen" in str(error)
    else:
        raise AssertionError("stale tables were accepted")


def test_flowlang_check_never_imports_lark() -> None:
    script = (
        "import sys\n"
        "from flowlang.cli import main\n"
        "try:\n"
        "    main(['check', 'examples/p21_to_magento.flow'])\n"
        "except SystemExit as exit:\n"
        "    assert exit.code == 0, exit.code\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('lark', 'regex', 'interegular')))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_a_grammar_that_does_not_load_is_reported_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "flowlang.lark"
    broken.write_text(tablegen.GRAMMAR.read_text("utf-8") + '\nbroken: "x" (\n', "utf-8")
    monkeypatch.setattr(tablegen, "GRAMMAR", broken)
    assert tablegen.main(["--check"]) == 1
    assert capsys.readouterr().err.startswith(f"{broken}: error: ")


def test_a_missing_grammar_is_reported_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(tablegen, "GRAMMAR", tmp_path / "missing.lark")
    assert tablegen.main([]) == 2
    assert "cannot read" in capsys.readouterr().err
