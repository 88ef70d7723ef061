"""A top-down layered layout of a Graph: structured flows nest, so each item is measured, then placed.

Every item has one entry (top centre) and one exit (bottom centre); a sequence stacks its items on one
axis, a branch puts its paths side by side and merges them below, a loop or try is a frame around its
body. The result is a flat list of placed boxes, frames and arrow paths for the SVG writer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flowlang.tools.graph import model as m

CHAR_W, LINE_H, PAD_X, PAD_Y = 7.2, 16.0, 10.0, 6.0  # 12px monospace text
GAP_Y, GAP_X, INSET, HEAD_H, MARGIN = 28.0, 28.0, 14.0, 22.0, 20.0
POINT = 12.0  # how far a decision's hexagon points stick out


@dataclass(slots=True)
class Placed:
    """A node's box at its place."""

    node: m.Node
    x: float
    y: float
    w: float
    h: float


@dataclass(slots=True)
class Frame:
    """A container drawn around items: a chart, a loop, a try, or a catch path."""

    kind: str
    id: str
    title: str
    x: float
    y: float
    w: float
    h: float


@dataclass(slots=True)
class Path:
    """An arrow through `points`; `style` is solid, back, error or link; `label` sits near its end."""

    points: list[tuple[float, float]]
    style: str = "solid"
    label: str = ""


@dataclass(slots=True)
class Canvas:
    width: float = 0.0
    height: float = 0.0
    nodes: list[Placed] = field(default_factory=list)
    frames: list[Frame] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)


def text_lines(node: m.Node) -> list[str]:
    return [node.label, *node.detail]


class _Box:
    """An item measured: its size, and whether control leaves its bottom."""

    w: float
    h: float
    terminal: bool

    def place(self, x: float, y: float, out: Canvas) -> None:
        raise NotImplementedError


class _NodeBox(_Box):
    def __init__(self, node: m.Node) -> None:
        self.node = node
        lines = text_lines(node)
        badge = len(str(node.line)) + 3  # room for the line number in the corner
        self.w = max(60.0, max(len(t) for t in lines) * CHAR_W + 2 * PAD_X + badge * CHAR_W * 0.8)
        if node.kind == m.DECISION:
            self.w += 2 * POINT
        self.h = len(lines) * LINE_H + 2 * PAD_Y
        self.terminal = node.terminal

    def place(self, x: float, y: float, out: Canvas) -> None:
        out.nodes.append(Placed(self.node, x, y, self.w, self.h))


class _SeqBox(_Box):
    def __init__(self, items: list[_Box]) -> None:
        self.items = items
        self.w = max((b.w for b in items), default=0.0)
        self.h = sum(b.h for b in items) + GAP_Y * max(len(items) - 1, 0)
        self.terminal = any(b.terminal for b in items)

    def place(self, x: float, y: float, out: Canvas) -> None:
        cx = x + self.w / 2
        for index, box in enumerate(self.items):
            box.place(cx - box.w / 2, y, out)
            y += box.h
            if index + 1 < len(self.items):
                if not box.terminal:
                    out.paths.append(Path([(cx, y), (cx, y + GAP_Y)]))
                y += GAP_Y


class _Split(_Box):
    """A head box and two columns under it that merge at the bottom (a branch, or a try and its catch)."""

    def __init__(self, head: _Box, left: _Box | None, right: _Box | None, labels: tuple[str, str],
                 right_style: str = "solid") -> None:
        self.head, self.left, self.right, self.labels = head, left, right, labels
        self.right_style = right_style
        self.lw = left.w if left else 40.0
        self.rw = right.w if right else 40.0
        self.w = max(head.w, self.lw + GAP_X + self.rw)
        body = max(left.h if left else 0.0, right.h if right else 0.0)
        self.h = head.h + GAP_Y + body + GAP_Y
        self.terminal = bool(left and left.terminal and right and right.terminal)

    def place(self, x: float, y: float, out: Canvas) -> None:
        cx = x + self.w / 2
        self.head.place(cx - self.head.w / 2, y, out)
        top = y + self.head.h
        cols_x = x + (self.w - (self.lw + GAP_X + self.rw)) / 2
        body_y = top + GAP_Y
        merge_y = y + self.h
        for col, col_x, width, label, style in (
            (self.left, cols_x, self.lw, self.labels[0], "solid"),
            (self.right, cols_x + self.lw + GAP_X, self.rw, self.labels[1], self.right_style),
        ):
            ccx = col_x + width / 2
            mid = top + GAP_Y / 2
            down = [(cx, top), (cx, mid), (ccx, mid), (ccx, body_y)]
            if col is None:  # an empty path runs straight to the merge
                out.paths.append(Path([*down[:-1], (ccx, merge_y - GAP_Y / 2), (cx, merge_y - GAP_Y / 2),
                                       (cx, merge_y)], style, label))
                continue
            out.paths.append(Path(down, style, label))
            col.place(col_x + (width - col.w) / 2, body_y, out)
            if not col.terminal:
                bottom = body_y + col.h
                out.paths.append(Path([(ccx, bottom), (ccx, merge_y - GAP_Y / 2), (cx, merge_y - GAP_Y / 2),
                                       (cx, merge_y)]))


