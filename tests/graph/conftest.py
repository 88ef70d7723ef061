"""The fixture of the flowchart tests: draw a flow given as text."""

from __future__ import annotations

from pathlib import Path

import pytest
from graph_support import SYSTEM, Draw

from flowlang.loader import load_project
from flowlang.tools.graph import Graph, build_graph


@pytest.fixture
def draw(tmp_path: Path) -> Draw:
    """draw(flow_text, flow=None, files={}) -> the Graph of the flow, with `system api` declared above it."""

    def _draw(text: str, flow: str | None = None, files: dict[str, str] | None = None) -> Graph:
        for name, content in (files or {}).items():
            (tmp_path / name).write_text(content, encoding="utf-8")
        path = tmp_path / "main.flow"
        path.write_text(SYSTEM + text, encoding="utf-8")
        project = load_project(str(path))
        assert not [d for d in project.diagnostics if d.is_error], project.diagnostics
        return build_graph(project, flow)

    return _draw
