"""The arrows of a chart, derived from its structure: what runs after what, loop-backs and the error path."""

from __future__ import annotations

from dataclasses import dataclass, field

from flowlang.tools.graph import model as m

SOLID, BACK, ERROR, LINK = "solid", "back", "error", "link"


@dataclass(frozen=True, slots=True)
class Edge:
    """An arrow from node `src` to node `dst`; `style` is solid, back (to a loop head), error or link."""

    src: str
    dst: str
    label: str = ""
    style: str = SOLID


@dataclass(slots=True)
class _Loop:
    head: str
    breaks: list[str] = field(default_factory=list)


_Pending = list[tuple[str, str, str]]  # (src, label, style) arrows waiting for the next item's entry


class _Walker:
    def __init__(self) -> None:
        self.edges: list[Edge] = []
        self.loops: list[_Loop] = []

    def connect(self, pending: _Pending, dst: str) -> None:
        self.edges.extend(Edge(src, dst, label, style) for src, label, style in pending)

    def seq(self, seq: m.Seq, pending: _Pending) -> _Pending:
        """Connect `pending` to the sequence's first item and so on; the arrows that leave its end."""
        for item in seq.items:
            pending = self.item(item, pending)
        return pending

    def item(self, item: m.Item, pending: _Pending) -> _Pending:
        if isinstance(item, m.Node):
            self.connect(pending, item.id)
            if item.kind == m.BREAK and self.loops:
                self.loops[-1].breaks.append(item.id)
            elif item.kind == m.CONTINUE and self.loops:
                self.edges.append(Edge(item.id, self.loops[-1].head, "", BACK))
            return [] if item.terminal else [(item.id, "", SOLID)]
        if isinstance(item, m.Branch):
            self.connect(pending, item.decision.id)
            yes = self.seq(item.then, [(item.decision.id, "yes", SOLID)])
            no = self.seq(item.orelse, [(item.decision.id, "no", SOLID)])
            return yes + no
        if isinstance(item, m.Loop):
            self.connect(pending, item.head.id)
            loop = _Loop(item.head.id)
            self.loops.append(loop)
            ends = self.seq(item.body, [(item.head.id, "", SOLID)])
            self.loops.pop()
            self.edges.extend(Edge(src, item.head.id, label, BACK) for src, label, _ in ends
                              if src != item.head.id)
            return [(item.head.id, "done", SOLID), *((b, "", SOLID) for b in loop.breaks)]
        self.connect(pending, item.head.id)
        ends = self.seq(item.body, [(item.head.id, "", SOLID)])
        self.edges.append(Edge(item.head.id, item.catch_head.id, "error", ERROR))
        return ends + self.seq(item.handler, [(item.catch_head.id, "", SOLID)])


def chart_edges(chart: m.Chart) -> list[Edge]:
    """Every arrow inside one chart, in source order."""
    walker = _Walker()
    walker.seq(chart.body, [])
    return walker.edges


def link_edges(graph: m.Graph) -> list[Edge]:
    """One arrow from each func call to the start of the called func's chart."""
    starts = {chart.id: chart.start.id for chart in graph.charts}
    return [Edge(node.id, starts[node.target], "", LINK) for node in graph.nodes()
            if node.kind == m.FUNC and node.target in starts]
