"""Graphviz DOT text of a Graph: one cluster per chart and per loop/try/catch container."""

from __future__ import annotations

from flowlang.tools.graph import model as m
from flowlang.tools.graph.edges import BACK, ERROR, LINK, Edge, chart_edges, link_edges
from flowlang.tools.graph.style import COLOURS, node_class

_SHAPES = {m.START: "oval", m.END: "oval", m.RETURN: "oval", m.FAIL: "oval", m.DECISION: "hexagon",
           m.LOG: "cds"}


def quote(text: str) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, so no escape sequence survives."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _node(node: m.Node, indent: str) -> str:
    fill, stroke = COLOURS[node_class(node)]
    label = "\\n".join(quote(line)[1:-1] for line in (node.label, *node.detail, node.where))
    shape = _SHAPES.get(node.kind, "box")
    extra = ', peripheries=2' if node.kind == m.FUNC else ""
    return (f'{indent}{node.id} [label="{label}", shape={shape}, fillcolor="{fill}", color="{stroke}", '
            f'tooltip={quote(node.where)}{extra}];')


def _cluster(cid: str, title: str, inner: list[str], indent: str, style: str = "rounded") -> list[str]:
    return [f"{indent}subgraph cluster_{cid} {{", f"{indent}  label={quote(title)}; style={quote(style)};",
            *inner, f"{indent}}}"]


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
            out.extend(_cluster(item.id, item.head.tone, inner, indent, "rounded,dashed"))
        else:
            out.extend(_cluster(item.id, "try", [_node(item.head, indent + "  "),
                                                 *_items(item.body, indent + "  ")], indent))
            out.extend(_cluster(item.id + "h", item.catch_head.label,
                                [_node(item.catch_head, indent + "  "),
                                 *_items(item.handler, indent + "  ")], indent, "rounded,dashed"))
    return out


def _edge(edge: Edge, heads: dict[str, str]) -> str:
    attrs = [f"label={quote(edge.label)}"] if edge.label else []
    if edge.style == ERROR:
        attrs += ["style=dashed", 'color="#cf222e"']
    elif edge.style == BACK:
        attrs += ["constraint=false", 'color="#57606a"']
    elif edge.style == LINK:
        attrs += ["style=dotted", 'color="#8250df"', f"lhead=cluster_{heads[edge.dst]}"]
    return f"  {edge.src} -> {edge.dst}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";"


def render_dot(graph: m.Graph) -> str:
    """The whole graph as DOT text (`dot -Tsvg` or `-Tpng` draws it)."""
    first = graph.charts[0]
    out = [f"digraph {quote(first.id)} {{",
           '  graph [rankdir=TB, compound=true, fontname="Helvetica", fontsize=11];',
           '  node [style="rounded,filled", fontname="Helvetica", fontsize=10];',
           '  edge [fontname="Helvetica", fontsize=9];']
    heads: dict[str, str] = {}
    for chart in graph.charts:
        heads[chart.start.id] = chart.id
        out.extend(_cluster(chart.id, f"{chart.kind} {chart.name}", _items(chart.body, "    "), "  "))
    for chart in graph.charts:
        out.extend(_edge(e, heads) for e in chart_edges(chart))
    out.extend(_edge(e, heads) for e in link_edges(graph))
    out.append("}")
    return "\n".join(out) + "\n"
