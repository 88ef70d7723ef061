"""Pagination guards and strategies through `flowlang run` and the compiled module, against a real server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from runtime_http.servers import FakeServer, Recorded, Reply, cursor_handler

from e2e.harness import Write, run_both

RECORDS = [{"id": f"r{i}"} for i in range(23)]


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as fake:
        yield fake


def flow_text(operation: str, call: str) -> str:
    return (
        "system api {\n"
        '  base_url: env("API_URL")\n'
        f"{operation}"
        "}\n"
        "flow a {\n"
        "  ids = []\n"
        f"  for r in each {call} {{\n"
        "    ids += [r.id]\n"
        "  }\n"
        "  return ids\n"
        "}\n"
    )


def stripe(req: Recorded, records: list[Any] = RECORDS) -> Reply:
    after = req.arg("starting_after") or (req.json() or {}).get("starting_after")
    first = next((i + 1 for i, r in enumerate(records) if r["id"] == after), 0)
    return Reply(json={"data": records[first:first + 10], "has_more": first + 10 < len(records)})


def test_a_misspelt_cursor_path_fails_at_the_loop_on_both_engines(write: Write, server: FakeServer) -> None:
    server.route("GET", "/items", cursor_handler(RECORDS, per_page=10))
    operation = '  GET items "/items" {\n    items: "data"\n    paginate: cursor(param: "cursor", from: "meta.cursor")\n  }\n'
    result = run_both(write("paging.flow", flow_text(operation, "api.items()")), env={"API_URL": server.url})
    assert result.code == 3
    assert ("paging.flow:10:12: error: api.items: page 1 of the response has no 'meta.cursor' "
            "(cursor(from: …)), so the next page is unknown (did you mean 'meta.next_cursor'?)") in result.err
    assert len(server.requests) == 2  # one page per engine


def test_a_repeating_cursor_fails_instead_of_spinning_on_both_engines(write: Write, server: FakeServer) -> None:
    server.reply("GET", "/items", json={"data": [{"id": 1}], "next": "same"})
    operation = '  GET items "/items" {\n    items: "data"\n    paginate: cursor(param: "c", from: "next")\n  }\n'
    result = run_both(write("spin.flow", flow_text(operation, "api.items()")), env={"API_URL": server.url})
    assert result.code == 3
    assert "spin.flow:10:12: error: api.items: page 2 gives the same cursor as page 1 ('same')" in result.err


def test_max_pages_bounds_the_stream_on_both_engines(write: Write, server: FakeServer) -> None:
    server.route("GET", "/items", lambda req: Reply(json=RECORDS[int(req.arg("page") or "1") * 10 - 10:][:10]))
    operation = ('  GET items "/items" {\n    items: ""\n    paginate: page(param: "page")\n'
                 "    max_pages: 2\n  }\n")
    result = run_both(write("bounded.flow", flow_text(operation, "api.items()")), env={"API_URL": server.url})
    assert result.code == 0, result.err
    assert json.loads(result.out) == [r["id"] for r in RECORDS[:20]]
    assert sorted(r.arg("page") for r in server.requests) == ["1", "1", "2", "2"]  # both engines at once


def test_a_body_cursor_and_after_last_page_a_search_endpoint_on_both_engines(
    write: Write, server: FakeServer
) -> None:
    def search(req: Recorded) -> Reply:
        start = int(req.json().get("cursor") or 0)
        following = str(start + 10) if start + 10 < len(RECORDS) else None
        return Reply(json={"results": RECORDS[start:start + 10], "next_cursor": following})

    server.route("POST", "/search", search)
    server.route("GET", "/v1/customers", stripe)
    operations = (
        '  POST search "/search" {\n    items: "results"\n'
        '    paginate: cursor(param: "body.cursor", from: "next_cursor")\n  }\n'
        '  GET customers "/v1/customers" {\n    items: "data"\n'
        '    paginate: after_last(param: "starting_after", key: "id")\n  }\n'
    )
    text = flow_text(operations, 'api.search(body: {query: "open"})').replace(
        "  return ids\n",
        "  for c in each api.customers(query: {limit: 10}) {\n    ids += [c.id]\n  }\n  return ids\n")
    result = run_both(write("search.flow", text), env={"API_URL": server.url})
    assert result.code == 0, result.err
    assert json.loads(result.out) == [r["id"] for r in RECORDS] * 2
    searches = sorted(json.dumps(r.json(), sort_keys=True) for r in server.received(path="/search"))
    assert searches == sorted(json.dumps(b, sort_keys=True) for b in [
        {"query": "open"}, {"query": "open", "cursor": "10"}, {"query": "open", "cursor": "20"}] * 2)
    afters = sorted(str(r.arg("starting_after")) for r in server.received(path="/v1/customers"))
    assert afters == sorted(["None", "r9", "r19"] * 2)


def test_the_pagination_example_of_the_language_reference_pages_stripe_and_a_search(
    write: Write, server: FakeServer
) -> None:
    from e2e.test_e2e_bodies import doc_example

    server.route("GET", "/v1/customers", stripe)
    server.route("POST", "/v2/search", lambda req: Reply(json={"results": RECORDS[:3], "next_cursor": None}))
    text = doc_example("Pagination").replace('"https://api.stripe.com"', 'env("API_URL")') + (
        "flow a {\n  n = 0\n  for c in each stripe.customers() {\n    n += 1\n  }\n"
        '  found = each stripe.search(body: {query: "email:\\"a@b.c\\""})\n  return [n, length(found)]\n}\n')
    result = run_both(write("stripe.flow", text), env={"API_URL": server.url, "STRIPE_KEY": "sk_test_1"})
    assert result.code == 0, result.err
    assert json.loads(result.out) == [23, 3]
    assert all(r.headers["authorization"] == "Bearer sk_test_1" for r in server.requests)
