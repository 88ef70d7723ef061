"""The formatter's three promises, over generated flows and every flow of the repository (and relaid ones).

Lossless: every comment is kept, in order; the same AST (spans aside); idempotent: formatting twice changes
nothing. And the examples and the docs' flow code blocks are kept formatted.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from flowlang.diagnostics import FlowSyntaxError
from flowlang.syntax import parse
from flowlang.tools.fmt import format_text, same_ast
from tests.tools.flowgen import flows, relaid

ROOT = Path(__file__).resolve().parents[2]
FLOWS = sorted(p for p in ROOT.glob("**/*.flow") if ".venv" not in p.parts and "node_modules" not in p.parts)
DOCS = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md", ROOT / "examples" / "README.md"]
FENCE = re.compile(r"^```flow( unformatted)?[^\n]*\n(.*?)^```", re.M | re.S)
COMMENT = re.compile(r"#[^\n]*")


def _parses(text: str) -> bool:
    try:
        parse(text, "t.flow")
    except FlowSyntaxError:
        return False
    return True


def _comments(text: str) -> list[str]:
    """The comments of a flow, from its tokens (a `#` inside a string is no comment)."""
    from tests.tools.flowgen import _lexer

    found: list[str] = []
    for tok in _lexer().lex_trivia(text):
        if tok.type in ("COMMENT", "_NL"):
            found += [c.rstrip() for c in COMMENT.findall(tok.value)]
    return found


def assert_promises(text: str) -> str:
    result = format_text(text, "t.flow")
    assert not result.diagnostics
    assert same_ast(text, result.new)
    assert _comments(result.new) == _comments(text)
    assert format_text(result.new, "t.flow").new == result.new
    return result.new


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return "{"  # not UTF-8 (a test of the loader): left out as a file that does not parse


PARSING = [p for p in FLOWS if _parses(_text(p))]


def test_the_corpus_is_large_enough_to_mean_something() -> None:
    assert len(PARSING) >= 100


@pytest.mark.parametrize("path", PARSING, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_flow_of_the_repository(path: Path) -> None:
    assert_promises(path.read_text(encoding="utf-8"))


@settings(max_examples=150, deadline=None)
@given(text=flows())
def test_generated_flows(text: str) -> None:
    assert _parses(text), text
    assert_promises(text)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), index=st.integers(0, 10_000))
def test_relaid_flows_of_the_repository(data: st.DataObject, index: int) -> None:
    original = PARSING[index % len(PARSING)].read_text(encoding="utf-8")
    text = data.draw(relaid(original))
    assume(_parses(text))
    assert_promises(text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), index=st.integers(0, 10_000))
def test_blanks_do_not_matter(data: st.DataObject, index: int) -> None:
    original = PARSING[index % len(PARSING)].read_text(encoding="utf-8")
    text = data.draw(relaid(original, breaks=False))
    assert _filled(format_text(text).new) == _filled(format_text(original).new)


def _filled(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("path", sorted((ROOT / "examples").glob("*.flow")), ids=lambda p: p.name)
def test_examples_are_formatted(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert format_text(text, str(path)).new == text, f"run `flowlang fmt {path.relative_to(ROOT)}`"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_flow_blocks_of_the_docs_are_formatted(doc: Path) -> None:
    before = None
    for unformatted, block in FENCE.findall(doc.read_text(encoding="utf-8")):
        if unformatted:  # an example of the formatter's input: the next block shows its output
            before = block
            continue
        if before is not None:
            assert format_text(before).new == block
            before = None
        result = format_text(block, doc.name)
        if result.diagnostics:
            continue  # a fragment, or an example of a syntax error
        assert result.new == block, f"a flow block of {doc.name} is not formatted:\n{result.diff()}"
