"""System settings, operation options and the setting functions, as evaluated at run start."""

from __future__ import annotations

import pytest

from flowlang.runtime.config import (
    ApiKeyAuth,
    CursorPaginate,
    NextLinkPaginate,
    OAuth2Auth,
    PagePaginate,
    bearer,
    build_operation,
    build_system,
    call_setting_function,
    page,
    setting_parameters,
)
from flowlang.runtime.errors import FlowError


def test_flowlang_names_in_and_from_reach_the_python_parameters() -> None:
    auth = call_setting_function("api_key", ["X-Key", "k"], {"in": "query"})
    assert auth == ApiKeyAuth("X-Key", "k", "query")
    assert call_setting_function("cursor", [], {"param": "after", "from": "meta.next"}) == CursorPaginate("after", "meta.next")
    assert call_setting_function("next_link", ["links.next"], {}) == NextLinkPaginate("links.next")


def test_setting_functions_take_defaults() -> None:
    assert call_setting_function("page", [], {"param": "p"}) == PagePaginate("p", 1, None, None)
    assert call_setting_function("oauth2", ["https://x/token", "id", "s"], {}) == OAuth2Auth("https://x/token", "id", "s")
    assert call_setting_function("none", [], {}) is None


def test_setting_parameters_use_flowlang_names() -> None:
    assert setting_parameters("api_key") == [("name", True), ("value", True), ("in", False)]
    assert setting_parameters("cursor") == [("param", True), ("from", True)]


@pytest.mark.parametrize(
    ("name", "positional", "named", "message"),
    [
        ("page", [], {}, "page() is missing 'param'"),
        ("page", ["p"], {"step": 2}, "page() has no parameter 'step'"),
        ("bearer", ["a", "b"], {}, "bearer() takes at most 1 arguments, got 2"),
        ("bearer", ["t"], {"token": "u"}, "bearer(): 'token' given twice"),
        ("api_key", ["k", "v"], {"in": "cookie"}, "api_key(): 'in' must be \"header\" or \"query\", got cookie"),
        ("bearer", [None], {}, "bearer(): 'token' must be a non-empty string, got null"),
        ("offset", ["o", "l", 0], {}, "offset(): 'limit' must be a whole number >= 1, got 0"),
        ("page", ["p"], {"size": 10}, "page(): give both 'size_param' and 'size', or neither"),
        ("oauth2", ["ftp://x", "i", "s"], {}, "oauth2(): 'token_url' must start with http:// or https://"),
        ("paginate", [], {}, "unknown setting function 'paginate'"),
    ],
)
def test_bad_setting_function_calls_are_input_errors(
    name: str, positional: list[object], named: dict[str, object], message: str
) -> None:
    with pytest.raises(FlowError) as info:
        call_setting_function(name, positional, named)
    assert info.value.kind == "input"
    assert info.value.message.startswith(message)


def test_build_system_applies_defaults_and_keeps_operations() -> None:
    ops = [build_operation("get", "get", "/c/{id}")]
    system = build_system("shop", {"base_url": "https://shop.test", "headers": {"X-N": 1, "X-Skip": None}}, ops)
    assert (system.timeout, system.retry, system.backoff, system.rate_limit, system.auth) == (30.0, 0, 0.5, None, None)
    assert system.headers == {"X-N": "1"}
    assert system.operations["get"].method == "GET"
    assert system.operations["get"].path_params == ("id",)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"base_url": 42}, "system shop: 'base_url' must be a string, got number"),
        ({}, "system shop: 'base_url' must be a string, got null"),
        ({"base_url": "shop.test"}, "system shop: 'base_url' must start with http:// or https://"),
        ({"base_url": "http://x", "retry": 1.5}, "system shop: 'retry' must be a whole number >= 0, got 1.5"),
        ({"base_url": "http://x", "timeout": 0}, "system shop: 'timeout' must be a positive number, got 0"),
        ({"base_url": "http://x", "backoff": -1}, "system shop: 'backoff' must be a number >= 0, got -1"),
        ({"base_url": "http://x", "rate_limit": "10"}, "system shop: 'rate_limit' must be a positive number, got string"),
        ({"base_url": "http://x", "auth": "token"}, "system shop: 'auth' must be none, bearer(…)"),
        ({"base_url": "http://x", "headers": {"a": [1]}}, "system shop: header 'a' must be text, got list"),
        ({"base_url": "http://x", "retries": 3}, "system shop: unknown setting 'retries'"),
        ({"base_url": "http://x", "headers": {"a": "x\ny"}}, "system shop: header 'a' contains a line break"),
    ],
)
def test_bad_system_settings_are_input_errors(settings: dict[str, object], message: str) -> None:
    with pytest.raises(FlowError) as info:
        build_system("shop", settings, [])
    assert info.value.kind == "input"
    assert info.value.message.startswith(message)


def test_bad_setting_is_reported_at_its_location() -> None:
    with pytest.raises(FlowError) as info:
        build_system("shop", {"base_url": "http://x", "retry": -1}, [], {"retry": ("s.flow", 5, 10)})
    assert info.value.where == ("s.flow", 5, 10)


def test_auth_and_spec_settings_are_accepted() -> None:
    system = build_system("shop", {"base_url": "http://x", "auth": bearer("t"), "spec": "shop.yaml"}, [])
    assert system.auth == bearer("t")


def test_operation_options_are_validated() -> None:
    operation = build_operation("list", "GET", "/items", {"items": "data", "paginate": page("p"), "retry": 2,
                                                          "timeout": 5, "idempotent": True})
    assert (operation.items, operation.retry, operation.timeout, operation.idempotent) == ("data", 2, 5.0, True)
    with pytest.raises(FlowError, match="'paginate' must be page"):
        build_operation("list", "GET", "/items", {"paginate": "page"})
    with pytest.raises(FlowError, match="unknown option 'item'"):
        build_operation("list", "GET", "/items", {"item": "data"})


def test_only_post_and_patch_need_idempotent_to_be_retried() -> None:
    assert build_operation("a", "PUT", "/a").retryable
    assert not build_operation("a", "POST", "/a").retryable
    assert not build_operation("a", "PATCH", "/a").retryable
    assert build_operation("a", "POST", "/a", {"idempotent": True}).retryable
