"""Calls checked against OpenAPI operations: a clean real-world flow, targeted codes and positions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from textwrap import dedent

import pytest

from flowlang.diagnostics import Diagnostic

from .conftest import REAL_SPECS, TEST_SPECS, CheckResult

Check = Callable[[str], CheckResult]


def codes(diags: list[Diagnostic]) -> list[tuple[str, int, int]]:
    return [(d.code, d.span.line, d.span.column) for d in diags]


def write_flow(tmp_path: Path, body: str, spec: Path = TEST_SPECS / "shop.yaml", settings: str = "") -> str:
    """A flow file in tmp_path whose system `shop` uses the given document."""
    path = tmp_path / "case.flow"
    head = f'system shop {{\n  base_url: "http://127.0.0.1:1"\n  spec: "{spec}"\n{settings}}}\n\n'
    path.write_text(head + dedent(body).strip() + "\n", encoding="utf-8")
    return str(path)


def test_a_flow_that_creates_elastic_path_flows_through_create_a_flow_checks_clean(check_openapi: Check) -> None:
    diags, text = check_openapi("tests/openapi/flows/create_flows.flow")
    assert diags == [], text


def test_the_clean_flow_does_call_operations_of_the_document(check_openapi: Check) -> None:
    source = Path("tests/openapi/flows/create_flows.flow")
    text = (Path(__file__).parent / "flows" / source.name).read_text(encoding="utf-8")
    assert "call ep.createAFlow(" in text and 'spec: "../../data/specs/elasticpath-flows.yaml"' in text


def test_a_missing_path_parameter_is_e311_at_the_operation_name(check_openapi: Check) -> None:
    diags, _ = check_openapi("tests/openapi/bad/missing_path_param.flow")
    assert codes(diags) == [("E311", 8, 15)]
    assert diags[0].hint == "add `flowID: …` to the call"


def test_an_unknown_parameter_is_e314_with_did_you_mean(check_openapi: Check) -> None:
    diags, _ = check_openapi("tests/openapi/bad/unknown_parameter.flow")
    unknown = [d for d in diags if d.code == "E314"]
    assert codes(unknown) == [("E314", 8, 24)]
    assert unknown[0].hint == "did you mean 'flowID'?"


def test_a_missing_required_body_is_e315(check_openapi: Check) -> None:
    diags, _ = check_openapi("tests/openapi/bad/missing_body.flow")
    assert codes(diags) == [("E315", 8, 15)]


def test_an_unknown_body_property_is_a_warning_when_the_schema_does_not_forbid_it(check_openapi: Check) -> None:
    diags, _ = check_openapi("tests/openapi/bad/body_unknown_property.flow")
    assert [(d.code, d.severity, d.hint) for d in diags] == [("W310", "warning", "did you mean 'name'?")]


def test_an_unknown_body_property_is_an_error_when_additional_properties_is_false(check_openapi: Check) -> None:
    diags, _ = check_openapi("tests/openapi/bad/shop_required_and_closed.flow")
    assert ("E316", 8, 87) in codes(diags)


def test_required_query_and_header_parameters_are_e312_and_e313(check_openapi: Check) -> None:
    diags, _ = check_openapi("tests/openapi/bad/shop_required_and_closed.flow")
    assert {c for c, _, _ in codes(diags)} == {"E312", "E313", "E316"}


def test_missing_required_properties_are_found_in_nested_objects_and_lists(check_openapi: Check) -> None:
    diags, _ = check_openapi("tests/openapi/bad/shop_missing_required.flow")
    missing = [d for d in diags if d.code == "E317"]
    assert codes(missing) == [("E317", 7, 38), ("E317", 10, 17)]
    assert "'email'" in missing[0].message and "body.addresses[0]" in missing[1].message


def test_a_literal_of_the_wrong_type_is_e318(check_openapi: Check) -> None:
    diags, _ = check_openapi("tests/openapi/bad/body_wrong_type.flow")
    assert codes(diags) == [("E318", 8, 98)]
    assert "body.data.enabled should be a boolean, not a string" in diags[0].message


def test_a_literal_outside_an_enum_is_e319_with_did_you_mean(check_openapi: Check) -> None:
    diags, _ = check_openapi("tests/openapi/bad/body_enum.flow")
    assert codes(diags) == [("E319", 14, 33)]
    assert diags[0].hint == "did you mean 'between'?"


def test_one_of_bodies_are_checked_against_the_alternative_the_literal_means(check_openapi: Check) -> None:
    diags, _ = check_openapi("tests/openapi/bad/carts_oneof.flow")
    assert [d.code for d in diags] == ["E317", "E318"]
    assert "'price'" in diags[0].message and "quantity" in diags[1].message


def test_a_response_field_the_schema_does_not_have_is_w313_with_did_you_mean(check_openapi: Check) -> None:
    diags, _ = check_openapi("tests/openapi/bad/response_field.flow")
    assert codes(diags) == [("W313", 9, 34), ("W313", 10, 27)]
    assert [d.hint for d in diags] == ["did you mean 'name'?", "did you mean 'owner'?"]


def test_response_fields_are_followed_through_recursive_schemas_and_each_records(check_openapi: Check) -> None:
    diags, _ = check_openapi("tests/openapi/bad/shop_response_fields.flow")
    assert codes(diags) == [("W313", 12, 70), ("W313", 14, 25)]


def test_the_system_headers_satisfy_a_required_header(tmp_path: Path, check_openapi: Check) -> None:
    flow = write_flow(tmp_path, """
        flow f {
          r = call shop.listCustomers(modified_since: "2024-01-01T00:00:00Z")
          return r.body.items
        }
    """, settings='  headers: {"x-tenant": "t1"}\n')
    diags, text = check_openapi(flow)
    assert diags == [], text


def test_an_api_key_header_satisfies_a_required_header(tmp_path: Path, check_openapi: Check) -> None:
    flow = write_flow(tmp_path, """
        flow f {
          r = call shop.listCustomers(query: {modified_since: "2024-01-01T00:00:00Z"})
          return r.body.items
        }
    """, settings='  auth: api_key("X-Tenant", "t1")\n')
    diags, text = check_openapi(flow)
    assert diags == [], text


def test_values_known_only_at_run_time_are_not_guessed(tmp_path: Path, check_openapi: Check) -> None:
    flow = write_flow(tmp_path, """
        func payload(c) {
          return {email: c.email, firstname: c.first}
        }

        flow f {
          q = {modified_since: "2024-01-01T00:00:00Z"}
          h = {"X-Tenant": "t1"}
          page = call shop.listCustomers(query: q, headers: h)
          for c in page.body.items {
            call shop.createCustomer(body: payload(c))
          }
          return null
        }
    """)
    diags, text = check_openapi(flow)
    assert diags == [], text


def test_a_variable_assigned_something_else_too_is_not_read_as_a_response(tmp_path: Path, check_openapi: Check) -> None:
    flow = write_flow(tmp_path, """
        flow f {
          r = call shop.getCategory(id: 1)
          if r.body.name == "root" {
            r = {body: {anything: 1}}
          }
          return r.body.anything
        }
    """)
    diags, text = check_openapi(flow)
    assert diags == [], text


def test_string_values_fit_parameters_of_any_type_when_they_are_numbers(tmp_path: Path, check_openapi: Check) -> None:
    flow = write_flow(tmp_path, """
        flow f {
          a = call shop.get_customers_customer_id_addresses(customer_id: "42")
          b = call shop.getCategory(id: 7)
          return [a.body, b.body.children]
        }
    """)
    diags, text = check_openapi(flow)
    assert diags == [], text


@pytest.mark.parametrize("document", ["elasticpath-inventory.yaml", "elasticpath-carts-orders.yaml"])
def test_calls_of_the_other_real_documents_check_clean(tmp_path: Path, check_openapi: Check, document: str) -> None:
    calls = {
        "elasticpath-inventory.yaml": """
            flow f {
              stock = call shop.GetProductStock(product_uuid: "p1")
              call shop.UpdateProductStock(product_uuid: "p1", body: {data: {type: "stock-transaction", action: "increment", quantity: 5}})
              return stock.body.data.available
            }
        """,
        "elasticpath-carts-orders.yaml": """
            flow f {
              cart = call shop.createACart(body: {data: {name: "Web cart", description: "from the ERP"}})
              call shop.manageCarts(cartID: cart.body.data.id, body: {data: {type: "cart_item", id: "p1", quantity: 1}})
              order = call shop.checkoutAPI(cartID: cart.body.data.id, body: {data: {customer: {id: "c1"}, billing_address: source.billing}})
              return order.body.data.id
            }
        """,
    }
    flow = write_flow(tmp_path, calls[document], spec=REAL_SPECS / document)
    diags, text = check_openapi(flow)
    assert [d for d in diags if d.is_error] == [], text


def test_a_variable_whose_fields_the_flow_writes_is_not_read_as_a_response(tmp_path: Path, check_openapi: Check) -> None:
    flow = write_flow(tmp_path, """
        flow f {
          r = call shop.getCategory(id: 1)
          r.body.note = "seen"
          return r.body.note
        }
    """)
    diags, text = check_openapi(flow)
    assert diags == [], text


def test_lambda_parameters_are_items_of_the_list_only_inside_their_lambda(tmp_path: Path, check_openapi: Check) -> None:
    flow = write_flow(tmp_path, """
        flow f {
          c = call shop.getCategory(id: 1)
          names = map(c.body.children, c => c.name)
          ids = map(range(3), c => c.whatever)
          return [names, ids, c.body.id]
        }
    """)
    diags, text = check_openapi(flow)
    assert diags == [], text


def test_enum_words_that_yaml_reads_as_booleans_still_match_as_text(tmp_path: Path, check_openapi: Check) -> None:
    spec = tmp_path / "api.yaml"
    spec.write_text(
        "openapi: 3.0.0\npaths:\n  /x:\n    post:\n      operationId: setFlag\n"
        "      requestBody:\n        content:\n          application/json:\n"
        "            schema: {type: object, properties: {flag: {enum: [yes, no]}}}\n"
        "      responses: {'204': {description: done}}\n",
        encoding="utf-8",
    )
    flow = write_flow(tmp_path, """
        flow f {
          call shop.setFlag(body: {flag: "yes"})
          call shop.setFlag(body: {flag: "maybe"})
          return null
        }
    """, spec=spec)
    diags, _ = check_openapi(flow)
    assert [(d.code, d.span.line) for d in diags] == [("E319", 8)]


def test_query_parameters_that_pagination_or_an_api_key_sets_count_as_given(tmp_path: Path, check_openapi: Check) -> None:
    spec = tmp_path / "api.yaml"
    spec.write_text(
        "openapi: 3.0.0\npaths:\n  /items:\n    get:\n      operationId: listItems\n      parameters:\n"
        "        - {name: page, in: query, required: true, schema: {type: integer}}\n"
        "        - {name: key, in: query, required: true, schema: {type: string}}\n"
        "      responses: {'200': {description: ok}}\n",
        encoding="utf-8",
    )
    flow = write_flow(tmp_path, """
        flow f {
          n = 0
          for item in each shop.listItems() {
            n += length(keys(item))
          }
          one = call shop.listItems()
          return [n, one.status]
        }
    """, spec=spec, settings=(
        '  auth: api_key("key", "k1", in: "query")\n'
        '  GET listItems "/items" {\n    items: "."\n    paginate: page(param: "page")\n  }\n'
    ))
    diags, text = check_openapi(flow)
    assert [(d.code, d.span.line) for d in diags] == [("E312", 16)], text
    assert "'page'" in diags[0].message


def test_a_body_string_without_its_format_is_w315_and_one_with_it_is_fine(tmp_path: Path, check_openapi: Check) -> None:
    spec = tmp_path / "api.yaml"
    spec.write_text(
        "openapi: 3.0.0\npaths:\n  /people:\n    post:\n      operationId: addPerson\n"
        "      requestBody:\n        content:\n          application/json:\n"
        "            schema: {type: object, properties: {email: {type: string, format: email}}}\n"
        "      responses: {'204': {description: done}}\n",
        encoding="utf-8",
    )
    flow = write_flow(tmp_path, """
        flow f {
          call shop.addPerson(body: {email: "ann@example.com"})
          call shop.addPerson(body: {email: "ann at example"})
          return null
        }
    """, spec=spec)
    diags, _ = check_openapi(flow)
    assert [(d.code, d.span.line, d.hint) for d in diags] == [("W315", 8, 'like "ann@example.com"')]
