"""docs/editors.md: its Python examples run and print what they say; the editor snippets start `flowlang lsp`;
the pre-commit hooks of .pre-commit-hooks.yaml do what the page says when run as pre-commit runs them."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from flowlang.tools.fmt import format_text

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "editors.md").read_text(encoding="utf-8")
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
MESSY = "flow f {\n    x=1\n    return x\n}\n"


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", DOC, re.M | re.S)


def expected_output(code: str) -> str:
    """The comment lines that follow each print(): what the block prints."""
    out, after_print = [], False
    for line in code.splitlines():
        if line.startswith("# ") and after_print:
            out.append(line[2:])
            continue
        after_print = line.startswith("print(")
    return "\n".join(out)


@pytest.mark.parametrize("code", blocks("python"), ids=lambda c: c.splitlines()[-1][:40])
def test_python_examples_print_what_they_say(code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if "StdioClient" in code:
        pytest.importorskip("pygls", reason="the language server needs pygls: pip install -e '.[lsp]'")
    monkeypatch.chdir(ROOT)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "docs/editors.md", "exec"), {})
    assert printed.getvalue().rstrip("\n") == expected_output(code)


def test_helix_runs_the_server_and_formats_with_flowlang_fmt() -> None:
    (toml,) = blocks("toml")
    config = tomllib.loads(toml)
    server = config["language-server"]["flowlang"]
    assert [server["command"], *server["args"]] == ["flowlang", "lsp"]
    (language,) = config["language"]
    assert language["file-types"] == ["flow"] and language["comment-token"] == "#"
    formatter = language["formatter"]
    assert formatter["command"] == "flowlang"
    run = subprocess.run([sys.executable, "-m", "flowlang", *formatter["args"]], input=MESSY,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and run.stdout == format_text(MESSY).new


def test_neovim_and_emacs_start_flowlang_lsp() -> None:
    (lua,) = blocks("lua")
    assert 'cmd = { "flowlang", "lsp" }' in lua and 'extension = { flow = "flowlang" }' in lua
    (elisp,) = blocks("elisp")
    assert '(flowlang-mode . ("flowlang" "lsp"))' in elisp and r"\\.flow\\'" in elisp
    assert elisp.count("(") == elisp.count(")")
    run = subprocess.run([sys.executable, "-m", "flowlang", "lsp", "--help"], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0 and "language server" in run.stdout


def test_the_pre_commit_config_names_the_hooks_of_the_repository() -> None:
    (config,) = [yaml.safe_load(b) for b in blocks("yaml") if "repos:" in b]
    ids = {hook["id"] for hook in HOOKS}
    assert {hook["id"] for hook in config["repos"][0]["hooks"]} <= ids == {
        "flowlang-fmt", "flowlang-fmt-fix", "flowlang-check"}
    for hook in HOOKS:
        assert hook["language"] == "python" and re.search(hook["files"], "flows/sync.flow")
        assert not re.search(hook["files"], "README.md")


def run_hook(hook_id: str, files: list[Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The hook's entry with the file names appended, as pre-commit runs it (`flowlang` as `python -m`)."""
    (hook,) = [h for h in HOOKS if h["id"] == hook_id]
    entry = hook["entry"].split()
    assert entry[0] == "flowlang"
    return subprocess.run([sys.executable, "-m", "flowlang", *entry[1:], *(str(f) for f in files)], cwd=cwd,
                          capture_output=True, text=True, timeout=60)


def test_the_hooks_pass_good_files_and_fail_bad_ones(tmp_path: Path) -> None:
    good = tmp_path / "good.flow"
    good.write_text(format_text(MESSY).new)
    messy = tmp_path / "messy.flow"
    messy.write_text(MESSY)
    broken = tmp_path / "broken.flow"
    broken.write_text("flow f {\n  return y\n}\n")
    assert run_hook("flowlang-fmt", [good], tmp_path).returncode == 0
    failed = run_hook("flowlang-fmt", [good, messy], tmp_path)
    assert failed.returncode == 1 and f"would reformat {messy}" in failed.stderr
    assert messy.read_text() == MESSY
    assert run_hook("flowlang-fmt-fix", [messy], tmp_path).returncode == 0
    assert messy.read_text() == format_text(MESSY).new
    assert run_hook("flowlang-check", [good, messy], tmp_path).returncode == 0
    checked = run_hook("flowlang-check", [broken], tmp_path)
    assert checked.returncode == 1 and "error[E101]: undefined variable 'y'" in checked.stdout
