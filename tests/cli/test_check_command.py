"""`flowlang check`: output formats, exit codes, and I/O problems as diagnostics."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from click.testing import CliRunner
from e2e.harness import flowlang

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


def test_without_paths_the_current_directory_is_checked(tmp_path: Path) -> None:
    write(tmp_path, "typo.flow", TYPO)
    (tmp_path / "sub").mkdir()
    write(tmp_path, "sub/good.flow", GOOD)
    done = flowlang("check", cwd=tmp_path)
    assert done.code == 1, done.err
    assert done.out.startswith("typo.flow:4:12: error[E101]")
    assert done.err == "1 error, 0 warnings in 2 files\n"


def test_a_binary_file_given_by_name_is_an_error_not_a_silent_zero(tmp_path: Path) -> None:
    done = flowlang("check", sys.executable, cwd=tmp_path)
    assert done.code == 2
    first, hint = done.out.splitlines()[:2]
    assert f"error[E012]: '{sys.executable}' is not a .flow file (not UTF-8 text: byte 0x" in first
    assert hint == "  hint: give the path of a .flow file, or of a directory of them"
    assert done.err == "1 error, 0 warnings in 0 files (1 file could not be read)\n"


def test_a_file_with_a_nul_byte_not_named_flow_is_not_a_flow_file(tmp_path: Path) -> None:
    write(tmp_path, "data.bin", b"flow f {\n  return 1\x00\n}\n")
    code, out, err = run_check(str(tmp_path / "data.bin"))
    assert code == 2
    assert "error[E014]: '" + str(tmp_path / "data.bin") + "' is not a .flow file (it contains a NUL byte)" in out
    assert err == "1 error, 0 warnings in 1 file\n"


def test_a_text_file_not_named_flow_is_checked_as_a_flow(tmp_path: Path) -> None:
    code, _, err = run_check(write(tmp_path, "greet.txt", GOOD))
    assert (code, err) == (0, "0 errors, 0 warnings in 1 file\n")
