"""`flowlang fmt`: the canonical layout, case by case, and the command's --check, --diff and errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from textwrap import dedent

from flowlang.syntax.parser import _lexer
from flowlang.tools.fmt import format_text


def fmt(text: str) -> str:
    result = format_text(dedent(text).lstrip("\n"))
    assert not result.diagnostics
    return result.new


def test_the_lexer_keeps_every_character_as_a_token() -> None:
    text = 'flow a {  # c\n\t x = [1,\n  # own\n 2]\n}\n'
    tokens = list(_lexer().lex_trivia(text))
    assert "".join(t.value for t in tokens) == text
    assert [t.type for t in tokens if t.type == "COMMENT"] == ["COMMENT"]


def test_spaces_around_operators_and_after_commas_and_colons() -> None:
    assert fmt("flow a {\n  x=-1+f( 2 ,b )*y [0]\n  z = {k :1,m:[ -x ]}\n}\n") == dedent("""\
        flow a {
          x = -1 + f(2, b) * y[0]
          z = {k: 1, m: [-x]}
        }
    """)


def test_indents_are_two_spaces_and_one_blank_line_at_most() -> None:
    assert fmt("flow a {\n\n\n\t    if x {\n log info x\n\n\n\n    }\n\n}\n") == dedent("""\
        flow a {
          if x {
            log info x
          }
        }
    """)


def test_comments_stay_where_they_were() -> None:
    source = """\
        # header
        flow a {   # opener
              x = [1,   # one
           # own line
          2]
          # last
        }
    """
    assert fmt(source) == dedent("""\
        # header
        flow a {  # opener
          x = [
            1,  # one
            # own line
            2,
          ]
          # last
        }
    """)


def test_a_group_broken_in_the_source_is_exploded_with_a_trailing_comma() -> None:
    assert fmt("flow a {\n  x = f(a,\n    b)\n  y = [1, 2,]\n}\n") == dedent("""\
        flow a {
          x = f(
            a,
            b,
          )
          y = [1, 2]
        }
    """)


def test_long_calls_wrap_at_100_columns() -> None:
    args = ", ".join(f"argument_{i}: {i}" for i in range(8))
    out = fmt(f"flow a {{\n  call shop.update({args}, body: {{a: 1}})\n}}\n")
    assert max(len(line) for line in out.splitlines()) <= 100
    assert out.splitlines()[1] == "  call shop.update("
    assert out.splitlines()[-3:] == ["    body: {a: 1},", "  )", "}"]


def test_a_statement_broken_after_an_operator_is_joined_when_it_fits() -> None:
    assert fmt("flow a {\n  x = a +\n    b\n  if x and\n  y\n  {\n    return 1\n  }\n}\n") == dedent("""\
        flow a {
          x = a + b
          if x and y {
            return 1
          }
        }
    """)


def test_a_log_level_is_no_callee() -> None:
    assert fmt('flow a {\n  log warn ["a"]\n  log error {code: 5}\n}\n') == dedent("""\
        flow a {
          log warn ["a"]
          log error {code: 5}
        }
    """)


def test_strings_over_several_lines_are_left_as_they_are() -> None:
    source = 'flow a {\n      x = """\n  keep   \n    this"""\n}\n'
    assert fmt(source) == 'flow a {\n  x = """\n  keep   \n    this"""\n}\n'


def test_a_file_with_syntax_errors_is_left_untouched() -> None:
    result = format_text("flow a {\n  x = (1\n}\n", "bad.flow")
    assert result.new == result.old
    assert not result.changed
    assert [d.code for d in result.diagnostics] == ["E001"]


def flowlang(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flowlang", *args], cwd=cwd, capture_output=True, text=True,
                          input=stdin)


UGLY = "flow a {\n    x=1\n}\n"
PRETTY = "flow a {\n  x = 1\n}\n"


def test_fmt_rewrites_files_in_place(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.flow").write_text(UGLY)
    (tmp_path / "b.flow").write_text(PRETTY)
    done = flowlang("fmt", ".", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "sub" / "a.flow").read_text() == PRETTY
    assert "formatted sub/a.flow" in done.stderr
    assert "1 of 2 files reformatted" in done.stderr


def test_check_exits_1_naming_the_files_and_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / "a.flow").write_text(UGLY)
    (tmp_path / "b.flow").write_text(PRETTY)
    done = flowlang("fmt", "--check", "a.flow", "b.flow", cwd=tmp_path)
    assert done.returncode == 1
    assert "would reformat a.flow" in done.stderr and "b.flow" not in done.stderr.replace("a.flow", "")
    assert (tmp_path / "a.flow").read_text() == UGLY
    assert flowlang("fmt", "--check", "b.flow", cwd=tmp_path).returncode == 0


def test_diff_prints_a_unified_diff(tmp_path: Path) -> None:
    (tmp_path / "a.flow").write_text(UGLY)
    done = flowlang("fmt", "--diff", "a.flow", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout.splitlines()[:2] == ["--- a.flow (original)", "+++ a.flow (formatted)"]
    assert "-    x=1\n+  x = 1\n" in done.stdout
    assert (tmp_path / "a.flow").read_text() == UGLY


def test_a_file_with_syntax_errors_is_reported_and_kept(tmp_path: Path) -> None:
    (tmp_path / "bad.flow").write_text("flow a {\n    x = (1\n}\n")
    (tmp_path / "ok.flow").write_text(UGLY)
    done = flowlang("fmt", ".", cwd=tmp_path)
    assert done.returncode == 1
    assert "bad.flow:3:1: error[E001]: expected `)` to close the parenthesis opened at 2:9" in done.stderr
    assert (tmp_path / "bad.flow").read_text() == "flow a {\n    x = (1\n}\n"
    assert (tmp_path / "ok.flow").read_text() == PRETTY
    assert "Traceback" not in done.stderr


def test_stdin_to_stdout_for_editors(tmp_path: Path) -> None:
    done = flowlang("fmt", "-", cwd=tmp_path, stdin=UGLY)
    assert (done.returncode, done.stdout) == (0, PRETTY)


def test_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    done = flowlang("fmt", "nope.flow", cwd=tmp_path)
    assert done.returncode == 2
    assert "no such file or directory: nope.flow" in done.stderr
