"""The SVG of every example: valid XML, one node per call, every node at its file:line, nothing overlapping."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from graph_support import FLOW_EXAMPLES

from flowlang import nodes
from flowlang.loader import Project, load_project
from flowlang.tools.graph import Badge, build_graph, render_svg
from flowlang.tools.graph.layout import layout

SVG = "{http://www.w3.org/2000/svg}"


def parse(path: Path) -> tuple[ET.Element, Project]:
    project = load_project(str(path))
    graph = build_graph(project)
    return ET.fromstring(render_svg(graph)), project


def drawn_nodes(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("data-testid") == "flowchart-node"]


@pytest.mark.parametrize("path", FLOW_EXAMPLES, ids=lambda p: p.stem)
def test_svg_is_valid_xml_with_one_node_per_api_call(path: Path) -> None:
    root, project = parse(path)
    assert root.tag == f"{SVG}svg" and root.get("data-testid") == "flowchart"
    graph = build_graph(project)
    charted = {c.name for c in graph.charts}
    programs = project.programs.values()
    bodies = [f.body for p in programs for f in p.flows if f.name == graph.charts[0].name]
    bodies += [f.body for p in programs for f in p.funcs if f.name in charted]
    api_calls = [n for body in bodies for n in nodes.walk(body) if isinstance(n, nodes.ApiCall)]
    drawn = [g for g in drawn_nodes(root) if g.get("data-kind") == "call"]
    assert api_calls and len(drawn) == len(api_calls)
    assert sorted(int(g.get("data-line", 0)) for g in drawn) == sorted(c.span.line for c in api_calls)


@pytest.mark.parametrize("path", FLOW_EXAMPLES, ids=lambda p: p.stem)
def test_every_node_carries_its_file_and_line_and_func_links_resolve(path: Path) -> None:
    root, _ = parse(path)
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    for g in drawn_nodes(root):
        assert g.get("data-file", "").endswith(".flow") and int(g.get("data-line", "0")) > 0
        title = g.find(f"{SVG}title")
        assert title is not None and title.text == f"{g.get('data-file')}:{g.get('data-line')}"
    links = [a.get("href", "") for a in root.iter(f"{SVG}a")]
    assert all(href.startswith("#") and href[1:] in ids for href in links)


@pytest.mark.parametrize("path", FLOW_EXAMPLES, ids=lambda p: p.stem)
def test_no_two_boxes_overlap_and_all_fit_on_the_canvas(path: Path) -> None:
    canvas = layout(build_graph(load_project(str(path))))
    boxes = canvas.nodes
    for p in boxes:
        assert 0 <= p.x and p.x + p.w <= canvas.width and 0 <= p.y and p.y + p.h <= canvas.height
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = a.x + a.w <= b.x or b.x + b.w <= a.x or a.y + a.h <= b.y or b.y + b.h <= a.y
            assert apart, f"{a.node.label!r} overlaps {b.node.label!r}"


def test_badges_put_run_counts_on_their_nodes(tmp_path: Path) -> None:
    graph = build_graph(load_project(str(FLOW_EXAMPLES[0])))
    call = next(n for n in graph.nodes() if n.kind == "call")
    root = ET.fromstring(render_svg(graph, badges={call.id: Badge("12 / 3 failed", "failed")}))
    marked = [g for g in drawn_nodes(root) if g.get("data-count")]
    assert [(g.get("data-node"), g.get("data-count"), g.get("data-state")) for g in marked] == [
        (call.id, "12 / 3 failed", "failed")]
