"""Helpers of the flowchart tests: draw a flow given as text, and the example files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from flowlang.loader import load_project
from flowlang.tools.graph import Graph, build_graph

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# Every example file that declares a flow (systems.flow only declares systems).
FLOW_EXAMPLES = sorted(p for p in EXAMPLES.glob("*.flow") if p.name != "systems.flow")

SYSTEM = """\
system api {
  base_url: "http://127.0.0.1:9"
  GET list_items "/items" { items: "items" }
  GET get_item "/items/{id}"
  POST create_item "/items"
  DELETE remove_item "/items/{id}"
}
"""

Draw = Callable[..., Graph]


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


def line_of(text: str, needle: str) -> int:
    """The 1-based line of `needle` in `text` placed after SYSTEM, as the graph reports it."""
    full = SYSTEM + text
    return full[: full.index(needle)].count("\n") + 1
