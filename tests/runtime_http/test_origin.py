"""Credentials stay with their origin: next links and redirects to another scheme, host or port carry none."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from flowlang.runtime.config import api_key, basic, bearer, link_header, next_link, oauth2
from flowlang.runtime.errors import FlowError
from flowlang.runtime.origin import origin_of

from .conftest import MakeClient, op
from .servers import FakeServer, OAuthProvider, Recorded

SECRET = "s3cr3t-v4lue"
AUTHS = {
    "bearer": bearer(SECRET),
    "basic": basic("ann", SECRET),
    "api_key header": api_key("X-Api-Key", SECRET),
    "api_key query": api_key("api_key", SECRET, in_="query"),
}


@pytest.fixture
def other() -> Iterator[FakeServer]:
    """A second server: same host, another port, so another origin."""
    with FakeServer() as fake:
        yield fake


def leaks(request: Recorded) -> list[str]:
    """Where a received request carries the secret (or any credential header)."""
    found = [f"header {k}" for k, v in request.headers.items() if SECRET in v or k == "authorization"]
    found += [f"query {k}" for k, vs in request.query.items() if any(SECRET in v for v in vs)]
    return found


def carries_auth(request: Recorded) -> bool:
    return bool(leaks(request)) or "authorization" in request.headers


def test_an_origin_is_scheme_host_and_port() -> None:
    assert origin_of("http://API.example.com/x") == ("http", "api.example.com", 80)
    assert origin_of("http://api.example.com:80/y") == origin_of("http://api.example.com/")
    assert origin_of("https://api.example.com/") == ("https", "api.example.com", 443)
    assert origin_of("https://api.example.com:8443/") != origin_of("https://api.example.com/")


@pytest.mark.parametrize("auth", AUTHS.values(), ids=AUTHS.keys())
def test_a_next_link_to_another_origin_gets_no_credentials(
    server: FakeServer, other: FakeServer, make_client: MakeClient, auth: Any
) -> None:
    server.reply("GET", "/items", json={"items": [1], "next": "/items/2"})
    server.reply("GET", "/items/2", json={"items": [2], "next": f"{other.url}/items/3"})
    other.reply("GET", "/items/3", json={"items": [3], "next": f"{server.url}/items/4?from=3"})
    server.reply("GET", "/items/4", json={"items": [4], "next": None})
    operation = op("items", "GET", "/items", items="items", paginate=next_link("next"))
    client = make_client(server.url, [operation], auth=auth, secrets={SECRET},
                         headers={"X-Tenant": f"tenant {SECRET}", "Accept": "application/json"})
    assert list(client.records("api", "items", {})) == [1, 2, 3, 4]
    same_origin = server.received()
    assert len(same_origin) == 3 and all(carries_auth(r) for r in same_origin)
    assert all(r.headers["x-tenant"] == f"tenant {SECRET}" for r in same_origin)
    [foreign] = other.received()
    assert leaks(foreign) == [] and foreign.headers["accept"] == "application/json"


def test_a_link_header_to_another_origin_gets_no_credentials(
    server: FakeServer, other: FakeServer, make_client: MakeClient
) -> None:
    server.reply("GET", "/items", json=[1], headers={"link": f'<{other.url}/items?page=2>; rel="next"'})
    other.reply("GET", "/items", json=[2])
    operation = op("items", "GET", "/items", items="", paginate=link_header())
    client = make_client(server.url, [operation], auth=api_key("key", SECRET, in_="query"), secrets={SECRET})
    assert list(client.records("api", "items", {})) == [1, 2]
    assert server.received()[0].arg("key") == SECRET
    assert other.received()[0].query == {"page": ["2"]}


@pytest.mark.parametrize("auth", AUTHS.values(), ids=AUTHS.keys())
def test_a_redirect_to_another_origin_gets_no_credentials(
    server: FakeServer, other: FakeServer, make_client: MakeClient, auth: Any
) -> None:
    server.reply("GET", "/old", 302, headers={"location": f"{other.url}/new?api_key={SECRET}&page=1"})
    other.reply("GET", "/new", json={"moved": True})
    client = make_client(server.url, [op("old", "GET", "/old")], auth=auth, secrets={SECRET})
    call_headers = {"X-Session": SECRET, "X-Trace": "t1"}
    assert client.request("api", "old", {"headers": call_headers})["body"] == {"moved": True}
    assert carries_auth(server.received()[0])
    [foreign] = other.received()
    assert leaks(foreign) == [] and foreign.query == {"page": ["1"]} and foreign.headers["x-trace"] == "t1"


@pytest.mark.parametrize("auth", AUTHS.values(), ids=AUTHS.keys())
def test_a_redirect_within_the_origin_keeps_the_credentials(
    server: FakeServer, make_client: MakeClient, auth: Any
) -> None:
    server.reply("GET", "/old", 301, headers={"location": "/new"})
    server.reply("GET", "/new", json={"moved": True})
    client = make_client(server.url, [op("old", "GET", "/old")], auth=auth, secrets={SECRET})
    client.request("api", "old", {})
    first, second = server.received()
    assert second.path == "/new" and leaks(first) == leaks(second) != []


def test_a_redirect_to_another_host_on_the_same_port_is_another_origin(
    server: FakeServer, make_client: MakeClient
) -> None:
    server.reply("GET", "/old", 307, headers={"location": f"http://localhost:{server.port}/new"})
    server.reply("GET", "/new", json={})
    client = make_client(server.url, [op("old", "GET", "/old")], auth=bearer(SECRET), secrets={SECRET})
    client.request("api", "old", {})
    first, second = server.received()
    assert first.headers["authorization"] == f"Bearer {SECRET}" and "authorization" not in second.headers
    assert second.headers["host"] == f"localhost:{server.port}"


def test_oauth2_tokens_stay_with_the_api_origin(server: FakeServer, other: FakeServer, make_client: MakeClient) -> None:
    provider = OAuthProvider()
    server.route("POST", "/token", provider.token_handler)
    server.reply("GET", "/items", json={"items": [1], "next": f"{other.url}/items"})
    other.reply("GET", "/items", 401, json={"error": "who are you"})
    operation = op("items", "GET", "/items", items="items", paginate=next_link("next"))
    client = make_client(server.url, [operation], auth=oauth2(server.url + "/token", "id", "shh"))
    with pytest.raises(FlowError) as info:
        list(client.records("api", "items", {}))
    assert info.value.status == 401
    assert server.received("GET", "/items")[0].headers["authorization"] == "Bearer token-1"
    assert [r.headers.get("authorization") for r in other.received()] == [None]
    assert provider.issued == ["token-1"]  # a 401 from elsewhere does not refresh the token


def test_a_token_url_redirecting_to_another_origin_does_not_get_the_client_secret(
    server: FakeServer, other: FakeServer, make_client: MakeClient
) -> None:
    server.reply("POST", "/token", 307, headers={"location": f"{other.url}/token"})
    other.reply("POST", "/token", json={"access_token": "stolen"})
    client = make_client(server.url, [op("me", "GET", "/me")], auth=oauth2(server.url + "/token", "id", SECRET),
                         secrets={SECRET})
    with pytest.raises(FlowError) as info:
        client.request("api", "me", {})
    assert "redirects to another origin" in info.value.message and SECRET not in info.value.message
    assert other.received() == []


@pytest.mark.parametrize(("status", "method", "body"), [(303, "GET", b""), (302, "GET", b""), (307, "POST", b'{"a": 1}')])
def test_redirects_of_a_post_follow_the_http_rules(
    server: FakeServer, make_client: MakeClient, status: int, method: str, body: bytes
) -> None:
    server.reply("POST", "/orders", status, headers={"location": "/orders/1"})
    server.reply(method, "/orders/1", json={"id": 1})
    client = make_client(server.url, [op("create", "POST", "/orders")])
    assert client.request("api", "create", {"body": {"a": 1}})["body"] == {"id": 1}
    followed = server.received(path="/orders/1")[0]
    assert (followed.method, followed.body) == (method, body)
    assert ("content-type" in followed.headers) == bool(body)