class _FrameBox(_Box):
    """A frame around an inner box, with a title in its top-left corner."""

    def __init__(self, kind: str, fid: str, title: str, inner: _Box, loop_head: _Box | None = None) -> None:
        self.kind, self.fid, self.title, self.inner, self.loop_head = kind, fid, title, inner, loop_head
        self.w = max(inner.w, len(title) * CHAR_W) + 2 * INSET + (INSET if loop_head else 0)
        self.h = HEAD_H + inner.h + INSET
        self.terminal = inner.terminal and loop_head is None

    def place(self, x: float, y: float, out: Canvas) -> None:
        out.frames.append(Frame(self.kind, self.fid, self.title, x, y, self.w, self.h))
        ix = x + INSET
        iy = y + HEAD_H
        self.inner.place(ix, iy, out)
        if self.loop_head is not None and isinstance(self.inner, _SeqBox):
            self._back_edge(ix, iy, out)

    def _back_edge(self, ix: float, iy: float, out: Canvas) -> None:
        """From the end of the body back up to the loop's head, along the frame's right side."""
        head = self.loop_head
        assert head is not None and isinstance(self.inner, _SeqBox)
        cx = ix + self.inner.w / 2
        bottom = iy + self.inner.h
        right = ix + self.inner.w + INSET / 2
        head_mid = iy + head.h / 2
        head_right = cx + head.w / 2
        if not self.inner.items[-1].terminal and len(self.inner.items) > 1:
            out.paths.append(Path([(cx, bottom), (cx, bottom + INSET / 2), (right, bottom + INSET / 2),
                                   (right, head_mid), (head_right, head_mid)], "back"))


def _measure_seq(seq: m.Seq) -> _SeqBox:
    return _SeqBox([_measure(item) for item in seq.items])


def _measure(item: m.Item) -> _Box:
    if isinstance(item, m.Node):
        return _NodeBox(item)
    if isinstance(item, m.Branch):
        then = _measure_seq(item.then) if item.then.items else None
        orelse = _measure_seq(item.orelse) if item.orelse.items else None
        return _Split(_NodeBox(item.decision), then, orelse, ("yes", "no"))
    if isinstance(item, m.Loop):
        head = _NodeBox(item.head)
        inner = _SeqBox([head, *(_measure(i) for i in item.body.items)])
        return _FrameBox(f"loop-{item.head.tone}", item.id, item.head.tone, inner, loop_head=head)
    body = _measure_seq(item.body) if item.body.items else None
    catch_inner = _SeqBox([_NodeBox(item.catch_head), *(_measure(i) for i in item.handler.items)])
    catch = _FrameBox("catch", item.id + "h", item.catch_head.label, catch_inner)
    split = _Split(_NodeBox(item.head), body, catch, ("", "error"), "error")
    return _FrameBox("try", item.id, "try", split)


def layout(graph: m.Graph) -> Canvas:
    """Place every chart of `graph`: the flow on the left, the funcs it calls in a column on its right."""
    canvas = Canvas()
    boxes = [(chart, _FrameBox(f"chart-{chart.kind}", chart.id, f"{chart.kind} {chart.title}",
                               _measure_seq(chart.body))) for chart in graph.charts]
    x = y = MARGIN
    if boxes:
        first = boxes[0][1]
        first.place(x, y, canvas)
        canvas.width, canvas.height = x + first.w + MARGIN, y + first.h + MARGIN
        x += first.w + GAP_X * 2
    for _chart, box in boxes[1:]:
        box.place(x, y, canvas)
        canvas.width = max(canvas.width, x + box.w + MARGIN)
        y += box.h + GAP_Y
        canvas.height = max(canvas.height, y - GAP_Y + MARGIN)
    return canvas
