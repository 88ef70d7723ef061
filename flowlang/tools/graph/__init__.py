"""Flowcharts of flows: `build_graph` (AST -> model), then Mermaid, DOT or a self-laid-out SVG."""

from __future__ import annotations

from typing import Any

from flowlang.tools.graph.build import GraphError, build_graph, select_flow
from flowlang.tools.graph.dot import render_dot
from flowlang.tools.graph.mermaid import render_mermaid
from flowlang.tools.graph.model import Graph, Node
from flowlang.tools.graph.svg import Badge, render_svg

FORMATS = ("mermaid", "dot", "svg")

__all__ = ["FORMATS", "Badge", "Graph", "GraphError", "Node", "build_graph", "render", "render_dot",
           "render_mermaid", "render_svg", "select_flow"]


def render(graph: Graph, fmt: str, **options: Any) -> str:
    """The graph in one of FORMATS."""
    if fmt == "mermaid":
        return render_mermaid(graph)
    if fmt == "dot":
        return render_dot(graph)
    if fmt == "svg":
        return render_svg(graph, **options)
    raise ValueError(f"unknown graph format {fmt!r}; choose one of {', '.join(FORMATS)}")
