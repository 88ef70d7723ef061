"""flowlang/tools/highlight.py: classed, escaped HTML from the project's lexer, every character kept."""

from __future__ import annotations

import html
import re
from pathlib import Path
from textwrap import dedent

import pytest

from flowlang.tools.highlight import CLASSES, SCOPES, highlight_html, highlight_lines, pieces

ROOT = Path(__file__).resolve().parents[2]
FLOWS = sorted(
    p for p in [*ROOT.glob("examples/**/*.flow"), *ROOT.glob("tests/**/*.flow")] if "__snapshots__" not in p.parts
)
_TAG = re.compile(r"<[^>]*>")
_SPAN = re.compile(r'<span class="([^"]*)">([^<]*)</span>')


def text_of(markup: str) -> str:
    return html.unescape(_TAG.sub("", markup))


def classed(source: str) -> list[tuple[str, str]]:
    """(class, text) of every non-blank piece."""
    return [(p.cls, p.text) for p in pieces(source) if p.cls]


def test_every_flow_of_the_repository_comes_back_character_for_character() -> None:
    assert FLOWS
    for path in FLOWS:
        source = path.read_text(encoding="utf-8", errors="replace")
        assert text_of(highlight_html(source)) == source, path
        assert "\n".join(text_of(line) for line in highlight_lines(source)) == source, path


def test_only_known_classes_and_every_class_has_a_textmate_scope() -> None:
    used = {cls for path in FLOWS for cls, _ in _SPAN.findall(highlight_html(path.read_text(encoding="utf-8", errors="replace")))}
    assert used <= set(CLASSES)
    assert {"fl-keyword", "fl-declaration", "fl-string", "fl-comment", "fl-number", "fl-verb"} <= used
    assert all(scope.endswith(".flowlang") for scope in SCOPES.values())


def test_text_is_html_escaped_in_strings_comments_and_errors() -> None:
    source = 'x = "<b>&amp;</b>"  # a < b & c > d\ny = x @ <script>\n'
    out = highlight_html(source)
    assert "<b>" not in out and "<script>" not in out
    assert '<span class="fl-string">"&lt;b&gt;&amp;amp;&lt;/b&gt;"</span>' in out
    assert '<span class="fl-comment"># a &lt; b &amp; c &gt; d</span>' in out
    assert text_of(out) == source


def test_comments_are_kept_at_the_end_of_a_line_and_on_their_own_lines() -> None:
    source = dedent("""\
        # head
        flow f {
          # own line
          x = 1  # after code
        }
        """)
    assert [t for c, t in classed(source) if c == "fl-comment"] == ["# head", "# own line", "# after code"]


def test_declarations_keywords_names_and_calls() -> None:
    source = dedent("""\
        import "systems.flow"
        func money(amount) {
          return format_number(amount, 2, thousands: "")
        }
        flow sync {
          for c in each shop.customers() parallel 4 {
            log info c.email
          }
        }
        """)
    got = classed(source)
    assert ("fl-declaration", "import") in got and ("fl-declaration", "func") in got
    assert ("fl-definition", "money") in got and ("fl-definition", "sync") in got
    assert ("fl-keyword", "return") in got and ("fl-keyword", "for") in got and ("fl-keyword", "each") in got
    assert ("fl-operator-word", "in") in got
    assert ("fl-function", "format_number") in got and ("fl-function", "customers") in got
    assert ("fl-property", "thousands") in got and ("fl-property", "email") in got
    assert ("fl-level", "info") in got
    assert ("fl-name", "amount") in got and ("fl-number", "4") in got


def test_system_operations_settings_and_durations() -> None:
    source = dedent("""\
        system shop {
          base_url: env("SHOP_URL", "http://127.0.0.1:8765")
          timeout: 30s
          GET list_customers "/customers" {
            items: "customers"
          }
        }
        """)
    got = classed(source)
    assert ("fl-definition", "shop") in got
    assert ("fl-property", "base_url") in got and ("fl-property", "timeout") in got
    assert ("fl-number", "30s") in got
    assert ("fl-verb", "GET") in got and ("fl-definition", "list_customers") in got


def test_keywords_used_as_member_names_and_keys_are_properties() -> None:
    got = classed('p = {in: "query", type: x.if}\n')
    assert ("fl-property", "in") in got and ("fl-property", "if") in got
    assert not any(cls == "fl-keyword" for cls, _ in got)


def test_constants_and_operators() -> None:
    got = classed("x = a ?? null == true and b != false\nx += -1 * 2\nf = v => v\n")
    assert {("fl-constant", "null"), ("fl-constant", "true"), ("fl-constant", "false")} <= set(got)
    assert {("fl-operator", op) for op in ("??", "==", "!=", "+=", "-", "*", "=>")} <= set(got)
    assert ("fl-operator-word", "and") in got


def test_interpolations_are_highlighted_as_code_and_escapes_marked() -> None:
    got = classed(r'log info "order {order.name}: \"{n + 1}\" \u{1F600} \{literal}"' + "\n")
    assert got[2:8] == [
        ("fl-string", '"order '),
        ("fl-interpolation", "{"),
        ("fl-name", "order"),
        ("fl-punctuation", "."),
        ("fl-property", "name"),
        ("fl-interpolation", "}"),
    ]
    assert ("fl-escape", r"\"") in got and ("fl-escape", r"\u{1F600}") in got and ("fl-escape", r"\{") in got
    assert ("fl-operator", "+") in got and ("fl-number", "1") in got


def test_long_strings_span_lines_and_each_line_closes_its_spans() -> None:
    source = 'x = """\nfirst {a}\nsecond\n"""\ny = 2'
    lines = highlight_lines(source)
    assert len(lines) == len(source.split("\n")) == 5
    assert lines[2] == '<span class="fl-string">second</span>'
    for line in lines:
        assert line.count("<span") == line.count("</span>")


@pytest.mark.parametrize("source", ['x = "unclosed\ny = 1\n', 'x = """never closed\n\nz', "a = b $ c\n", "\x00"])
def test_text_the_lexer_cannot_read_is_marked_and_the_rest_still_highlights(source: str) -> None:
    out = highlight_html(source)
    assert text_of(out) == source
    assert 'class="fl-error"' in out
    if source.startswith('x = "unclosed'):
        assert '<span class="fl-name">y</span>' in out
    if "$" in source:
        assert '<span class="fl-error">$</span>' in out and '<span class="fl-name">c</span>' in out


def test_empty_source_and_crlf() -> None:
    assert highlight_html("") == ""
    assert highlight_lines("") == [""]
    source = "flow f {\r\n  x = 1\r\n}\r\n"
    assert text_of(highlight_html(source)) == source
    assert len(highlight_lines(source)) == 4
