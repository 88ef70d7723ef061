"""Loading OpenAPI documents: every operation of the real documents, $refs, naming, errors, caching."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from flowlang.diagnostics import Span
from flowlang.openapi import SpecError, load_spec, operation_name, spec_base_url
from flowlang.systems import spec_operations

from .conftest import REAL_SPECS, TEST_SPECS

REAL_DOCUMENTS = ["elasticpath-flows.yaml", "elasticpath-inventory.yaml", "elasticpath-carts-orders.yaml"]


def operation_ids_in(path: Path) -> list[str]:
    """The operationIds written in a document, found in its text without a YAML parser."""
    return re.findall(r"^\s*operationId:\s*['\"]?([A-Za-z0-9_]+)", path.read_text(encoding="utf-8"), re.M)


@pytest.mark.parametrize("name", REAL_DOCUMENTS)
def test_every_operation_of_a_real_document_loads_under_its_operation_id(name: str) -> None:
    written = operation_ids_in(REAL_SPECS / name)
    spec = load_spec(REAL_SPECS / name)
    assert len(written) == len(set(written)) > 0
    assert sorted(spec.operations) == sorted(written)
    assert spec.problems == ()


def test_the_three_documents_have_69_operations_in_all() -> None:
    counts = {name: len(load_spec(REAL_SPECS / name).operations) for name in REAL_DOCUMENTS}
    assert counts == {
        "elasticpath-flows.yaml": 19,
        "elasticpath-inventory.yaml": 8,
        "elasticpath-carts-orders.yaml": 42,
    }


def test_base_url_is_the_first_server_url() -> None:
    assert load_spec(REAL_SPECS / "elasticpath-flows.yaml").base_url == "https://euwest.api.elasticpath.com"
    assert load_spec(REAL_SPECS / "elasticpath-inventory.yaml").base_url == "https://euwest.api.elasticpath.com/v2"


def test_server_variables_take_their_default_values() -> None:
    assert load_spec(TEST_SPECS / "shop.yaml").base_url == "http://localhost:8080/api"


def test_method_path_and_parameters_come_from_the_document() -> None:
    op = load_spec(REAL_SPECS / "elasticpath-flows.yaml").operations["getAllEntries"]
    assert (op.method, op.path) == ("GET", "/v2/flows/{flowSlug}/entries")
    params = {(p.name, p.location, p.required) for p in op.params}
    assert params == {("flowSlug", "path", True), ("page[limit]", "query", False), ("page[offset]", "query", False)}


def test_parameters_referenced_from_components_keep_their_schema() -> None:
    op = load_spec(REAL_SPECS / "elasticpath-flows.yaml").operations["getAllEntries"]
    limit = next(p for p in op.params if p.name == "page[limit]")
    assert limit.schema["type"] == "string"


def test_request_body_is_required_and_its_schema_is_resolved_through_allof() -> None:
    op = load_spec(REAL_SPECS / "elasticpath-flows.yaml").operations["createAFlow"]
    assert op.body_required and op.has_body
    flows_request = op.body_schema["allOf"][0]
    assert set(flows_request["properties"]["data"]["properties"]) == {"description", "enabled", "name", "slug", "type"}


def test_optional_request_body_is_not_required() -> None:
    op = load_spec(REAL_SPECS / "elasticpath-inventory.yaml").operations["CreateProductStock"]
    assert op.has_body and not op.body_required


def test_success_responses_give_the_json_schema_of_2xx_bodies() -> None:
    op = load_spec(REAL_SPECS / "elasticpath-flows.yaml").operations["createAFlow"]
    assert set(op.responses) == {"201", "422", "500"}
    [created] = op.success_schemas
    assert "slug" in created["properties"]["data"]["properties"]


def test_operations_without_json_bodies_have_no_success_schema() -> None:
    op = load_spec(REAL_SPECS / "elasticpath-flows.yaml").operations["deleteAFlow"]
    assert op.success_schemas == []


def test_refs_into_a_relative_file_are_resolved() -> None:
    op = load_spec(TEST_SPECS / "shop.yaml").operations["createCustomer"]
    address = op.body_schema["properties"]["addresses"]["items"]
    assert address["required"] == ["city"]


def test_recursive_schemas_load_as_a_cycle() -> None:
    op = load_spec(TEST_SPECS / "shop.yaml").operations["getCategory"]
    [category] = op.success_schemas
    assert category["properties"]["parent"] is category
    assert category["properties"]["children"]["items"] is category


@pytest.mark.parametrize(
    ("method", "path", "name"),
    [
        ("get", "/v2/flows/{flowID}", "get_v2_flows_flow_id"),
        ("POST", "/v2/carts/{cartID}/items", "post_v2_carts_cart_id_items"),
        ("delete", "/customers/{customer-id}/addresses", "delete_customers_customer_id_addresses"),
        ("get", "/", "get"),
    ],
)
def test_operations_without_an_operation_id_are_named_from_method_and_path(method: str, path: str, name: str) -> None:
    assert operation_name(method, path) == name


def test_a_path_parameter_that_is_no_identifier_is_called_by_its_snake_case_name() -> None:
    op = load_spec(TEST_SPECS / "shop.yaml").operations["get_customers_customer_id_addresses"]
    assert op.call_path == "/customers/{customer_id}/addresses"
    assert [(p.name, p.arg_name) for p in op.params] == [("customer-id", "customer_id")]


def test_query_and_header_parameters_without_identifier_names_have_no_named_argument() -> None:
    op = load_spec(TEST_SPECS / "shop.yaml").operations["listCustomers"]
    assert op.query_params == ("modified_since", "status")
    assert op.header_params == ()
    assert {p.name: p.arg_name for p in op.params}["X-Tenant"] == ""


def test_swagger_2_documents_load_with_body_parameters_and_host() -> None:
    spec = load_spec(TEST_SPECS / "petstore-swagger2.json")
    assert spec.base_url == "http://127.0.0.1:9000/v1"
    add = spec.operations["addPet"]
    assert add.body_required and add.body_schema["required"] == ["name"]
    assert [p.name for p in spec.operations["listPets"].params] == ["limit"]


def test_a_missing_document_is_e300() -> None:
    with pytest.raises(SpecError) as caught:
        load_spec(TEST_SPECS / "no-such-document.yaml")
    assert caught.value.code == "E300"


def test_invalid_yaml_is_e301_with_the_line_and_column() -> None:
    with pytest.raises(SpecError) as caught:
        load_spec(TEST_SPECS / "broken.yaml")
    assert caught.value.code == "E301"
    assert "at 9:6" in caught.value.message


def test_invalid_json_is_e301_with_the_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "api.json"
    path.write_text('{\n  "openapi": "3.1.0",\n  "paths": {,}\n}\n', encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert caught.value.code == "E301"
    assert "at 3:13" in caught.value.message


def test_a_yaml_file_that_is_not_openapi_is_e302() -> None:
    with pytest.raises(SpecError) as caught:
        load_spec(TEST_SPECS / "not-openapi.yaml")
    assert caught.value.code == "E302"


def test_an_unsupported_version_is_e302(tmp_path: Path) -> None:
    path = tmp_path / "api.yaml"
    path.write_text("openapi: 4.0.0\npaths: {}\n", encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert caught.value.code == "E302" and "4.0.0" in caught.value.message


def test_an_unresolved_ref_is_an_e303_problem_and_the_rest_still_loads() -> None:
    spec = load_spec(TEST_SPECS / "dangling-ref.yaml")
    assert [p.code for p in spec.problems] == ["E303"]
    assert "#/components/schemas/Thing" in spec.problems[0].message
    assert spec.operations["createThing"].body_schema == {}


def test_duplicate_operation_ids_are_w300_and_both_operations_stay_callable(tmp_path: Path) -> None:
    path = tmp_path / "api.yaml"
    path.write_text(
        "openapi: 3.0.0\npaths:\n"
        "  /a:\n    get: {operationId: list, responses: {}}\n"
        "  /b:\n    get: {operationId: list, responses: {}}\n",
        encoding="utf-8",
    )
    spec = load_spec(path)
    assert sorted(spec.operations) == ["get_b", "list"]
    assert [p.code for p in spec.problems] == ["W300"]


def test_loading_twice_gives_the_cached_document() -> None:
    assert load_spec(REAL_SPECS / "elasticpath-carts-orders.yaml") is load_spec(REAL_SPECS / "elasticpath-carts-orders.yaml")


def test_an_edited_document_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "api.yaml"
    path.write_text("openapi: 3.0.0\npaths:\n  /a:\n    get: {operationId: first, responses: {}}\n", encoding="utf-8")
    before = load_spec(path)
    path.write_text("openapi: 3.0.0\npaths:\n  /a:\n    get: {operationId: second_one, responses: {}}\n", encoding="utf-8")
    os.utime(path, ns=(1, 1))  # a different mtime even on coarse file-system clocks
    assert list(before.operations) == ["first"]
    assert list(load_spec(path).operations) == ["second_one"]


SPAN = Span("x.flow", 3, 9, 3, 30)


def test_the_systems_hook_gives_checker_models_of_every_operation() -> None:
    models, diags = spec_operations("ep", str(REAL_SPECS / "elasticpath-flows.yaml"), SPAN)
    assert diags == []
    by_name = {m.name: m for m in models}
    assert len(by_name) == 19
    entries = by_name["getAllEntries"]
    assert (entries.method, entries.path, entries.path_params) == ("GET", "/v2/flows/{flowSlug}/entries", ("flowSlug",))
    assert entries.from_spec and entries.system == "ep"
    assert by_name["createAFlow"].body_required


def test_the_systems_hook_reports_a_bad_document_at_the_spec_string() -> None:
    models, diags = spec_operations("x", str(TEST_SPECS / "broken.yaml"), SPAN)
    assert models == []
    assert [(d.code, d.span) for d in diags] == [("E301", SPAN)]


def test_spec_base_url_is_none_for_a_document_that_does_not_load() -> None:
    assert spec_base_url(str(TEST_SPECS / "shop.yaml")) == "http://localhost:8080/api"
    assert spec_base_url(str(TEST_SPECS / "broken.yaml")) is None


def test_every_code_of_the_openapi_part_is_documented_with_its_severity() -> None:
    from flowlang.openapi import OPENAPI_CODES

    from .conftest import REPO

    doc = (REPO / "docs" / "openapi.md").read_text(encoding="utf-8")
    for code, (severity, _meaning) in OPENAPI_CODES.items():
        assert f"| {code} | {severity} |" in doc, code


def test_every_code_the_openapi_modules_report_is_in_the_code_table() -> None:
    from flowlang.openapi import OPENAPI_CODES

    from .conftest import REPO

    sources = "".join(
        (REPO / "flowlang" / name).read_text(encoding="utf-8")
        for name in (
            "openapi/spec.py", "openapi/refs.py", "openapi/values.py", "openapi/responses.py", "checker/spec_calls.py",
            "checker/spec_paging.py",
        )
    )
    table = re.search(r"OPENAPI_CODES: .*?\n}\n", sources, re.S)
    assert table is not None
    used = set(re.findall(r'"([EW]3\d\d)"', sources.replace(table.group(0), "")))
    assert used == set(OPENAPI_CODES)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("? [a, b]\n: 1\n", "at 1:3"),
        ("openapi: 3.0.0\npaths: " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
    ],
)
def test_yaml_that_python_cannot_hold_is_e301(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "api.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert caught.value.code == "E301" and expected in caught.value.message


def test_yaml_anchors_and_merge_keys_are_read_as_pyyaml_reads_them(tmp_path: Path) -> None:
    path = tmp_path / "api.yaml"
    path.write_text(
        "openapi: 3.0.0\n"
        "x-defaults: &ok {description: fine}\n"
        "paths:\n"
        "  /a:\n"
        "    get:\n"
        "      operationId: getA\n"
        "      responses:\n"
        "        '200': {<<: *ok, content: {application/json: {schema: {type: object}}}}\n",
        encoding="utf-8",
    )
    assert load_spec(path).operations["getA"].success_schemas == [{"type": "object"}]


def test_a_deeply_nested_document_is_e301_even_under_the_checkers_raised_recursion_limit(tmp_path: Path) -> None:
    """libyaml recurses on the C stack: 100,000 levels would crash the process (run apart, to see)."""
    import subprocess
    import sys

    path = tmp_path / "deep.yaml"
    path.write_text("openapi: 3.0.0\npaths: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    script = (
        "import sys; sys.setrecursionlimit(20000)\n"
        "from flowlang.openapi import load_spec, SpecError\n"
        f"try:\n    load_spec({str(path)!r})\nexcept SpecError as exc:\n    print(exc.code, exc.message)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("E301") and "nested too deeply" in done.stdout


def test_a_json_document_loads_like_the_same_document_in_yaml(tmp_path: Path) -> None:
    import json

    import yaml

    source = REAL_SPECS / "elasticpath-flows.yaml"
    path = tmp_path / "flows.json"
    path.write_text(json.dumps(yaml.safe_load(source.read_text(encoding="utf-8"))), encoding="utf-8")
    from_json, from_yaml = load_spec(path), load_spec(source)
    assert from_json.operations.keys() == from_yaml.operations.keys()
    assert from_json.operations["createAFlow"].body_schema == from_yaml.operations["createAFlow"].body_schema
