"""The console script runs `flowlang check` without click when it can, with click's parse and output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from flowlang.cli import entry as entry_module
from flowlang.cli import main
from flowlang.cli.checking import FORMAT_OPTION, STRICT_OPTION, fast_check_args

WARNS = """\
flow greet {
  for c in [1, 2] {
    log info "hi"
  }
  x = custmers
  return 1
}
"""

ARGVS = [
    ["check"], ["check", "a.flow"], ["check", "a", "b", "--strict"], ["check", "--format", "json", "a"],
    ["check", "--format=github", "a", "--strict", "b"], ["check", "--format", "json", "--format", "text"],
    ["check", "--strict", "--strict"], ["check", "--help"], ["check", "-h"], ["check", "--format", "yaml"],
    ["check", "--format"], ["check", "--format", "--strict"], ["check", "--format=JSON"], ["check", "--"],
    ["check", "-", "a"], ["check", "--stric"], ["check", "--strict=1"], ["--version"], ["run", "a.flow"], [],
]


@pytest.mark.parametrize("argv", ARGVS, ids=" ".join)
def test_the_fast_parse_is_clicks_or_none(argv: list[str]) -> None:
    fast = fast_check_args(argv)
    if fast is None:
        return
    command = main.get_command(click.Context(main), "check")
    assert command is not None
    ctx = command.make_context("check", argv[1:])
    assert fast == (ctx.params["paths"], ctx.params["fmt"], ctx.params["strict"])


def test_common_invocations_take_the_fast_path() -> None:
    assert fast_check_args(["check", "a.flow"]) == (("a.flow",), "text", False)
    assert fast_check_args(["check", "--format", "json", "--strict", "d"]) == (("d",), "json", True)
    assert fast_check_args(["check", "--help"]) is None


def test_the_fast_parser_knows_every_check_option() -> None:
    command = main.get_command(click.Context(main), "check")
    assert command is not None
    options = {opt for p in command.params if isinstance(p, click.Option) for opt in p.opts}
    assert options == {FORMAT_OPTION, STRICT_OPTION}


def entry(*args: str, cwd: Path) -> tuple[int, str, str]:
    done = subprocess.run([sys.executable, "-m", "flowlang", *args], capture_output=True, text=True, cwd=cwd)
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize("args", [[], ["--strict"], ["--format", "json"], ["--format=github", "--strict"],
                                  ["missing.flow"], ["--format", "yaml"], ["--bogus"]])
def test_the_console_script_answers_as_the_click_command(tmp_path: Path, args: list[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "w.flow").write_text(WARNS, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    paths = [] if any(a.endswith(".flow") for a in args) else ["w.flow"]
    code, out, err = entry("check", *args, *paths, cwd=tmp_path)
    clicked = CliRunner().invoke(main, ["check", *args, *paths], prog_name="python -m flowlang")
    assert (code, out, err) == (clicked.exit_code, clicked.stdout, clicked.stderr)


def test_help_goes_to_click(tmp_path: Path) -> None:
    code, out, _ = entry("check", "--help", cwd=tmp_path)
    assert code == 0 and out.startswith("Usage: python -m flowlang check [OPTIONS] [PATHS]...")
    assert "--format [text|json|github]" in out


def test_an_internal_error_on_the_fast_path_is_one_line(monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(entry_module, "run_check", broken)
    with pytest.raises(SystemExit) as exit_info:
        entry_module.main(["check", "a.flow"])
    assert exit_info.value.code == 3
    assert capsys.readouterr().err == ("flowlang: internal error: RuntimeError: boom\n"
                                       "  (set FLOWLANG_DEBUG=1 to see the traceback, and please report it)\n")
