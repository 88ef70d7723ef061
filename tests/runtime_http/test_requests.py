"""`HttpClient.request`: how calls become requests, and how responses become values or errors."""

from __future__ import annotations

import pytest

from flowlang.runtime.errors import FlowError

from .conftest import MakeClient, op
from .servers import FakeServer, Reply

WHERE = ("sync.flow", 12, 5)


def test_path_parameters_are_url_encoded(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("GET", "/customers/a%2Fb%20c/orders/7", json={"ok": True})
    client = make_client(server.url, [op("orders", "GET", "/customers/{id}/orders/{n}")])
    result = client.request("api", "orders", {"id": "a/b c", "n": 7}, WHERE)
    assert result["body"] == {"ok": True}
    assert server.requests[0].path == "/customers/a%2Fb%20c/orders/7"


def test_base_url_with_a_path_prefix_is_kept(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("GET", "/rest/V1/items", json=[])
    client = make_client(server.url + "/rest/V1/", [op("items", "GET", "/items")])
    client.request("api", "items", {}, WHERE)
    assert server.requests[0].path == "/rest/V1/items"


def test_missing_path_parameter_is_a_data_error(server: FakeServer, make_client: MakeClient) -> None:
    client = make_client(server.url, [op("get", "GET", "/customers/{id}")])
    with pytest.raises(FlowError) as info:
        client.request("api", "get", {}, WHERE)
    assert info.value.kind == "data"
    assert "api.get" in info.value.message and "'id'" in info.value.message
    assert info.value.where == WHERE
    assert server.requests == []


def test_query_values_are_text_lists_repeat_and_null_is_left_out(
    server: FakeServer, make_client: MakeClient
) -> None:
    server.reply("GET", "/search", json={})
    client = make_client(server.url, [op("search", "GET", "/search")])
    client.request("api", "search", {"query": {"q": "a b", "n": 2, "f": True, "tag": ["x", "y"], "skip": None}})
    assert server.requests[0].query == {"q": ["a b"], "n": ["2"], "f": ["true"], "tag": ["x", "y"]}


def test_call_headers_override_system_headers(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("GET", "/h", json={})
    client = make_client(server.url, [op("h", "GET", "/h")], headers={"X-Tenant": "a", "X-App": "flow"})
    client.request("api", "h", {"headers": {"x-tenant": "b", "X-Count": 3}})
    headers = server.requests[0].headers
    assert (headers["x-tenant"], headers["x-app"], headers["x-count"]) == ("b", "flow", "3")


@pytest.mark.parametrize(("value", "problem"), [("a\r\nX-Evil: 1", "contains a line break"), ("Zoë", "must be ASCII")])
def test_header_values_that_http_cannot_carry_are_data_errors(
    server: FakeServer, make_client: MakeClient, value: str, problem: str
) -> None:
    client = make_client(server.url, [op("h", "GET", "/h")])
    with pytest.raises(FlowError) as info:
        client.request("api", "h", {"headers": {"X-Name": value}}, WHERE)
    assert info.value.kind == "data" and f"header 'X-Name' {problem}" in info.value.message
    assert server.requests == []


def test_object_body_is_sent_as_json(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("POST", "/orders", 201, json={"id": 1})
    client = make_client(server.url, [op("create", "POST", "/orders")])
    body = {"customer": {"name": "Zoë", "lines": [1, 2.5, None]}}
    result = client.request("api", "create", {"body": body})
    received = server.requests[0]
    assert received.json() == body
    assert received.headers["content-type"] == "application/json"
    assert (result["status"], result["ok"], result["body"]) == (201, True, {"id": 1})


def test_a_body_that_is_no_json_value_is_a_data_error(server: FakeServer, make_client: MakeClient) -> None:
    cyclic: list[object] = []
    cyclic.append(cyclic)
    client = make_client(server.url, [op("create", "POST", "/orders")])
    with pytest.raises(FlowError) as info:
        client.request("api", "create", {"body": {"lines": cyclic}}, WHERE)
    assert info.value.kind == "data" and "cannot be sent as JSON" in info.value.message
    assert server.requests == []


def test_string_body_is_sent_as_text(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("POST", "/notes", 204)
    client = make_client(server.url, [op("note", "POST", "/notes")])
    client.request("api", "note", {"body": "plain words"})
    assert server.requests[0].body == b"plain words"
    assert server.requests[0].headers["content-type"].startswith("text/plain")


def test_spec_query_and_header_parameters_are_routed_by_name(
    server: FakeServer, make_client: MakeClient
) -> None:
    server.reply("GET", "/flows", json=[])
    flows = op("list_flows", "GET", "/flows", query_params=("limit", "sort"), header_params=("X_Currency",))
    client = make_client(server.url, [flows])
    client.request("api", "list_flows", {"limit": 5, "sort": "name", "X_Currency": "EUR", "query": {"page[offset]": 10}})
    received = server.requests[0]
    assert received.query == {"limit": ["5"], "sort": ["name"], "page[offset]": ["10"]}
    assert received.headers["x_currency"] == "EUR"


def test_unknown_argument_is_a_data_error(server: FakeServer, make_client: MakeClient) -> None:
    client = make_client(server.url, [op("get", "GET", "/x")])
    with pytest.raises(FlowError) as info:
        client.request("api", "get", {"qurey": {}}, WHERE)
    assert info.value.kind == "data" and "'qurey'" in info.value.message


def test_response_gives_status_lowercase_headers_and_json_body(
    server: FakeServer, make_client: MakeClient
) -> None:
    server.reply("GET", "/c", json={"id": 7}, headers={"X-Request-Id": "r1"})
    client = make_client(server.url, [op("c", "GET", "/c")])
    result = client.request("api", "c", {})
    assert result["status"] == 200 and result["ok"] is True
    assert result["headers"]["x-request-id"] == "r1"
    assert result["body"] == {"id": 7}


def test_vendor_json_content_type_is_parsed(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("GET", "/c", raw=b'{"data": [1]}', headers={"content-type": "application/vnd.api+json; charset=utf-8"})
    client = make_client(server.url, [op("c", "GET", "/c")])
    assert client.request("api", "c", {})["body"] == {"data": [1]}


def test_non_json_response_is_text(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("GET", "/csv", text="id,name\n1,Ann\n", headers={"content-type": "text/csv"})
    client = make_client(server.url, [op("csv", "GET", "/csv")])
    assert client.request("api", "csv", {})["body"] == "id,name\n1,Ann\n"


def test_empty_response_body_is_null(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("DELETE", "/c/1", 204, headers={"content-type": "application/json"})
    client = make_client(server.url, [op("delete", "DELETE", "/c/{id}")])
    result = client.request("api", "delete", {"id": 1})
    assert (result["status"], result["body"]) == (204, None)


def test_malformed_json_names_system_operation_and_status(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("GET", "/c", raw=b'{"id": 7,', headers={"content-type": "application/json"})
    client = make_client(server.url, [op("get_customer", "GET", "/c")])
    with pytest.raises(FlowError) as info:
        client.request("api", "get_customer", {}, WHERE)
    error = info.value
    assert error.kind == "json"
    assert error.message.startswith("api.get_customer: response (HTTP 200) is not valid JSON")
    assert (error.status, error.system, error.operation, error.where) == (200, "api", "get_customer", WHERE)


@pytest.mark.parametrize("raw", [b'{"total": NaN}', b'{"total": Infinity}', b'{"total": -Infinity}', b'[1e999]'])
def test_numbers_json_cannot_hold_are_a_json_error(server: FakeServer, make_client: MakeClient, raw: bytes) -> None:
    server.reply("GET", "/c", raw=raw, headers={"content-type": "application/json"})
    client = make_client(server.url, [op("get_customer", "GET", "/c")])
    with pytest.raises(FlowError) as info:
        client.request("api", "get_customer", {}, WHERE)
    assert info.value.kind == "json"
    assert info.value.message.startswith("api.get_customer: response (HTTP 200) is not valid JSON")


def test_json_in_a_declared_charset_is_decoded_with_it(server: FakeServer, make_client: MakeClient) -> None:
    body = '{"name": "Zoë Müller"}'.encode("iso-8859-1")
    server.reply("GET", "/c", raw=body, headers={"content-type": "application/json; charset=ISO-8859-1"})
    client = make_client(server.url, [op("get_customer", "GET", "/c")])
    assert client.request("api", "get_customer", {}, WHERE)["body"] == {"name": "Zoë Müller"}


def test_json_in_an_unknown_charset_is_a_json_error(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("GET", "/c", raw=b'{"a": 1}', headers={"content-type": "application/json; charset=klingon"})
    client = make_client(server.url, [op("get_customer", "GET", "/c")])
    with pytest.raises(FlowError) as info:
        client.request("api", "get_customer", {}, WHERE)
    assert info.value.kind == "json"
    assert "unknown charset 'klingon'" in info.value.message


def test_non_2xx_raises_http_error_with_status_body_and_excerpt(
    server: FakeServer, make_client: MakeClient
) -> None:
    server.reply("GET", "/c/9", 404, json={"message": "customer 9 does not exist"})
    client = make_client(server.url, [op("get_customer", "GET", "/c/{id}")])
    with pytest.raises(FlowError) as info:
        client.request("api", "get_customer", {"id": 9}, WHERE)
    error = info.value
    assert error.kind == "http"
    assert error.message.startswith("api.get_customer failed: HTTP 404 Not Found")
    assert "customer 9 does not exist" in error.message
    assert error.status == 404 and error.body == {"message": "customer 9 does not exist"}
    assert error.to_value()["line"] == 12


def test_non_2xx_with_broken_json_body_is_still_an_http_error(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("POST", "/c", 500, raw=b"<html>oops", headers={"content-type": "application/json"})
    client = make_client(server.url, [op("create", "POST", "/c")])
    with pytest.raises(FlowError) as info:
        client.request("api", "create", {"body": {}})
    assert (info.value.kind, info.value.status, info.value.body) == ("http", 500, "<html>oops")


def test_redirects_are_followed(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("GET", "/old", 301, headers={"location": "/new"})
    server.reply("GET", "/new", json={"moved": True})
    client = make_client(server.url, [op("old", "GET", "/old")])
    assert client.request("api", "old", {})["body"] == {"moved": True}


def test_connections_are_reused(server: FakeServer, make_client: MakeClient) -> None:
    server.route("GET", "/x", lambda req: Reply(json={}))
    client = make_client(server.url, [op("x", "GET", "/x")])
    for _ in range(5):
        client.request("api", "x", {})
    assert len(server.requests) == 5
    assert server.connections == 1


def test_redirect_loops_are_a_connection_error(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("GET", "/loop", 302, headers={"location": "/loop"})
    client = make_client(server.url, [op("loop", "GET", "/loop")], retry=3)
    with pytest.raises(FlowError) as info:
        client.request("api", "loop", {}, WHERE)
    assert info.value.kind == "connection" and "could not be read" in info.value.message
    assert len(server.requests) == 21  # the first request and httpx's 20 redirects, not retried


def test_undecodable_compressed_body_is_a_connection_error(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("GET", "/gz", raw=b"not gzip", headers={"content-encoding": "gzip", "content-type": "text/plain"})
    client = make_client(server.url, [op("gz", "GET", "/gz")])
    with pytest.raises(FlowError) as info:
        client.request("api", "gz", {})
    assert info.value.kind == "connection"
