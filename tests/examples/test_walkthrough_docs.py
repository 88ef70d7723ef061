"""The walk-throughs of docs/compile.md and examples/README.md ("Run one" by hand) work as written, from the
root of a clone, with the fake systems running (pointed at by their *_URL variables)."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import sys
from pathlib import Path

import fake_systems
import pytest
from e2e.harness import Result, run_command
from example_paths import EXAMPLES

ROOT = EXAMPLES.parent


def commands(page: Path, after: str = "") -> list[list[str]]:
    """The `flowlang …` and `python …` lines of the first sh block of `page` after the text `after`."""
    text = page.read_text(encoding="utf-8")
    block = re.search(r"^```sh\n(.*?)^```", text[text.index(after):], re.M | re.S)
    assert block, page
    lines = [line.split("  #")[0].strip() for line in block.group(1).splitlines()]
    return [shlex.split(line) for line in lines if line.startswith(("flowlang ", "python "))]


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES, tmp_path / "examples", ignore=shutil.ignore_patterns("__pycache__", ".flowlang"))
    return tmp_path


def run(argv: list[str], cwd: Path, fake: fake_systems.RunningServer) -> Result:
    program = [sys.executable, "-m", "flowlang"] if argv[0] == "flowlang" else [sys.executable]
    return run_command([*program, *argv[1:]], cwd, env=fake.env())


def test_compile_md_compiles_and_runs_the_module(clone: Path, fake: fake_systems.RunningServer) -> None:
    steps = commands(ROOT / "docs" / "compile.md")
    assert [s[:2] for s in steps] == [["flowlang", "compile"], ["python", "order_webhook.py"]]
    results = [run(step, clone, fake) for step in steps]
    assert [r.code for r in results] == [0, 0], results[-1].err
    assert json.loads(results[1].out)["order_id"].startswith("SO-")


def test_examples_readme_runs_by_hand(clone: Path, fake: fake_systems.RunningServer) -> None:
    steps = [s for s in commands(EXAMPLES / "README.md", "To run the flows by hand") if s[0] == "flowlang"]
    assert len(steps) == 3
    results = [run(step, clone, fake) for step in steps]
    assert [r.code for r in results] == [0, 0, 0], [r.err for r in results]
    first, again, _ = (json.loads(r.out) for r in results)
    assert first["created"] > 0 and again["created"] == 0  # nothing changed since the last run
