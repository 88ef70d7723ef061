"""Every example checks clean: no errors and no warnings, with `flowlang check` as a user runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from example_paths import EXAMPLES

from flowlang.checker import check
from flowlang.diagnostics import render_text
from flowlang.loader import load_project

FLOW_FILES = sorted(EXAMPLES.glob("*.flow"))


@pytest.mark.parametrize("path", FLOW_FILES, ids=lambda p: p.name)
def test_example_checks_without_any_diagnostic(path: Path) -> None:
    project = load_project(str(path))
    diagnostics = [*project.diagnostics, *check(project)]
    assert diagnostics == [], "\n".join(
        render_text(d, project.sources.get(d.span.file, "")) for d in diagnostics
    )


def test_flowlang_check_strict_passes_on_the_examples_directory() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from flowlang.cli import main; main(prog_name='flowlang')",
            "check",
            "--strict",
            str(EXAMPLES),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
