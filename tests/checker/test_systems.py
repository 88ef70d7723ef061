"""The system model: declared operations, path parameters, and the hook that merges spec operations."""

from __future__ import annotations

import sys
import types

import pytest

from flowlang import nodes
from flowlang import systems as systems_module
from flowlang.diagnostics import Span
from flowlang.syntax.parser import parse
from flowlang.systems import SETTING_FUNCTIONS, OperationModel, build_systems, path_parameters

SOURCE = """\
system shop {
  base_url: "https://shop.example.com"
  spec: "shop.yaml"
  GET get_line "/orders/{order_id}/lines/{line_id}"
  GET list_orders "/orders" {
    items: "orders"
  }
}
"""


def test_path_parameters_in_order_without_repeats() -> None:
    assert path_parameters("/a/{x}/b/{y}/{x}") == ("x", "y")
    assert path_parameters("/plain") == ()


def test_declared_operations_become_models() -> None:
    program = parse(SOURCE.replace('  spec: "shop.yaml"\n', ""), "shop.flow")
    systems, problems = build_systems([program])
    line = systems["shop"].operations["get_line"]
    assert (line.method, line.path_params, line.has_items, line.request_schema) == (
        "GET", ("order_id", "line_id"), False, None)
    assert systems["shop"].operations["list_orders"].has_items
    assert "query" in line.argument_names and problems == []


def test_without_openapi_support_a_spec_system_is_incomplete(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "flowlang.openapi", types.ModuleType("flowlang.openapi"))
    systems, _ = build_systems([parse(SOURCE, "shop.flow")])
    assert systems["shop"].complete is False


def test_spec_operations_are_merged_with_operation_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, str]] = []

    def spec_operations(system: str, path: str, span: Span) -> tuple[list[OperationModel], list[object]]:
        seen.append((system, path))
        return [
            OperationModel(system, "list_orders", "GET", "/orders", span, query_params=("page",), from_spec=True),
            OperationModel(system, "get_order", "GET", "/orders/{id}", span, path_params=("id",), from_spec=True),
        ], []

    monkeypatch.setattr(systems_module, "spec_operations", spec_operations)
    systems, _ = build_systems([parse(SOURCE, "flows/shop.flow")])
    shop = systems["shop"]
    assert seen == [("shop", "flows/shop.yaml")]
    assert sorted(shop.operations) == ["get_line", "get_order", "list_orders"]
    merged = shop.operations["list_orders"]
    assert merged.from_spec and merged.has_items and merged.query_params == ("page",)
    assert isinstance(merged.option("items"), nodes.Setting)


def test_setting_functions_match_the_runtime() -> None:
    config = pytest.importorskip("flowlang.runtime.config")
    runtime = {name: tuple(config.setting_parameters(name)) for name in config.SETTING_FUNCTIONS}
    assert runtime == SETTING_FUNCTIONS


def test_operation_options_and_body_formats_match_the_runtime() -> None:
    from flowlang import systems
    from flowlang.runtime import config

    assert systems.OPERATION_OPTIONS == config.OPERATION_OPTIONS
    assert systems.BODY_FORMATS == config.BODY_FORMATS
