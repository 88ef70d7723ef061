"""`items:` and `paginate:` of operation lines checked against the document's operation (E320–E322)."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from flowlang.checker import check
from flowlang.diagnostics import Diagnostic
from flowlang.loader import load_project

from .conftest import TEST_SPECS


def check_lines(tmp_path: Path, lines: str, flow: str = "flow a {\n  return 1\n}\n") -> list[Diagnostic]:
    """Check a system `api` over specs/paging.yaml with the given operation lines."""
    path = tmp_path / "case.flow"
    head = f'system api {{\n  spec: "{TEST_SPECS / "paging.yaml"}"\n'
    path.write_text(head + dedent(lines) + "}\n" + flow, encoding="utf-8")
    return [d for d in check(load_project(str(path))) if d.code.startswith(("E3", "W3"))]


def found(diags: list[Diagnostic]) -> list[tuple[str, int, int, str, str | None]]:
    return [(d.code, d.span.line, d.span.column, d.message, d.hint) for d in diags]


def test_paging_that_matches_the_document_checks_clean(tmp_path: Path) -> None:
    diags = check_lines(tmp_path, """\
      GET listCustomers "/v1/customers" {
        items: "data"
        paginate: after_last(param: "starting_after", key: "id", has_more: "has_more")
      }
      GET listOrders "/orders" {
        items: "orders"
        paginate: cursor(param: "cursor", from: "meta.next_cursor")
      }
      POST searchOrders "/orders/search" {
        items: "results"
        paginate: cursor(param: "body.cursor", from: "next_cursor")
      }
      GET listTags "/tags" {
        items: ""
      }
    """)
    assert diags == []


def test_an_items_path_the_response_lacks_is_e320_with_did_you_mean(tmp_path: Path) -> None:
    diags = check_lines(tmp_path, '  GET listCustomers "/v1/customers" {\n    items: "dta"\n  }\n')
    assert found(diags) == [("E320", 4, 10, 'items: "dta" of listCustomers (GET /v1/customers): the response '
                             "has no field 'dta'", "did you mean 'data'?")]


def test_an_items_path_that_is_not_a_list_is_e320_naming_the_lists(tmp_path: Path) -> None:
    diags = check_lines(tmp_path, '  GET listOrders "/orders" {\n    items: "meta"\n  }\n'
                                  '  GET listTags "/tags" {\n    items: "tags"\n  }\n')
    assert found(diags) == [
        ("E320", 4, 10, "items: \"meta\" of listOrders (GET /orders): 'meta' in the response is object, not a list",
         "its lists: orders"),
        ("E320", 7, 10, 'items: "tags" of listTags (GET /tags): the response has no field \'tags\' (it is array)',
         None),
    ]


def test_items_empty_on_an_object_response_is_e320(tmp_path: Path) -> None:
    diags = check_lines(tmp_path, '  GET listOrders "/orders" {\n    items: ""\n  }\n')
    assert [(d.code, d.message, d.hint) for d in diags] == [
        ("E320", 'items: "" of listOrders (GET /orders): the response is object, not a list', "its lists: orders")]


def test_a_cursor_from_path_the_response_lacks_is_e321(tmp_path: Path) -> None:
    diags = check_lines(tmp_path, """\
      GET listOrders "/orders" {
        items: "orders"
        paginate: cursor(param: "cursor", from: "meta.next")
      }
    """)
    assert found(diags) == [("E321", 5, 43, "cursor(from: …) of listOrders (GET /orders): the response has no "
                             "field 'meta.next'", "'meta' has: next_cursor")]


def test_after_last_key_and_has_more_are_checked_against_records_and_response(tmp_path: Path) -> None:
    diags = check_lines(tmp_path, """\
      GET listCustomers "/v1/customers" {
        items: "data"
        paginate: after_last(param: "starting_after", key: "ID", has_more: "hasMore")
      }
    """)
    assert [(d.code, d.message, d.hint) for d in diags] == [
        ("E321", "after_last(key: …) of listCustomers (GET /v1/customers): a record has no field 'ID'",
         "did you mean 'id'?"),
        ("E321", "after_last(has_more: …) of listCustomers (GET /v1/customers): the response has no field "
         "'hasMore'", "did you mean 'has_more'?"),
    ]


def test_a_paging_parameter_the_operation_lacks_is_e322_with_did_you_mean(tmp_path: Path) -> None:
    diags = check_lines(tmp_path, """\
      GET listOrders "/orders" {
        items: "orders"
        paginate: page(param: "cursr", size_param: "pagesize", size: 50)
      }
    """)
    assert [(d.code, d.message, d.hint) for d in diags] == [
        ("E322", "page(param: …) of listOrders (GET /orders): the operation has no query parameter 'cursr'",
         "did you mean 'cursor'?"),
        ("E322", "page(size_param: …) of listOrders (GET /orders): the operation has no query parameter "
         "'pagesize'", "did you mean 'page_size'?"),
    ]


def test_a_body_paging_parameter_is_checked_against_the_request_body(tmp_path: Path) -> None:
    diags = check_lines(tmp_path, """\
      POST searchOrders "/orders/search" {
        items: "results"
        paginate: cursor(param: "body.cursr", from: "next_cursor")
      }
      GET listOrders "/orders" {
        items: "orders"
        paginate: cursor(param: "body.cursor", from: "meta.next_cursor")
      }
    """)
    assert [(d.code, d.message, d.hint) for d in diags] == [
        ("E322", "cursor(param: …) of searchOrders (POST /orders/search): the request body has no field 'cursr'",
         "did you mean 'cursor'?"),
        ("E322", "cursor(param: …) of listOrders (GET /orders): the operation takes no request body", None),
    ]


def test_positional_paginate_arguments_are_checked_too(tmp_path: Path) -> None:
    diags = check_lines(tmp_path, '  GET listOrders "/orders" {\n    items: "orders"\n'
                                  '    paginate: cursor("cursor", "meta.nxt_cursor")\n  }\n')
    assert [d.code for d in diags] == ["E321"]
