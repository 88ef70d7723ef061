"""A flow's strings cannot inject markup into any format: labels are escaped, and they still read as written."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from textwrap import dedent

import pytest
from graph_support import Draw

from flowlang.tools.graph import render
from flowlang.tools.graph.text import clip

HOSTILE = dedent("""\
    flow evil {
      name: "<script>alert('title')</script>"
      x = "\\"]; click n1 call alert(1) %% </text><script>alert(2)</script>"
      log failure "<img src=x onerror=alert(3)> ] } --> n1 ; \\\\N & #quot; `md`"
      return x
    }
    """)
LOG_TEXT = '"<img src=x onerror=alert(3)> ] } --> n1 ; \\\\N & #quot; `md`"'
ASSIGN_TEXT = 'x = "\\"]; click n1 call alert(1) %% </text><script>alert(2)</script>"'


def test_svg_has_no_script_or_handler_and_shows_the_text_as_written(draw: Draw) -> None:
    svg = render(draw(HOSTILE), "svg")
    root = ET.fromstring(svg)  # valid XML despite the markup in the strings
    assert not [el for el in root.iter() if el.tag.rsplit("}", 1)[-1].lower() in ("script", "img", "foreignObject")]
    assert not [(el.tag, k) for el in root.iter() for k in el.attrib if k.lower().startswith("on")]
    texts = ["".join(el.itertext()) for el in root.iter("{http://www.w3.org/2000/svg}text")]
    assert clip(LOG_TEXT) in texts  # as in the source, cut to the label width
    assert any(t.startswith('x = "\\"]; click n1') for t in texts)


def _mermaid_labels(text: str) -> list[str]:
    return re.findall(r'^\s*n\d+[\[\(\{>]+"(.*)"[\]\)\}]+$', text, flags=re.M)


def test_mermaid_labels_hold_no_quote_markup_or_directive(draw: Draw) -> None:
    text = render(draw(HOSTILE), "mermaid")
    node_lines = [line for line in text.splitlines() if re.match(r"\s*n\d+[\[\(\{>]", line)]
    labels = _mermaid_labels(text)
    assert len(labels) == len(node_lines) == 4
    for label in labels:
        body = re.sub(r"#\d+;", "", label.replace("<br/>", "\n"))
        assert not set(body) & set('"<>`;'), body  # all of them entity-coded
    assert not [line for line in text.splitlines() if line.strip().startswith("click")]
    decoded = [html.unescape(re.sub(r"#(\d+);", r"&#\1;", lab)).split("<br/>") for lab in labels]
    assert clip(ASSIGN_TEXT) in [d[0] for d in decoded]
    assert any(d[1] == clip(LOG_TEXT) for d in decoded if len(d) > 2)


def test_dot_strings_keep_quotes_and_backslashes_inside_the_label(draw: Draw) -> None:
    text = render(draw(HOSTILE), "dot")
    # Every quoted string is closed where it should be: no attribute or node comes out of a label.
    for line in text.splitlines():
        outside = re.sub(r'"(?:[^"\\]|\\.)*"', '""', line)
        assert '"' not in outside.replace('""', ""), line
        assert "alert" not in outside and "click" not in outside, line
    assert '\\\\N' in text  # the flow's backslash is doubled: Graphviz shows it, does not expand \\N
    if shutil.which("dot") is None:
        pytest.skip("Graphviz `dot` is not installed: the DOT was only checked as text")
    done = subprocess.run(["dot", "-Tsvg"], input=text, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    root = ET.fromstring(done.stdout)
    assert not [el for el in root.iter() if el.tag.endswith("}script")]
    texts = ["".join(el.itertext()) for el in root.iter("{http://www.w3.org/2000/svg}text")]
    assert clip(LOG_TEXT) in texts
