"""Constants and helpers of the flowchart tests (conftest.py holds the fixture that uses them)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flowlang.tools.graph import Graph

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# Every example file that declares a flow (systems.flow only declares systems; *_test.flow hold tests).
FLOW_EXAMPLES = sorted(p for p in EXAMPLES.glob("*.flow") if p.name != "systems.flow" and not p.stem.endswith("_test"))

SYSTEM = """\
system api {
  base_url: "http://127.0.0.1:9"
  GET list_items "/items" { items: "items" }
  GET get_item "/items/{id}"
  POST create_item "/items"
  DELETE remove_item "/items/{id}"
}
"""

# draw(flow_text, flow=None, files={}) -> Graph: the `draw` fixture of conftest.py.
Draw = Callable[..., Graph]


def line_of(text: str, needle: str) -> int:
    """The 1-based line of `needle` in `text` placed after SYSTEM, as the graph reports it."""
    full = SYSTEM + text
    return full[: full.index(needle)].count("\n") + 1
