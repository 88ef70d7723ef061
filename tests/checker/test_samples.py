"""`source:` samples: the file must be there and hold JSON; fields read from `source` must exist in it."""

from __future__ import annotations

import json

from .conftest import CheckText, codes, only

ORDER = json.dumps({
    "order": {"id": 1, "name": "#1", "note": None,
              "lines": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 2, "discount": 1}]},
    "customer": {"email": "a@example.com"},
})


def flow(body: str) -> str:
    return 'flow hook {\n  source: "samples/order.json"\n' + body + "}\n"


def test_fields_present_in_the_sample_check_clean(check_text: CheckText) -> None:
    diags = check_text(flow("""\
  order = source.order
  for line in order.lines {
    log info "{line.sku} {line.qty} {line.discount}"
  }
  name = source["order"].name
  log info "{source.customer.email} {order.lines[0].sku} {name} {order.note}"
"""), {"samples/order.json": ORDER})
    assert diags == []


def test_missing_field_is_a_warning_at_the_field_name(check_text: CheckText) -> None:
    diags = check_text(flow("  return source.customer.emial\n"), {"samples/order.json": ORDER})
    diag = only(diags, "W201")
    assert (diag.span.line, diag.span.column, diag.span.end_column) == (3, 26, 31)
    assert diag.message == "'source.customer' has no field 'emial' in the source sample"
    assert diag.hint == "did you mean 'email'?"


def test_missing_field_of_a_loop_variable(check_text: CheckText) -> None:
    diags = check_text(flow("  for l in source.order.lines {\n    log info l.price\n  }\n"),
                       {"samples/order.json": ORDER})
    assert only(diags, "W201").message == "'l' has no field 'price' in the source sample"


def test_optional_access_does_not_warn(check_text: CheckText) -> None:
    diags = check_text(flow("  return source?.refund ?? source.order?.refund\n"), {"samples/order.json": ORDER})
    assert diags == []


def test_lambda_parameters_shadow_sample_names(check_text: CheckText) -> None:
    diags = check_text(flow("  l = 1\n  return map([{z: 1}], source => source.z) + [l]\n"), {"samples/order.json": ORDER})
    assert "W201" not in codes(diags)


def test_missing_sample_file_is_an_error_at_the_string(check_text: CheckText) -> None:
    diag = only(check_text(flow("  return source\n")), "E217")
    assert (diag.span.line, diag.span.column) == (2, 11)


def test_invalid_json_sample_says_where(check_text: CheckText) -> None:
    diags = check_text(flow("  return source\n"), {"samples/order.json": '{"a": 1,\n  }'})
    assert only(diags, "E218").message.endswith("at line 2 column 3")


def test_sample_is_found_relative_to_the_flow_file(check_text: CheckText) -> None:
    diags = check_text(
        'import "flows/hook.flow"\n',
        {"flows/hook.flow": flow("  return source.order.id\n"), "flows/samples/order.json": ORDER},
    )
    assert diags == []


def test_assigning_a_new_field_checks_only_the_path_before_it(check_text: CheckText) -> None:
    diags = check_text(flow("  source.order.extra = 1\n  source.ordr.extra = 2\n"), {"samples/order.json": ORDER})
    diag = only(diags, "W201")
    assert (diag.span.line, diag.span.column) == (4, 10)
