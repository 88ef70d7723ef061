"""docs/scale-out.md: its flow is formatted and checks (test_takeover.py runs it), and every `flowlang serve`
and `flowlang worker` line of its `sh` blocks uses only options the command has."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "scale-out.md"
TEXT = DOC.read_text()


def flowlang(*args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flowlang", *args], input=stdin, capture_output=True, text=True,
                          timeout=60, cwd=cwd)


def test_the_flow_of_the_doc_is_formatted_and_checks(tmp_path: Path) -> None:
    (flow,) = re.findall(r"```flow\n(.*?)```", TEXT, re.S)
    formatted = flowlang("fmt", "-", stdin=flow)
    assert formatted.returncode == 0, formatted.stderr
    assert formatted.stdout == flow
    (tmp_path / "write500.flow").write_text(flow)
    checked = flowlang("check", "write500.flow", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_commands_of_the_doc_use_only_options_they_have() -> None:
    lines = [line.split("#")[0] for block in re.findall(r"```sh\n(.*?)```", TEXT, re.S)
             for line in block.splitlines()]
    commands = [shlex.split(line.strip()) for line in lines if line.strip().startswith("flowlang ")]
    assert {c[1] for c in commands} == {"serve", "worker"}
    for command in commands:
        helped = flowlang(command[1], "--help")
        assert helped.returncode == 0, helped.stderr
        for word in command[2:]:
            if word.startswith("--"):
                assert re.search(rf"^\s+{re.escape(word)}\b", helped.stdout, re.M), f"{command[1]} has no {word}"
