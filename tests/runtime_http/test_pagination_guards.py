"""Pagination that cannot silently stop or spin: absent paths, repeats, max_pages, body cursors, after_last."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from flowlang.runtime.config import after_last, cursor, link_header, next_link, page
from flowlang.runtime.errors import FlowError

from .conftest import MakeClient, op
from .servers import FakeServer, Recorded, Reply, cursor_handler, page_handler

RECORDS = [{"id": f"r{i}"} for i in range(23)]


def stripe_handler(records: list[Any], per_page: int, param: str = "starting_after",
                   in_body: bool = False, has_more: bool = True) -> Any:
    """Stripe's list endpoints: `starting_after=<id>`, `{"data": […], "has_more": bool}`."""
    def handle(req: Recorded) -> Reply:
        after = (req.json() or {}).get(param) if in_body else req.arg(param)
        first = next((i + 1 for i, r in enumerate(records) if r["id"] == after), 0)
        chunk = records[first:first + per_page]
        page_body: dict[str, Any] = {"object": "list", "data": chunk}
        if has_more:
            page_body["has_more"] = first + per_page < len(records)
        return Reply(json=page_body)
    return handle


def test_a_cursor_path_absent_on_the_first_page_is_an_error_with_did_you_mean(
    server: FakeServer, make_client: MakeClient
) -> None:
    server.route("GET", "/items", cursor_handler(RECORDS, per_page=10))
    paginate = cursor("cursor", "meta.next_cursr")
    client = make_client(server.url, [op("items", "GET", "/items", items="data", paginate=paginate)])
    with pytest.raises(FlowError) as info:
        list(client.records("api", "items", {}, ("a.flow", 4, 3)))
    assert info.value.kind == "data" and info.value.where == ("a.flow", 4, 3)
    assert info.value.message == (
        "api.items: page 1 of the response has no 'meta.next_cursr' (cursor(from: …)), so the next page is unknown"
    )
    assert info.value.hint == "did you mean 'meta.next_cursor'?"
    assert len(server.requests) == 1


def test_a_cursor_path_absent_on_a_later_page_ends_the_list(server: FakeServer, make_client: MakeClient) -> None:
    server.sequence("GET", "/items", [Reply(json={"data": [1], "next": "a"}), Reply(json={"data": [2]})])
    client = make_client(server.url, [op("items", "GET", "/items", items="data", paginate=cursor("c", "next"))])
    assert list(client.records("api", "items", {})) == [1, 2]


def test_a_cursor_that_comes_back_after_another_is_an_error(server: FakeServer, make_client: MakeClient) -> None:
    replies = [Reply(json={"data": [n], "next": token}) for n, token in enumerate(["a", "b", "a"])]
    server.sequence("GET", "/items", replies)
    client = make_client(server.url, [op("items", "GET", "/items", items="data", paginate=cursor("c", "next"))])
    with pytest.raises(FlowError, match=r"page 3 gives the same cursor as page 1 \('a'\)") as info:
        list(client.records("api", "items", {}))
    assert info.value.hint and "paginate" in info.value.hint
    assert [r.arg("c") for r in server.requests] == [None, "a", "b"]


def test_a_next_link_back_to_a_page_already_read_is_an_error(server: FakeServer, make_client: MakeClient) -> None:
    server.sequence("GET", "/items", [Reply(json={"items": [1], "next": "/items?p=2"}),
                                      Reply(json={"items": [2], "next": "/items"})])
    client = make_client(server.url, [op("items", "GET", "/items", items="items", paginate=next_link("next"))])
    with pytest.raises(FlowError, match=r"page 2 links back to page 1 \(http://127\.0\.0\.1:\d+/items\)"):
        list(client.records("api", "items", {}))
    assert len(server.requests) == 2


