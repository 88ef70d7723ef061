"""The TextMate grammar of editors/vscode/: its scope tests (vscode-tmgrammar-test), and the same scopes as the
classes of flowlang/tools/highlight.py on every flow of the repository (tokenized by vscode-textmate).

vscode-tmgrammar-test comes from npm (.ci/run installs it in .ci/node); it is looked for in $TMGRAMMAR_TEST_BIN,
then on PATH, then in .ci/node/node_modules/.bin, and these tests skip, saying so, without it or node.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

from flowlang.tools.highlight import SCOPES, pieces

ROOT = Path(__file__).resolve().parents[2]
VSCODE = ROOT / "editors" / "vscode"
GRAMMAR = VSCODE / "syntaxes" / "flowlang.tmLanguage.json"
FLOWS = sorted(p for p in [*ROOT.glob("examples/**/*.flow"), *ROOT.glob("tests/**/*.flow")]
               if "__snapshots__" not in p.parts)


@cache
def tmgrammar_test() -> str | None:
    candidates = [os.environ.get("TMGRAMMAR_TEST_BIN"), shutil.which("vscode-tmgrammar-test"),
                  str(ROOT / ".ci/node/node_modules/.bin/vscode-tmgrammar-test")]
    found = next((c for c in candidates if c and os.access(c, os.X_OK)), None)
    return found if found and shutil.which("node") else None


def needs_tool() -> str:
    tool = tmgrammar_test()
    if tool is None:
        pytest.skip("vscode-tmgrammar-test (npm) or node is not installed: .ci/run installs it when npm is there")
    return tool


def node_path(tool: str) -> str:
    """Where vscode-textmate and vscode-oniguruma are: beside or inside vscode-tmgrammar-test's package."""
    package = Path(os.path.realpath(tool)).parents[1]
    return os.pathsep.join(str(p) for p in (package / "node_modules", package.parent))


def scope_names(value: object) -> set[str]:
    """Every `name` and `contentName` of a grammar's rules and captures."""
    found: set[str] = set()
    if isinstance(value, dict):
        found |= {value[k] for k in ("name", "contentName") if isinstance(value.get(k), str)}
        for inner in value.values():
            found |= scope_names(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= scope_names(inner)
    return found


def test_the_grammar_is_valid_json_naming_only_highlight_scopes() -> None:
    grammar = json.loads(GRAMMAR.read_text(encoding="utf-8"))
    assert grammar["scopeName"] == "source.flowlang" and grammar["fileTypes"] == ["flow"]
    names = scope_names(grammar["repository"])
    assert names - {"meta.interpolation.flowlang"} <= set(SCOPES.values())
    assert set(SCOPES.values()) - names == set()  # and every class has its rule


def test_scope_assertions_pass() -> None:
    tool = needs_tool()
    run = subprocess.run([tool, "-c", "-g", str(GRAMMAR), "tests/*.test.flow"], cwd=VSCODE,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "run successfuly" in run.stdout or "successfully" in run.stdout


def test_the_grammar_gives_every_token_the_scope_of_its_highlight_class() -> None:
    tool = needs_tool()
    run = subprocess.run(["node", str(VSCODE / "tests" / "tokenize.js"), str(GRAMMAR), *map(str, FLOWS)],
                         capture_output=True, text=True, timeout=300, env={**os.environ, "NODE_PATH": node_path(tool)})
    assert run.returncode == 0, run.stderr
    tokens = json.loads(run.stdout)
    mismatches: list[str] = []
    for path in FLOWS:
        source = path.read_text(encoding="utf-8", errors="replace")
        lines = tokens[str(path)]
        scope_at: dict[tuple[int, int], str] = {}
        for n, line in enumerate(lines):
            for start, end, scopes in line:
                own = [s for s in scopes if s.endswith(".flowlang") and not s.startswith("meta.")]
                for col in range(start, end):
                    scope_at[n, col] = own[-1] if own else ""
        line, col = 0, 0
        for piece in pieces(source):
            reported = False
            for ch in piece.text:
                if ch == "\n":
                    line, col = line + 1, 0
                    continue
                if piece.cls and not ch.isspace() and piece.cls != "fl-error" and not reported:
                    got = scope_at.get((line, col), "")
                    if got != SCOPES[piece.cls]:
                        mismatches.append(f"{path.relative_to(ROOT)}:{line + 1}:{col + 1}: {piece.text!r} is "
                                          f"{piece.cls} ({SCOPES[piece.cls]}) but the grammar says {got or 'nothing'}")
                        reported = True
                col += 1
    assert not mismatches, f"{len(mismatches)} tokens differ:\n" + "\n".join(mismatches[:40])
