"""Authentication: bearer, basic, api_key (header and query), oauth2 client credentials; secret masking."""

from __future__ import annotations

import base64
import io
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from flowlang.runtime.config import api_key, basic, bearer, oauth2
from flowlang.runtime.errors import FlowError

from .conftest import MakeClient, op
from .servers import FakeServer, OAuthProvider, Recorded, Reply, closed_port


def test_bearer_token_is_sent(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("GET", "/me", json={})
    client = make_client(server.url, [op("me", "GET", "/me")], auth=bearer("t0k"))
    client.request("api", "me", {})
    assert server.requests[0].headers["authorization"] == "Bearer t0k"


def test_basic_auth_sends_user_and_password(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("GET", "/me", json={})
    client = make_client(server.url, [op("me", "GET", "/me")], auth=basic("ann", "p:ss wörd"))
    client.request("api", "me", {})
    scheme, encoded = server.requests[0].headers["authorization"].split(" ")
    assert scheme == "Basic" and base64.b64decode(encoded).decode() == "ann:p:ss wörd"


def test_api_key_in_a_header(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("GET", "/me", json={})
    client = make_client(server.url, [op("me", "GET", "/me")], auth=api_key("X-Api-Key", "k1"))
    client.request("api", "me", {"query": {"a": 1}})
    received = server.requests[0]
    assert received.headers["x-api-key"] == "k1" and received.query == {"a": ["1"]}


def test_api_key_in_the_query(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("GET", "/me", json={})
    client = make_client(server.url, [op("me", "GET", "/me")], auth=api_key("apikey", "k1", in_="query"))
    client.request("api", "me", {"query": {"a": 1}})
    received = server.requests[0]
    assert received.query == {"apikey": ["k1"], "a": ["1"]} and "x-api-key" not in received.headers


def _oauth_server(server: FakeServer, provider: OAuthProvider) -> None:
    server.route("POST", "/oauth/token", provider.token_handler)
    server.route("GET", "/orders", provider.protect(lambda req: Reply(json={"orders": []})))


def test_oauth2_fetches_a_token_once_and_reuses_it(server: FakeServer, make_client: MakeClient) -> None:
    provider = OAuthProvider()
    _oauth_server(server, provider)
    auth = oauth2(server.url + "/oauth/token", "id", "shh", scope="orders:read")
    client = make_client(server.url, [op("orders", "GET", "/orders")], auth=auth)
    for _ in range(3):
        assert client.request("api", "orders", {})["body"] == {"orders": []}
    token_requests = server.received("POST", "/oauth/token")
    assert len(token_requests) == 1 and provider.issued == ["token-1"]
    form = token_requests[0].body.decode()
    assert "grant_type=client_credentials" in form and "scope=orders%3Aread" in form
    assert all(r.headers["authorization"] == "Bearer token-1" for r in server.received("GET", "/orders"))


def test_oauth2_refreshes_once_on_a_401(server: FakeServer, make_client: MakeClient) -> None:
    provider = OAuthProvider()
    _oauth_server(server, provider)
    client = make_client(server.url, [op("orders", "GET", "/orders")], auth=oauth2(server.url + "/oauth/token", "id", "shh"))
    client.request("api", "orders", {})
    provider.revoke_all()
    assert client.request("api", "orders", {})["status"] == 200
    assert provider.issued == ["token-1", "token-2"]
    assert [r.headers["authorization"] for r in server.received("GET", "/orders")] == [
        "Bearer token-1", "Bearer token-1", "Bearer token-2",
    ]


def test_oauth2_a_second_401_is_an_http_error(server: FakeServer, make_client: MakeClient) -> None:
    provider = OAuthProvider()
    server.route("POST", "/oauth/token", provider.token_handler)
    server.reply("GET", "/orders", 401, json={"error": "forbidden"})
    client = make_client(server.url, [op("orders", "GET", "/orders")], auth=oauth2(server.url + "/oauth/token", "id", "shh"))
    with pytest.raises(FlowError) as info:
        client.request("api", "orders", {})
    assert info.value.status == 401 and provider.issued == ["token-1", "token-2"]


def test_oauth2_expired_token_is_replaced_before_use(server: FakeServer, make_client: MakeClient) -> None:
    provider = OAuthProvider(expires_in=0)
    _oauth_server(server, provider)
    client = make_client(server.url, [op("orders", "GET", "/orders")], auth=oauth2(server.url + "/oauth/token", "id", "shh"))
    client.request("api", "orders", {})
    client.request("api", "orders", {})
    assert provider.issued == ["token-1", "token-2"]
    assert len(server.received("GET", "/orders")) == 2


def test_oauth2_concurrent_401s_fetch_one_new_token(server: FakeServer, make_client: MakeClient) -> None:
    provider = OAuthProvider()
    _oauth_server(server, provider)
    client = make_client(server.url, [op("orders", "GET", "/orders")], auth=oauth2(server.url + "/oauth/token", "id", "shh"))
    client.request("api", "orders", {})
    provider.revoke_all()
    threads = [threading.Thread(target=client.request, args=("api", "orders", {})) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert provider.issued == ["token-1", "token-2"]


def test_oauth2_first_requests_from_many_threads_at_once_fetch_one_token(
    server: FakeServer, make_client: MakeClient
) -> None:
    provider = OAuthProvider()

    def slow_token(req: Recorded) -> Reply:  # every thread asks while the first fetch is still out
        time.sleep(0.2)
        return provider.token_handler(req)

    server.route("POST", "/oauth/token", slow_token)
    server.route("GET", "/orders", provider.protect(lambda req: Reply(json={"orders": []})))
    client = make_client(server.url, [op("orders", "GET", "/orders")], auth=oauth2(server.url + "/oauth/token", "id", "shh"))
    with ThreadPoolExecutor(8) as pool:  # each thread runs its request on a loop of its own
        statuses = list(pool.map(lambda _: client.request("api", "orders", {})["status"], range(8)))
    assert statuses == [200] * 8
    assert provider.issued == ["token-1"]


def test_oauth2_workers_of_a_parallel_loop_fetch_one_token(server: FakeServer, make_client: MakeClient) -> None:
    from flowlang.runtime.context import Run
    from flowlang.runtime.runlog import RunLog

    provider = OAuthProvider()

    def slow_token(req: Recorded) -> Reply:
        time.sleep(0.2)
        return provider.token_handler(req)

    server.route("POST", "/oauth/token", slow_token)
    server.route("GET", "/orders", provider.protect(lambda req: Reply(json={"orders": []}, delay=0.1)))
    client = make_client(server.url, [op("orders", "GET", "/orders")], auth=oauth2(server.url + "/oauth/token", "id", "shh"))
    run = Run(flow="f", log=RunLog(io.StringIO()), http=client)
    statuses: list[int] = []
    run.parallel_for(range(16), 8, lambda _: statuses.append(client.request("api", "orders", {})["status"]), None)
    assert statuses == [200] * 16
    assert provider.issued == ["token-1"]  # the other workers waited for the first one's fetch
    assert server.max_in_flight >= 4  # yet their requests ran side by side


def test_oauth2_rejected_credentials_are_an_http_error_without_the_secret(
    server: FakeServer, make_client: MakeClient
) -> None:
    provider = OAuthProvider(client_secret="right")
    _oauth_server(server, provider)
    auth = oauth2(server.url + "/oauth/token", "id", "wrong-secret")
    client = make_client(server.url, [op("orders", "GET", "/orders")], auth=auth, secrets={"wrong-secret"})
    with pytest.raises(FlowError) as info:
        client.request("api", "orders", {}, ("a.flow", 2, 3))
    error = info.value
    assert error.kind == "http" and error.status == 401 and error.where == ("a.flow", 2, 3)
    assert "oauth2 token request failed" in error.message and "wrong-secret" not in error.message
    assert server.received("GET", "/orders") == []


def test_secrets_are_masked_in_error_messages(make_client: MakeClient) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    client = make_client(url, [op("me", "GET", "/me")], auth=api_key("key", "s3cr3t/+", in_="query"),
                         secrets={"s3cr3t/+"})
    with pytest.raises(FlowError) as info:
        client.request("api", "me", {})
    assert info.value.kind == "connection"
    assert "s3cr3t" not in info.value.message and "key=***" in info.value.message


def test_https_connection_failures_are_connection_errors(make_client: MakeClient) -> None:
    client = make_client(f"https://127.0.0.1:{closed_port()}", [op("me", "GET", "/me")])
    with pytest.raises(FlowError) as info:
        client.request("api", "me", {})
    assert info.value.kind == "connection"


def test_oauth2_token_endpoint_that_cannot_be_reached_is_a_connection_error(
    server: FakeServer, make_client: MakeClient
) -> None:
    auth = oauth2(f"http://127.0.0.1:{closed_port()}/token", "id", "shh")
    client = make_client(server.url, [op("orders", "GET", "/orders")], auth=auth)
    with pytest.raises(FlowError) as info:
        client.request("api", "orders", {})
    assert info.value.kind == "connection" and "oauth2 token request" in info.value.message


def test_oauth2_token_url_that_is_no_url_is_an_input_error(server: FakeServer, make_client: MakeClient) -> None:
    client = make_client(server.url, [op("orders", "GET", "/orders")], auth=oauth2("http://host:port/token", "id", "shh"))
    with pytest.raises(FlowError) as info:
        client.request("api", "orders", {})
    assert info.value.kind == "input" and "token_url" in info.value.message


def test_oauth2_response_without_a_token_is_a_data_error(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("POST", "/token", json={"token": "x"})
    client = make_client(server.url, [op("orders", "GET", "/orders")], auth=oauth2(server.url + "/token", "id", "shh"))
    with pytest.raises(FlowError) as info:
        client.request("api", "orders", {})
    assert info.value.kind == "data" and "access_token" in info.value.message


def test_oauth2_access_tokens_are_masked_like_secrets(server: FakeServer, make_client: MakeClient) -> None:
    provider = OAuthProvider()
    server.route("POST", "/oauth/token", provider.token_handler)
    # an API that echoes the Authorization header back in its error body
    server.route("GET", "/orders", provider.protect(
        lambda req: Reply(status=400, json={"error": f"bad request from {req.headers['authorization']}"})
    ))
    secrets: set[str] = set()
    auth = oauth2(server.url + "/oauth/token", "id", "shh")
    client = make_client(server.url, [op("orders", "GET", "/orders")], auth=auth, secrets=secrets)
    with pytest.raises(FlowError) as info:
        client.request("api", "orders", {})
    assert provider.issued[-1] in secrets
    assert provider.issued[-1] not in info.value.message and "***" in info.value.message