def test_a_link_header_that_points_at_its_own_page_is_an_error(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("GET", "/repos", json=[1], headers={"link": '</repos>; rel="next"'})
    client = make_client(server.url, [op("repos", "GET", "/repos", items="", paginate=link_header())])
    with pytest.raises(FlowError, match="page 1 links back to page 1"):
        list(client.records("api", "repos", {}))
    assert len(server.requests) == 1


def test_a_next_link_path_absent_on_the_first_page_is_an_error(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("GET", "/items", json={"items": [1], "links": {"next": None}})
    client = make_client(server.url, [op("items", "GET", "/items", items="items", paginate=next_link("link.next"))])
    with pytest.raises(FlowError, match=r"page 1 of the response has no 'link\.next'") as info:
        list(client.records("api", "items", {}))
    assert info.value.hint == "did you mean 'links.next'?"


def test_a_null_next_link_ends_the_list(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("GET", "/items", json={"items": [1], "links": {"next": None}})
    client = make_client(server.url, [op("items", "GET", "/items", items="items", paginate=next_link("links.next"))])
    assert list(client.records("api", "items", {})) == [1]


@pytest.mark.parametrize("max_pages", [1, 2])
def test_max_pages_bounds_a_stream(server: FakeServer, make_client: MakeClient, max_pages: int) -> None:
    server.route("GET", "/items", page_handler(RECORDS, per_page=10))
    operation = op("items", "GET", "/items", items="data", paginate=page("page"), max_pages=max_pages)
    client = make_client(server.url, [operation])
    assert list(client.records("api", "items", {})) == RECORDS[: 10 * max_pages]
    assert len(server.requests) == max_pages


def test_max_pages_bounds_an_api_whose_cursor_never_ends(server: FakeServer, make_client: MakeClient) -> None:
    counter = itertools.count()
    server.route("GET", "/feed", lambda req: Reply(json={"data": [1], "next": f"t{next(counter)}"}))
    operation = op("feed", "GET", "/feed", items="data", paginate=cursor("c", "next"), max_pages=5)
    client = make_client(server.url, [operation])
    assert list(client.records("api", "feed", {})) == [1] * 5


@pytest.mark.parametrize("bad", [0, 1.5, "3", True])
def test_max_pages_must_be_a_whole_number_of_at_least_one(bad: Any) -> None:
    with pytest.raises(FlowError, match="'max_pages' must be a whole number >= 1"):
        op("items", "GET", "/items", items="data", max_pages=bad)


def test_items_empty_means_the_page_is_itself_the_list(server: FakeServer, make_client: MakeClient) -> None:
    server.route("GET", "/items", lambda req: Reply(json=RECORDS[(int(req.arg("page") or 1) - 1) * 10:][:10]))
    client = make_client(server.url, [op("items", "GET", "/items", items="", paginate=page("page"))])
    assert list(client.records("api", "items", {})) == RECORDS


def test_a_cursor_in_the_request_body_is_sent_there_with_the_rest_of_the_body(
    server: FakeServer, make_client: MakeClient
) -> None:
    def search(req: Recorded) -> Reply:
        sent = req.json()
        first = int(sent.get("page", {}).get("cursor") or 0)
        following = str(first + 10) if first + 10 < len(RECORDS) else None
        return Reply(json={"results": RECORDS[first:first + 10], "next": following})

    server.route("POST", "/search", search)
    paginate = cursor("body.page.cursor", "next")
    client = make_client(server.url, [op("search", "POST", "/search", items="results", paginate=paginate)])
    body = {"query": "status:open", "page": {"size": 10}}
    assert list(client.records("api", "search", {"body": body})) == RECORDS
    sent = [r.json() for r in server.requests]
    assert sent == [
        {"query": "status:open", "page": {"size": 10}},
        {"query": "status:open", "page": {"size": 10, "cursor": "10"}},
        {"query": "status:open", "page": {"size": 10, "cursor": "20"}},
    ]
    assert all(r.headers["content-type"] == "application/json" and r.query == {} for r in server.requests)
    assert body == {"query": "status:open", "page": {"size": 10}}  # the flow's value is not changed


def test_a_body_cursor_needs_an_object_body(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("POST", "/search", json={"results": [1], "next": "n"})
    client = make_client(server.url, [op("search", "POST", "/search", items="results",
                                         paginate=cursor("body.cursor", "next"))])
    with pytest.raises(FlowError, match="the body must be an object to carry 'cursor', got list"):
        list(client.records("api", "search", {"body": [1]}))


def test_after_last_follows_the_last_id_until_has_more_is_false(server: FakeServer, make_client: MakeClient) -> None:
    server.route("GET", "/v1/customers", stripe_handler(RECORDS, per_page=10))
    paginate = after_last("starting_after", key="id")
    client = make_client(server.url, [op("customers", "GET", "/v1/customers", items="data", paginate=paginate)])
    assert list(client.records("api", "customers", {"query": {"limit": 10}})) == RECORDS
    assert [r.arg("starting_after") for r in server.requests] == [None, "r9", "r19"]
    assert all(r.arg("limit") == "10" for r in server.requests)


def test_after_last_stops_on_has_more_false_even_when_the_page_is_full(
    server: FakeServer, make_client: MakeClient
) -> None:
    server.route("GET", "/v1/customers", stripe_handler(RECORDS[:20], per_page=10))
    client = make_client(server.url, [op("customers", "GET", "/v1/customers", items="data",
                                         paginate=after_last("starting_after"))])
    assert len(list(client.records("api", "customers", {}))) == 20
    assert len(server.requests) == 2  # no third request for an empty page


def test_after_last_without_has_more_stops_on_an_empty_page(server: FakeServer, make_client: MakeClient) -> None:
    server.route("GET", "/v1/customers", stripe_handler(RECORDS, per_page=10, has_more=False))
    client = make_client(server.url, [op("customers", "GET", "/v1/customers", items="data",
                                         paginate=after_last("starting_after"))])
    assert list(client.records("api", "customers", {})) == RECORDS
    assert [r.arg("starting_after") for r in server.requests] == [None, "r9", "r19", "r22"]


def test_after_last_in_the_body(server: FakeServer, make_client: MakeClient) -> None:
    server.route("POST", "/v1/search", stripe_handler(RECORDS, per_page=10, in_body=True))
    client = make_client(server.url, [op("search", "POST", "/v1/search", items="data",
                                         paginate=after_last("body.starting_after"))])
    assert list(client.records("api", "search", {"body": {"q": "x"}})) == RECORDS
    assert [json.loads(r.body) for r in server.requests][1:] == [
        {"q": "x", "starting_after": "r9"}, {"q": "x", "starting_after": "r19"}]


def test_after_last_with_a_record_without_the_key_is_an_error(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("GET", "/v1/customers", json={"data": [{"ID": 1}], "has_more": True})
    client = make_client(server.url, [op("customers", "GET", "/v1/customers", items="data",
                                         paginate=after_last("starting_after", key="id"))])
    with pytest.raises(FlowError, match="the last record of page 1 has no 'id'") as info:
        list(client.records("api", "customers", {}))
    assert info.value.hint == "did you mean 'ID'?"


def test_after_last_with_a_named_has_more_absent_on_page_one_is_an_error(
    server: FakeServer, make_client: MakeClient
) -> None:
    server.route("GET", "/v1/customers", stripe_handler(RECORDS, per_page=10))
    client = make_client(server.url, [op("customers", "GET", "/v1/customers", items="data",
                                         paginate=after_last("starting_after", has_more="more"))])
    with pytest.raises(FlowError, match=r"page 1 of the response has no 'more' \(after_last\(has_more: …\)\)"):
        list(client.records("api", "customers", {}))


def test_after_last_whose_last_id_repeats_is_an_error(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("GET", "/v1/customers", json={"data": [{"id": "x"}], "has_more": True})  # ignores starting_after
    client = make_client(server.url, [op("customers", "GET", "/v1/customers", items="data",
                                         paginate=after_last("starting_after"))])
    with pytest.raises(FlowError, match="page 2 gives the same last 'id' as page 1"):
        list(client.records("api", "customers", {}))
    assert len(server.requests) == 2
