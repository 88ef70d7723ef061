"""SVG of a Graph, laid out by layout.py: self-contained (presentation attributes, no script, no CSS needed).

Every node is a `<g data-testid="flowchart-node">` carrying `data-node`, `data-kind`, `data-file` and
`data-line`, so a page can link it to the source or put run counts on it; every string is XML-escaped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass

from flowlang.tools.graph import layout as lay
from flowlang.tools.graph import model as m
from flowlang.tools.graph.style import COLOURS, EDGE, MUTED, TEXT, frame_stroke, node_class

# Characters XML 1.0 does not allow even as references: replaced, so any flow text gives a valid document.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
FONT = "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace"


@dataclass(frozen=True, slots=True)
class Badge:
    """A count shown on a node's corner after a run: `text` (e.g. `12`), `state` ok, failed or idle (it did
    not run), `note` its tooltip (e.g. `ran 12 times, failed 2 times`)."""

    text: str
    state: str = "ok"
    note: str = ""


def esc(text: object) -> str:
    """Text or an attribute value, escaped for XML (quotes too)."""
    return html.escape(_NOT_XML.sub("\ufffd", str(text)), quote=True)


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _shape(p: lay.Placed, fill: str, stroke: str) -> str:
    w, h, kind = _fmt(p.w), _fmt(p.h), p.node.kind
    paint = f'fill="{fill}" stroke="{stroke}" stroke-width="1.2"'
    if kind == m.DECISION:
        pt = lay.POINT
        pts = [(pt, 0), (p.w - pt, 0), (p.w, p.h / 2), (p.w - pt, p.h), (pt, p.h), (0, p.h / 2)]
        return f'<polygon class="fc-shape" points="{" ".join(f"{_fmt(a)},{_fmt(b)}" for a, b in pts)}" {paint}/>'
    radius = p.h / 2 if kind in (m.START, m.END, m.RETURN, m.FAIL) else 4
    rect = f'<rect class="fc-shape" width="{w}" height="{h}" rx="{_fmt(radius)}" {paint}/>'
    if kind == m.FUNC:  # the flowchart "predefined process": a bar inside each side
        rect += (f'<path d="M6,0 V{h} M{_fmt(p.w - 6)},0 V{h}" stroke="{stroke}" stroke-width="1" '
                 f'fill="none"/>')
    return rect


def _node(p: lay.Placed, prefix: str, badge: Badge | None) -> str:
    node = p.node
    cls = node_class(node)
    fill, stroke = COLOURS[cls]
    attrs = (f'class="fc-node fc-{cls} fc-kind-{node.kind}" data-testid="flowchart-node" id="{prefix}{node.id}" '
             f'data-node="{node.id}" data-kind="{node.kind}" data-tone="{esc(node.tone)}" '
             f'data-file="{esc(node.file)}" data-line="{node.line}"')
    if badge is not None:
        attrs += f' data-count="{esc(badge.text)}" data-state="{esc(badge.state)}"'
    parts = [f'<g {attrs} transform="translate({_fmt(p.x)},{_fmt(p.y)})">',
             f"<title>{esc(node.where)}</title>", _shape(p, fill, stroke)]
    x = lay.PAD_X + (lay.POINT if node.kind == m.DECISION else 0)
    for index, line in enumerate((node.label, *node.detail)):
        y = lay.PAD_Y + lay.LINE_H * index + 12
        weight = ' font-weight="600"' if index == 0 else ""
        colour = TEXT if index == 0 else MUTED
        parts.append(f'<text x="{_fmt(x)}" y="{_fmt(y)}" fill="{colour}"{weight}>{esc(line)}</text>')
    parts.append(f'<text class="fc-line" x="{_fmt(p.w - 6)}" y="{_fmt(lay.PAD_Y + 11)}" text-anchor="end" '
                 f'font-size="9" fill="{MUTED}">{node.line}</text>')
    if badge is not None:
        parts.append(_badge(p, badge))
    parts.append("</g>")
    body = "".join(parts)
    if node.kind == m.FUNC and node.target:
        return f'<a href="#{prefix}{esc(node.target)}" class="fc-link">{body}</a>'
    return body


def _badge(p: lay.Placed, badge: Badge) -> str:
    width = max(22.0, len(badge.text) * lay.CHAR_W * 0.85 + 10)
    fill, stroke = COLOURS[{"failed": "failed", "idle": "terminal"}.get(badge.state, "ok")]
    note = f"<title>{esc(badge.note)}</title>" if badge.note else ""
    return (f'<g class="fc-badge fc-badge-{esc(badge.state)}" transform="translate({_fmt(p.w - width / 2)},-9)">'
            f'{note}<rect width="{_fmt(width)}" height="16" rx="8" fill="{fill}" stroke="{stroke}"/>'
            f'<text x="{_fmt(width / 2)}" y="12" text-anchor="middle" font-size="10" fill="{TEXT}">'
            f"{esc(badge.text)}</text></g>")


def _frame(f: lay.Frame, prefix: str) -> str:
    stroke = frame_stroke(f.kind)
    chart = f.kind.startswith("chart")
    dash = "" if chart or f.kind == "try" else ' stroke-dasharray="5 3"'
    fill = "#ffffff" if chart else "none"
    ident = f' id="{prefix}{f.id}"' if chart else ""
    return (f'<g class="fc-frame fc-frame-{f.kind}" data-frame="{f.id}"{ident}>'
            f'<rect x="{_fmt(f.x)}" y="{_fmt(f.y)}" width="{_fmt(f.w)}" height="{_fmt(f.h)}" rx="8" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="1.2"{dash}/>'
            f'<text x="{_fmt(f.x + 10)}" y="{_fmt(f.y + 15)}" fill="{stroke if not chart else TEXT}" '
            f'font-size="11" font-weight="600">{esc(f.title)}</text></g>')


def _path(path: lay.Path, prefix: str) -> str:
    d = "M" + " L".join(f"{_fmt(x)},{_fmt(y)}" for x, y in path.points)
    error = path.style == "error"
    colour = COLOURS["failed"][1] if error else EDGE
    dash = ' stroke-dasharray="4 3"' if error else ""
    marker = f"{prefix}arrow-error" if error else f"{prefix}arrow"
    out = (f'<path class="fc-edge fc-edge-{path.style}" d="{d}" fill="none" stroke="{colour}" '
           f'stroke-width="1.2"{dash} marker-end="url(#{marker})"/>')
    if path.label and len(path.points) >= 3:
        (x, y) = path.points[2]
        out += (f'<text class="fc-edge-label" x="{_fmt(x + 4)}" y="{_fmt(y - 3)}" font-size="10" '
                f'fill="{colour}">{esc(path.label)}</text>')
    return out


def _markers(prefix: str) -> str:
    def marker(name: str, colour: str) -> str:
        return (f'<marker id="{prefix}{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
                f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/>'
                f"</marker>")

    return f'<defs>{marker("arrow", EDGE)}{marker("arrow-error", COLOURS["failed"][1])}</defs>'


def render_svg(graph: m.Graph, badges: Mapping[str, Badge] | None = None, prefix: str = "fc-") -> str:
    """The graph as one SVG document; `badges` (by node id) puts run counts on nodes."""
    canvas = lay.layout(graph)
    badges = badges or {}
    first = graph.charts[0] if graph.charts else None
    title = f"{first.kind} {first.name}" if first else "flowchart"
    w, h = _fmt(canvas.width), _fmt(canvas.height)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="flowchart" data-testid="flowchart" role="img" '
           f'width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{FONT}" font-size="12" '
           f'aria-label="Flowchart of {esc(title)}">',
           f"<title>{esc(title)}</title>", _markers(prefix)]
    out.extend(_frame(f, prefix) for f in canvas.frames)
    out.extend(_path(p, prefix) for p in canvas.paths)
    out.extend(_node(p, prefix, badges.get(p.node.id)) for p in canvas.nodes)
    out.append("</svg>")
    return "\n".join(out) + "\n"
