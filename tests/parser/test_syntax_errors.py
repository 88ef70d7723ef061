"""Syntax errors are reported in words, with exact positions, never as tracebacks."""

from __future__ import annotations

import pytest

from flowlang.diagnostics import FlowSyntaxError
from flowlang.syntax.parser import parse


def first_error(src: str) -> tuple[str, int, int, str, str | None]:
    with pytest.raises(FlowSyntaxError) as info:
        parse(src, "t.flow")
    d = info.value.diagnostics[0]
    return d.code, d.span.line, d.span.column, d.message, d.hint


def test_unclosed_block_names_where_it_was_opened() -> None:
    code, line, _col, message, _ = first_error("flow a {\n  if x {\n    y = 2\n")
    assert (code, line) == ("E001", 3)
    assert message == "expected `}` to close the block opened at 2:8, found end of file"


def test_unclosed_call_parenthesis() -> None:
    _, line, col, message, _ = first_error("flow a {\n  x = f(1, 2\n}\n")
    assert (line, col) == (3, 1)
    assert "expected `)` to close the parenthesis opened at 2:8" in message


def test_unterminated_string() -> None:
    assert first_error('flow a {\n  x = "abc\n}\n')[:3] == ("E002", 2, 7)


def test_error_inside_an_interpolation_points_into_the_string() -> None:
    code, line, col, message, _ = first_error('flow a {\n  x = "a {y.} b"\n}\n')
    assert (code, line, col) == ("E001", 2, 13)
    assert "expected a name" in message


@pytest.mark.parametrize(
    ("src", "code"),
    [
        ('flow a {\n  x = "\\q"\n}\n', "E003"),
        ("flow a {\n  wait 5mins\n}\n", "E004"),
        ('flow a {\n  log inf "x"\n}\n', "E005"),
        ('system s {\n  get x "/a"\n}\n', "E006"),
        ("flow a {\n  f(x) = 1\n}\n", "E007"),
        ("flow a {\n  x == 1\n}\n", "E008"),
        ('flow a {\n  x = 1\n  name: "b"\n}\n', "E009"),
        ("flow a {\n  a.b(1)\n}\n", "E020"),
        ("flow a {\n  x = " + "not " * 500 + "y\n}\n", "E021"),
    ],
)
def test_each_kind_of_syntax_error_has_its_code(src: str, code: str) -> None:
    assert first_error(src)[0] == code


def test_else_on_its_own_line_gets_a_hint() -> None:
    *_, hint = first_error("flow a {\n  if x {\n  }\n  else {\n  }\n}\n")
    assert hint == "`else` goes on the same line as the `}` before it"


@pytest.mark.parametrize("src", ["\0", "flow \x00 {}", "flow a { x = 'a' }", "\x7f"])
def test_stray_bytes_are_diagnostics(src: str) -> None:
    assert first_error(src)[0] == "E001"


def test_three_thousand_nested_brackets_parse_or_report() -> None:
    src = "flow a {\n  x = " + "[" * 3000 + "1" + "]" * 3000 + "\n}\n"
    assert first_error(src)[0] == "E021"


def test_a_twenty_thousand_term_expression_is_reported_not_crashed() -> None:
    src = "flow a {\n  x = " + " + ".join(["1"] * 20000) + "\n}\n"
    assert first_error(src)[0] == "E021"


def test_a_quote_inside_an_interpolation_gets_a_hint() -> None:
    *_, hint = first_error('flow a {\n  log info "v {get(x, "a")} w"\n}\n')
    assert hint == 'an interpolation `{…}` cannot contain a `"`: put the value in a variable first'


def test_an_escaped_brace_before_a_stray_string_is_not_taken_for_an_interpolation() -> None:
    *_, hint = first_error('flow a {\n  x = "literal \\{ brace" "second"\n}\n')
    assert hint is None or "interpolation" not in hint


@pytest.mark.parametrize(("source", "word", "keyword"), [
    ("flow a {\n  x = 1\n  retrun x\n}\n", "retrun", "return"),
    ("flow a {\n  xs = []\n  fro x in xs {\n  }\n}\n", "fro", "for"),
    ("flow a {\n  tyr {\n    x = 1\n  } catch {\n  }\n}\n", "tyr", "try"),
    ("flow a {\n  x = 1\n  retrun\n}\n", "retrun", "return"),
    ("flow a {\n  lgo info \"hi\"\n}\n", "lgo", "log"),
    ("flwo a {\n}\n", "flwo", "flow"),
    ("flow a {\n}\nsytem s {\n}\n", "sytem", "system"),
])
def test_a_misspelt_keyword_at_the_start_of_a_statement_gets_did_you_mean_on_the_word(
    source: str, word: str, keyword: str
) -> None:
    code, line, col, message, hint = first_error(source)
    lines = source.split("\n")
    assert (code, lines[line - 1][col - 1:].split()[0]) == ("E001", word)  # the caret is on the misspelt word
    assert message.startswith(f"unknown word `{word}` at the start of a")
    assert hint == f"did you mean `{keyword}`?"


def test_a_name_far_from_any_keyword_keeps_the_plain_message() -> None:
    _, _, _, message, hint = first_error("flow a {\n  x = 1\n  total x\n}\n")
    assert message.startswith("unexpected name `x`") and hint is None
