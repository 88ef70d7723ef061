"""editors/vscode/: the extension's manifest names files that exist, and its language configuration is sound."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

VSCODE = Path(__file__).resolve().parents[2] / "editors" / "vscode"


def manifest() -> dict:
    return json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))


def test_the_manifest_contributes_the_language_grammar_and_client() -> None:
    m = manifest()
    (language,) = m["contributes"]["languages"]
    assert language["id"] == "flowlang" and language["extensions"] == [".flow"]
    (grammar,) = m["contributes"]["grammars"]
    assert grammar["scopeName"] == "source.flowlang" and grammar["language"] == "flowlang"
    for relative in (m["main"], language["configuration"], grammar["path"], "LICENSE", "README.md"):
        assert (VSCODE / relative).is_file(), relative
    assert "vscode-languageclient" in m["dependencies"]
    assert m["contributes"]["configuration"]["properties"]["flowlang.server.args"]["default"] == ["lsp"]
    assert m["scripts"]["package"].startswith("vsce package")


def test_the_client_starts_flowlang_lsp_over_stdio() -> None:
    source = (VSCODE / "src" / "extension.js").read_text(encoding="utf-8")
    assert 'require("vscode-languageclient/node")' in source
    assert "TransportKind.stdio" in source and '"server.command", "flowlang"' in source


def test_language_configuration_comments_brackets_and_indentation() -> None:
    config = json.loads((VSCODE / "language-configuration.json").read_text(encoding="utf-8"))
    assert config["comments"] == {"lineComment": "#"}
    assert config["brackets"] == [["{", "}"], ["[", "]"], ["(", ")"]]
    assert {p["open"] for p in config["autoClosingPairs"]} == {"{", "[", "(", '"'}
    increase = re.compile(config["indentationRules"]["increaseIndentPattern"])
    decrease = re.compile(config["indentationRules"]["decreaseIndentPattern"])
    assert increase.match("flow sync {") and increase.match("  call shop.update(  # why")
    assert not increase.match("  x = {a: 1}")
    assert decrease.match("  }") and decrease.match(")")


def test_the_scripts_are_valid_javascript() -> None:
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    for script in (VSCODE / "src" / "extension.js", VSCODE / "tests" / "tokenize.js"):
        run = subprocess.run(["node", "--check", str(script)], capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
