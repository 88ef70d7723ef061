"""`flowlang check` stays light: it must not import the HTTP client or the template engine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

PROBE = """
import sys
from click.testing import CliRunner
from flowlang.cli import main
result = CliRunner().invoke(main, ["check", sys.argv[1]])
assert result.exit_code == 0, result.output
heavy = sorted(m for m in ("httpx", "httpcore", "jinja2", "anyio") if m in sys.modules)
print(",".join(heavy))
"""


def test_check_imports_neither_httpx_nor_jinja2() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(EXAMPLES)], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_version_prints_the_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "flowlang", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.startswith("flowlang, version ")
