"""Mermaid and DOT text of every example (snapshots a person has read), and DOT that Graphviz accepts."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from graph_support import EXAMPLES, FLOW_EXAMPLES
from syrupy.assertion import SnapshotAssertion

from flowlang.loader import load_project
from flowlang.tools.graph import Graph, build_graph, render


def example_graph(path: Path) -> Graph:
    # A relative root, so that file names in the snapshots do not depend on where the checkout is.
    return build_graph(load_project(str(path.relative_to(EXAMPLES.parent))))


@pytest.fixture(autouse=True)
def _in_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(EXAMPLES.parent)


@pytest.mark.parametrize("path", FLOW_EXAMPLES, ids=lambda p: p.stem)
def test_mermaid_of_each_example(path: Path, snapshot: SnapshotAssertion) -> None:
    assert render(example_graph(path), "mermaid") == snapshot


@pytest.mark.parametrize("path", FLOW_EXAMPLES, ids=lambda p: p.stem)
def test_dot_of_each_example(path: Path, snapshot: SnapshotAssertion) -> None:
    assert render(example_graph(path), "dot") == snapshot


@pytest.mark.parametrize("path", FLOW_EXAMPLES, ids=lambda p: p.stem)
def test_graphviz_draws_the_dot_of_each_example(path: Path) -> None:
    if shutil.which("dot") is None:
        pytest.skip("Graphviz `dot` is not installed (apt-get install graphviz): DOT syntax not verified")
    done = subprocess.run(["dot", "-Tsvg"], input=render(example_graph(path), "dot"), capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr and "Error" not in done.stderr, done.stderr
    assert "<svg" in done.stdout
