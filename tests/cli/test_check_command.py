"""`flowlang check`: output formats, exit codes, and I/O problems as diagnostics."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from flowlang.cli import main

GOOD = """\
flow greet {
  name: "Greet"
  customers = ["ada", "bob"]
  for c in customers {
    log info "hello {c}"
  }
  return length(customers)
}
"""
TYPO = GOOD.replace("for c in customers", "for c in custmers")


def run_check(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["check", *args])
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, name: str, text: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_clean_file_exits_zero(tmp_path: Path) -> None:
    code, out, err = run_check(write(tmp_path, "good.flow", GOOD))
    assert code == 0
    assert out == ""
    assert "0 errors, 0 warnings in 1 file" in err


def test_text_output_has_position_source_line_caret_and_hint(tmp_path: Path) -> None:
    path = write(tmp_path, "typo.flow", TYPO)
    code, out, _ = run_check(path)
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == f"{path}:4:12: error[E101]: undefined variable 'custmers'"
    assert lines[1].endswith("for c in custmers {")
    assert lines[2].endswith("^^^^^^^^") and lines[2].index("^") == lines[1].index("custmers")
    assert lines[3] == "  hint: did you mean 'customers'?"


def test_json_output_has_one_object_per_diagnostic(tmp_path: Path) -> None:
    path = write(tmp_path, "typo.flow", TYPO)
    code, out, _ = run_check("--format", "json", path)
    assert code == 1
    (diag,) = json.loads(out)
    assert diag == {
        "file": path, "line": 4, "column": 12, "end_line": 4, "end_column": 20,
        "severity": "error", "code": "E101", "message": "undefined variable 'custmers'",
        "hint": "did you mean 'customers'?",
    }


def test_github_output_is_workflow_annotations(tmp_path: Path) -> None:
    path = write(tmp_path, "typo.flow", TYPO)
    _, out, _ = run_check("--format", "github", path)
    assert out.startswith(f"::error file={path},line=4,col=12,endLine=4,endColumn=20,title=E101::")


def test_warnings_pass_unless_strict(tmp_path: Path) -> None:
    path = write(tmp_path, "warn.flow", "flow f {\n  unused = 1\n  return 2\n}\n")
    assert run_check(path)[0] == 0
    assert run_check("--strict", path)[0] == 1


def test_directories_are_searched_for_flow_files(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    write(tmp_path, "sub/typo.flow", TYPO)
    write(tmp_path, "good.flow", GOOD)
    code, out, err = run_check(str(tmp_path))
    assert code == 1
    assert "typo.flow:4:12" in out
    assert "in 2 files" in err


def test_missing_file_is_a_diagnostic_with_exit_two(tmp_path: Path) -> None:
    code, out, _ = run_check(str(tmp_path / "nope.flow"))
    assert code == 2
    assert "error[E010]" in out and "Traceback" not in out


def test_non_utf8_file_is_a_diagnostic_with_exit_two(tmp_path: Path) -> None:
    path = write(tmp_path, "latin1.flow", b"flow f {\n  x = \"caf\xe9\"\n}\n")
    code, out, _ = run_check(path)
    assert code == 2
    assert f"{path}:2:" in out and "UTF-8" in out


def test_syntax_error_exit_one(tmp_path: Path) -> None:
    code, out, _ = run_check(write(tmp_path, "bad.flow", "flow f {\n  x = (1 +\n"))
    assert code == 1
    assert "error[E001]" in out


def test_usage_error_without_paths_exits_two() -> None:
    assert run_check()[0] == 2
