"""The AST of every example, as a syrupy snapshot (update with `pytest --snapshot-update`).

A change in the parser that changes how an example reads shows up here as a reviewable diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from example_paths import EXAMPLE_FILES
from syrupy.assertion import SnapshotAssertion

from flowlang import nodes
from flowlang.syntax.parser import parse

FLOW_FILES = EXAMPLE_FILES


@pytest.mark.parametrize("path", FLOW_FILES, ids=lambda p: p.name)
def test_example_ast(path: Path, snapshot: SnapshotAssertion) -> None:
    program = parse(path.read_text(encoding="utf-8"), path.name)
    assert nodes.dump(program) == snapshot
