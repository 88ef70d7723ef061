"""parse_xml and parse_csv: the value shapes of docs/stdlib.md, and their errors."""

from __future__ import annotations

import pytest

from flowlang.interpreter import eval_expression
from flowlang.runtime.errors import FlowError


def test_parse_xml_keeps_attributes_children_and_mixed_text() -> None:
    doc = eval_expression('parse_xml(x, lists: ["line"])', {"x": (
        '<?xml version="1.0"?>\n<!-- export -->\n<inv no="9">\n  <line sku="A"><qty>2</qty></line>\n'
        "  <total>5</total>\n</inv>")})
    assert doc == {"inv": {"@no": "9", "line": [{"@sku": "A", "qty": "2"}], "total": "5"}}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<a><b></a>", "parse_xml() got XML that is not well-formed at line 1, column 9: mismatched tag"),
        ("", "parse_xml() got XML that is not well-formed at line 1, column 1: no element found"),
        ('<!DOCTYPE a [<!ENTITY x "xx">]><a>&x;</a>', "parse_xml() does not accept XML that declares entities"),
    ],
)
def test_parse_xml_errors_are_data_errors(text: str, message: str) -> None:
    with pytest.raises(FlowError) as info:
        eval_expression("parse_xml(x)", {"x": text})
    assert info.value.kind == "data" and info.value.message.startswith(message)


def test_parse_xml_of_a_deep_document_is_an_error_not_a_crash() -> None:
    with pytest.raises(FlowError, match=r"nested too deeply|not well-formed"):
        eval_expression("parse_xml(x)", {"x": "<a>" * 100_000 + "</a>" * 100_000})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a,b\n1,2,3", "parse_csv(): line 2 has 3 fields, the header has 2"),
        ("a,b\n1", "parse_csv(): line 2 has 1 fields, the header has 2"),
        ("a,a\n1,2", "parse_csv(): the header names the column 'a' twice"),
        ('a\n"x"y', "parse_csv(): line 2: "),
    ],
)
def test_parse_csv_never_drops_or_pads_fields(text: str, message: str) -> None:
    with pytest.raises(FlowError) as info:
        eval_expression("parse_csv(x)", {"x": text})
    assert info.value.kind == "data" and info.value.message.startswith(message)


def test_parse_csv_separator_must_be_one_character() -> None:
    with pytest.raises(FlowError, match="parse_csv\\(\\) expects separator to be one character"):
        eval_expression('parse_csv("a", separator: ";;")')


def test_parse_csv_keeps_quoted_line_breaks_and_crlf() -> None:
    assert eval_expression("parse_csv(x)", {"x": 'id,note\r\n1,"two\r\nlines"\r\n\r\n'}) == [
        {"id": "1", "note": "two\r\nlines"}]
