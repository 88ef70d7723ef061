"""Mermaid `flowchart TD` text of a Graph: one subgraph per chart and per loop/try/catch container."""

from __future__ import annotations

from flowlang.tools.graph import model as m
from flowlang.tools.graph.edges import BACK, ERROR, LINK, Edge, chart_edges, link_edges
from flowlang.tools.graph.style import node_class

# Characters that could end a quoted label or be read as markup, as Mermaid's `#code;` entities.
_ENTITIES = {c: f"#{ord(c)};" for c in '"#&<>`;\\'}
_SHAPES = {  # kind -> (open, close)
    m.START: ('(["', '"])'), m.END: ('(["', '"])'), m.RETURN: ('(["', '"])'), m.FAIL: ('(["', '"])'),
    m.DECISION: ('{"', '"}'), m.FUNC: ('[["', '"]]'), m.LOG: ('>"', '"]'),
}
_CLASSES = """\
  classDef call fill:#ddf4ff,stroke:#0969da,color:#1f2328
  classDef func fill:#fbefff,stroke:#8250df,color:#1f2328
  classDef decision fill:#fff8c5,stroke:#9a6700,color:#1f2328
  classDef ok fill:#dafbe1,stroke:#1a7f37,color:#1f2328
  classDef failed fill:#ffebe9,stroke:#cf222e,color:#1f2328
  classDef terminal fill:#eaeef2,stroke:#57606a,color:#1f2328
  classDef plain fill:#f6f8fa,stroke:#8c959f,color:#1f2328"""


def escape(text: str) -> str:
    """Label text with quotes, markup and statement separators as entity codes."""
    return "".join(_ENTITIES.get(c, c) for c in text)


def _node(node: m.Node, indent: str) -> str:
    lines = [node.label, *node.detail, node.where]
    opening, closing = _SHAPES.get(node.kind, ('["', '"]'))
    return f"{indent}{node.id}{opening}{'<br/>'.join(escape(line) for line in lines)}{closing}"


def _container(cid: str, title: str, inner: list[str], indent: str) -> list[str]:
    return [f'{indent}subgraph {cid}["{escape(title)}"]', *inner, f"{indent}end"]


def _items(seq: m.Seq, indent: str) -> list[str]:
    out: list[str] = []
    for item in seq.items:
        if isinstance(item, m.Node):
            out.append(_node(item, indent))
        elif isinstance(item, m.Branch):
            out.append(_node(item.decision, indent))
            out.extend(_items(item.then, indent))
            out.extend(_items(item.orelse, indent))
        elif isinstance(item, m.Loop):
            inner = [_node(item.head, indent + "  "), *_items(item.body, indent + "  ")]
            out.extend(_container(item.id, item.head.tone, inner, indent))
        else:
            out.extend(_container(item.id, "try", [_node(item.head, indent + "  "),
                                                   *_items(item.body, indent + "  ")], indent))
            out.extend(_container(item.id + "h", item.catch_head.label,
                                  [_node(item.catch_head, indent + "  "),
                                   *_items(item.handler, indent + "  ")], indent))
    return out


def _edge(edge: Edge) -> str:
    label = f"|{escape(edge.label)}|" if edge.label else ""
    arrow = {ERROR: "-.->", LINK: "-.->", BACK: "-->"}.get(edge.style, "-->")
    if edge.style == LINK:
        label = "|calls|"
    return f"  {edge.src} {arrow}{label} {edge.dst}"


def render_mermaid(graph: m.Graph) -> str:
    """The whole graph as Mermaid text (paste it into any Mermaid renderer)."""
    out = ["flowchart TD"]
    for chart in graph.charts:
        out.extend(_container(chart.id, f"{chart.kind} {chart.name}", _items(chart.body, "    "), "  "))
    for chart in graph.charts:
        out.extend(_edge(e) for e in chart_edges(chart))
    out.extend(_edge(e) for e in link_edges(graph))
    out.append(_CLASSES)
    by_class: dict[str, list[str]] = {}
    for node in graph.nodes():
        by_class.setdefault(node_class(node), []).append(node.id)
    out.extend(f"  class {','.join(ids)} {name}" for name, ids in sorted(by_class.items()))
    return "\n".join(out) + "\n"
