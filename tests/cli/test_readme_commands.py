"""README.md as a new user reads it: its runnable `flowlang` lines work as written from the root of a clone,
and the diagnostic it shows is what `flowlang check` prints (README and docs/diagnostics.md alike)."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from e2e.harness import flowlang

ROOT = Path(__file__).parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SH_BLOCKS = re.findall(r"^```sh\n(.*?)^```", README, re.M | re.S)
PLACEHOLDER = re.compile(r"\[|…|FILE|NAME|\$|--host")
LONG_RUNNING = ("flowlang lsp", "flowlang serve", "flowlang worker", "flowlang run ")  # servers; runs need systems


def runnable() -> list[str]:
    lines = [line.split("  #")[0].strip() for block in SH_BLOCKS for line in block.splitlines()]
    return [line for line in lines if line.startswith("flowlang ") and not PLACEHOLDER.search(line)
            and not line.startswith(LONG_RUNNING)]


def test_the_readme_has_runnable_commands() -> None:
    assert len(runnable()) >= 4, runnable()


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("clone")
    shutil.copytree(ROOT / "examples", root / "examples", ignore=shutil.ignore_patterns("__pycache__", ".flowlang"))
    return root


@pytest.mark.parametrize("command", runnable())
def test_a_readme_command_works_as_written(command: str, clone: Path) -> None:
    done = flowlang(*shlex.split(command)[1:], cwd=clone)
    assert done.code == 0, f"{command}\n{done.out}\n{done.err}"


SAMPLE = re.compile(r"A diagnostic looks like this:\n\n```\n(.*?)```", re.S)


@pytest.mark.parametrize("page", ["README.md", "docs/diagnostics.md"])
def test_the_sample_diagnostic_is_what_check_prints(page: str, tmp_path: Path) -> None:
    text = (ROOT / page).read_text(encoding="utf-8")
    found = SAMPLE.search(text) or re.search(r"```text\n(examples/sync\.flow:.*?)```", text, re.S)
    assert found, page
    shown = found.group(1)
    filler = [f"  n{i} = {i}" for i in range(2, 11)]
    source = ["flow sync {", *filler, "  customers = [n2, n3, n4, n5, n6, n7, n8, n9, n10]",
              "  for c in custmers {", "    log info \"{c}\"", "  }", "  return customers", "}"]
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "sync.flow").write_text("\n".join(source) + "\n", encoding="utf-8")
    done = flowlang("check", "examples/sync.flow", cwd=tmp_path)
    assert done.code == 1
    assert done.out == shown
