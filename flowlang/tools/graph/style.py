"""How nodes look in every format: a colour class per node, and each class's fill and stroke."""

from __future__ import annotations

from flowlang.tools.graph import model as m

COLOURS = {  # class -> (fill, stroke); the same ok/failed colours as the console's
    "call": ("#ddf4ff", "#0969da"), "func": ("#fbefff", "#8250df"), "decision": ("#fff8c5", "#9a6700"),
    "ok": ("#dafbe1", "#1a7f37"), "failed": ("#ffebe9", "#cf222e"), "terminal": ("#eaeef2", "#57606a"),
    "plain": ("#f6f8fa", "#8c959f"),
}
TEXT, MUTED, EDGE = "#1f2328", "#57606a", "#57606a"
FRAME_STROKES = {"loop": "#0969da", "try": "#9a6700", "catch": "#cf222e", "chart": "#d0d7de"}


def node_class(node: m.Node) -> str:
    """The colour class of a node: call, func, decision, ok, failed, terminal or plain."""
    if node.kind in (m.CALL, m.FUNC, m.DECISION):
        return node.kind
    if node.tone == "success":
        return "ok"
    if node.tone in ("failure", "error") or node.kind == m.FAIL:
        return "failed"
    if node.kind in (m.START, m.END, m.RETURN, m.BREAK, m.CONTINUE):
        return "terminal"
    return "plain"


def frame_stroke(kind: str) -> str:
    """The border colour of a frame kind (`loop-each`, `try`, `catch`, `chart-flow`, …)."""
    return FRAME_STROKES.get(kind.split("-")[0], "#d0d7de")
