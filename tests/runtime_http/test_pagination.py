"""`HttpClient.records`: every pagination strategy, laziness, and the `items` path."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from flowlang.runtime.config import cursor, link_header, next_link, offset, page
from flowlang.runtime.errors import FlowError
from flowlang.runtime.pagination import lookup_path, parse_link_header

from .conftest import MakeClient, op
from .servers import (
    FakeServer,
    Reply,
    cursor_handler,
    link_header_handler,
    next_link_handler,
    offset_handler,
    page_handler,
)

RECORDS = [{"id": i} for i in range(23)]


def test_page_strategy_reads_pages_until_an_empty_one(server: FakeServer, make_client: MakeClient) -> None:
    server.route("GET", "/items", page_handler(RECORDS, per_page=10))
    client = make_client(server.url, [op("items", "GET", "/items", items="data", paginate=page("page", start=1))])
    assert list(client.records("api", "items", {})) == RECORDS
    assert [r.arg("page") for r in server.requests] == ["1", "2", "3", "4"]


def test_page_strategy_sends_the_page_size(server: FakeServer, make_client: MakeClient) -> None:
    server.route("GET", "/items", page_handler(RECORDS, per_page=10, param="p", size_param="per", start=0))
    paginate = page("p", start=0, size_param="per", size=5)
    client = make_client(server.url, [op("items", "GET", "/items", items="data", paginate=paginate)])
    assert list(client.records("api", "items", {"query": {"status": "open"}})) == RECORDS
    assert len(server.requests) == 6
    assert server.requests[1].query == {"status": ["open"], "p": ["1"], "per": ["5"]}


def test_offset_strategy_stops_on_a_short_page(server: FakeServer, make_client: MakeClient) -> None:
    server.route("GET", "/items", offset_handler(RECORDS, param="start", limit_param="max"))
    paginate = offset("start", "max", 10)
    client = make_client(server.url, [op("items", "GET", "/items", items="data", paginate=paginate)])
    assert list(client.records("api", "items", {})) == RECORDS
    assert [(r.arg("start"), r.arg("max")) for r in server.requests] == [("0", "10"), ("10", "10"), ("20", "10")]


def test_cursor_strategy_follows_the_cursor_until_null(server: FakeServer, make_client: MakeClient) -> None:
    server.route("GET", "/items", cursor_handler(RECORDS, per_page=10, param="after"))
    paginate = cursor("after", "meta.next_cursor")
    client = make_client(server.url, [op("items", "GET", "/items", items="data", paginate=paginate)])
    assert list(client.records("api", "items", {})) == RECORDS
    assert [r.arg("after") for r in server.requests] == [None, "c10", "c20"]


def test_cursor_strategy_fails_when_the_cursor_repeats(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("GET", "/items", json={"data": [1], "next": "same"})
    client = make_client(server.url, [op("items", "GET", "/items", items="data", paginate=cursor("c", "next"))])
    seen = []
    with pytest.raises(FlowError, match=r"page 2 gives the same cursor as page 1 \('same'\)"):
        seen.extend(client.records("api", "items", {}))
    assert seen == [1]  # page 2 is read, but its cursor stops the stream before its records
    assert len(server.requests) == 2


@pytest.mark.parametrize("absolute", [False, True])
def test_next_link_strategy_follows_links(server: FakeServer, make_client: MakeClient, absolute: bool) -> None:
    server.route("GET", "/v2/items", next_link_handler(RECORDS, 10, "/v2/items", absolute=absolute, base_url=server.url))
    paginate = next_link("links.next")
    client = make_client(server.url + "/v2", [op("items", "GET", "/items", items="items", paginate=paginate)])
    assert list(client.records("api", "items", {})) == RECORDS
    assert [r.arg("from") for r in server.requests] == [None, "10", "20"]


def test_link_header_strategy_follows_rel_next(server: FakeServer, make_client: MakeClient) -> None:
    server.route("GET", "/repos", link_header_handler(RECORDS, 10, "/repos"))
    client = make_client(server.url, [op("repos", "GET", "/repos", items=".", paginate=link_header())])
    assert list(client.records("api", "repos", {})) == RECORDS
    assert [r.arg("page") for r in server.requests] == [None, "2", "3"]


def test_api_key_in_query_is_kept_when_following_links(server: FakeServer, make_client: MakeClient) -> None:
    from flowlang.runtime.config import api_key

    server.route("GET", "/repos", link_header_handler(RECORDS, 10, "/repos"))
    client = make_client(server.url, [op("repos", "GET", "/repos", items=".", paginate=link_header())],
                         auth=api_key("key", "k1", in_="query"))
    assert len(list(client.records("api", "repos", {}))) == len(RECORDS)
    assert [r.query["key"] for r in server.requests] == [["k1"]] * 3


def test_without_paginate_there_is_one_page(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("GET", "/items", json={"result": {"items": [1, 2]}})
    client = make_client(server.url, [op("items", "GET", "/items", items="result.items")])
    assert list(client.records("api", "items", {})) == [1, 2]
    assert len(server.requests) == 1


def test_pages_are_fetched_only_when_needed(server: FakeServer, make_client: MakeClient) -> None:
    server.route("GET", "/items", page_handler(RECORDS, per_page=10))
    client = make_client(server.url, [op("items", "GET", "/items", items="data", paginate=page("page"))])
    records = client.records("api", "items", {})
    assert server.requests == []
    assert list(itertools.islice(records, 12)) == RECORDS[:12]
    assert len(server.requests) == 2


def test_missing_items_path_names_operation_and_path(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("GET", "/items", json={"results": []})
    client = make_client(server.url, [op("list_items", "GET", "/items", items="data.rows")])
    with pytest.raises(FlowError) as info:
        list(client.records("api", "list_items", {}, ("a.flow", 3, 9)))
    assert info.value.kind == "data"
    assert "api.list_items" in info.value.message and "'data.rows'" in info.value.message
    assert info.value.where == ("a.flow", 3, 9)


def test_items_that_are_not_a_list_are_a_data_error(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("GET", "/items", json={"data": {"id": 1}})
    client = make_client(server.url, [op("items", "GET", "/items", items="data")])
    with pytest.raises(FlowError, match="not a list"):
        list(client.records("api", "items", {}))


def test_records_of_an_operation_without_items_is_a_data_error(server: FakeServer, make_client: MakeClient) -> None:
    client = make_client(server.url, [op("items", "GET", "/items")])
    with pytest.raises(FlowError, match="no 'items' option"):
        client.records("api", "items", {})


def test_http_error_on_a_later_page_is_raised_while_iterating(server: FakeServer, make_client: MakeClient) -> None:
    server.sequence("GET", "/items", [Reply(json={"data": [1]}), Reply(500, text="down")])
    client = make_client(server.url, [op("items", "GET", "/items", items="data", paginate=page("page"))])
    seen = []
    with pytest.raises(FlowError) as info:
        for record in client.records("api", "items", {}):
            seen.append(record)
    assert seen == [1] and info.value.status == 500


@pytest.mark.parametrize("link", ["http://[::1", "http://host:port/x", "http://xn--.invalid/"])
@pytest.mark.parametrize("in_query", [False, True])
def test_a_next_link_that_is_no_url_is_a_data_error(
    server: FakeServer, make_client: MakeClient, link: str, in_query: bool
) -> None:
    from flowlang.runtime.config import api_key

    server.reply("GET", "/items", json={"items": [1], "next": link})
    auth = api_key("key", "k", in_="query") if in_query else None
    client = make_client(server.url, [op("items", "GET", "/items", items="items", paginate=next_link("next"))], auth=auth)
    with pytest.raises(FlowError) as info:
        list(client.records("api", "items", {}))
    assert info.value.kind == "data" and "api.items" in info.value.message


def test_link_header_parsing_follows_rfc_8288() -> None:
    header = '<https://x/a?page=1>; rel="first", <https://x/a?page=3>; rel="next last", </b>;rel=prev'
    assert parse_link_header(header) == {
        "first": "https://x/a?page=1",
        "next": "https://x/a?page=3",
        "last": "https://x/a?page=3",
        "prev": "/b",
    }


def test_dotted_paths_reach_into_objects_and_lists() -> None:
    body = {"meta": {"pages": [{"next": "n1"}]}}
    assert lookup_path(body, "meta.pages.0.next") == "n1"
    assert lookup_path(body, ".") is body


@pytest.mark.parametrize("paginate", [page("page", start=1), offset("offset", "limit", 10)])
def test_an_api_that_ignores_the_paging_parameter_is_an_error_not_an_endless_loop(
    server: FakeServer, make_client: MakeClient, paginate: Any
) -> None:
    server.route("GET", "/items", page_handler(RECORDS, per_page=10, param="p"))  # the API reads `p` only
    client = make_client(server.url, [op("items", "GET", "/items", items="data", paginate=paginate)])
    with pytest.raises(FlowError) as info:
        list(client.records("api", "items", {}, ("a.flow", 3, 9)))
    assert info.value.kind == "data"
    assert "page 2 repeats page 1" in info.value.message
    assert len(server.requests) == 2
