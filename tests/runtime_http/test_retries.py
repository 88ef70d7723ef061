"""Retries: which failures are retried, how long the client waits, and what is raised at the end."""

from __future__ import annotations

import time
from email.utils import formatdate

import pytest

from flowlang.runtime.errors import FlowError

from .conftest import MakeClient, op
from .servers import FakeServer, Reply, closed_port

UNAVAILABLE = Reply(503, json={"error": "busy"})


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_retryable_statuses_are_retried(server: FakeServer, make_client: MakeClient, status: int) -> None:
    server.sequence("GET", "/c", [Reply(status), Reply(status), Reply(json={"id": 1})])
    client = make_client(server.url, [op("c", "GET", "/c")], retry=2)
    assert client.request("api", "c", {})["body"] == {"id": 1}
    assert len(server.requests) == 3


def test_other_errors_are_not_retried(server: FakeServer, make_client: MakeClient) -> None:
    server.sequence("GET", "/c", [Reply(500), Reply(json={})])
    client = make_client(server.url, [op("c", "GET", "/c")], retry=3)
    with pytest.raises(FlowError) as info:
        client.request("api", "c", {})
    assert info.value.status == 500 and len(server.requests) == 1


def test_exhausted_retries_raise_the_last_status(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("GET", "/c", 503, json={"error": "busy"})
    client = make_client(server.url, [op("c", "GET", "/c")], retry=2)
    with pytest.raises(FlowError) as info:
        client.request("api", "c", {})
    assert (info.value.kind, info.value.status, info.value.body) == ("http", 503, {"error": "busy"})
    assert len(server.requests) == 3


def test_operation_retry_overrides_the_system_setting(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("GET", "/c", 503)
    client = make_client(server.url, [op("c", "GET", "/c", retry=0)], retry=5)
    with pytest.raises(FlowError):
        client.request("api", "c", {})
    assert len(server.requests) == 1


def test_retry_after_seconds_is_honoured(server: FakeServer, make_client: MakeClient) -> None:
    server.sequence("GET", "/c", [Reply(429, headers={"retry-after": "0.3"}), Reply(json={})])
    client = make_client(server.url, [op("c", "GET", "/c")], retry=1, backoff=0)
    client.request("api", "c", {})
    first, second = server.requests
    assert second.at - first.at >= 0.3


def test_retry_after_http_date_is_honoured(server: FakeServer, make_client: MakeClient) -> None:
    retry_at = int(time.time()) + 2  # HTTP dates have whole seconds
    server.sequence("GET", "/c", [Reply(503, headers={"retry-after": formatdate(retry_at, usegmt=True)}),
                                  Reply(json={})])
    client = make_client(server.url, [op("c", "GET", "/c")], retry=1, backoff=0)
    client.request("api", "c", {})
    assert time.time() >= retry_at


def test_backoff_grows_exponentially(server: FakeServer, make_client: MakeClient) -> None:
    server.sequence("GET", "/c", [UNAVAILABLE, UNAVAILABLE, UNAVAILABLE, Reply(json={})])
    client = make_client(server.url, [op("c", "GET", "/c")], retry=3, backoff=0.05)
    client.request("api", "c", {})
    at = [r.at for r in server.requests]
    # waits of 0.05·2^n with jitter in [0.5, 1): at least 0.025, 0.05, 0.1
    assert at[1] - at[0] >= 0.025 and at[2] - at[1] >= 0.05 and at[3] - at[2] >= 0.1


def test_post_is_not_retried_unless_idempotent(server: FakeServer, make_client: MakeClient) -> None:
    server.sequence("POST", "/orders", [UNAVAILABLE, Reply(201, json={})])
    client = make_client(server.url, [op("create", "POST", "/orders")], retry=3)
    with pytest.raises(FlowError) as info:
        client.request("api", "create", {"body": {}})
    assert info.value.status == 503 and len(server.requests) == 1


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_idempotent_post_and_patch_are_retried(server: FakeServer, make_client: MakeClient, method: str) -> None:
    server.sequence(method, "/orders", [UNAVAILABLE, Reply(201, json={"id": 3})])
    client = make_client(server.url, [op("create", method, "/orders", idempotent=True)], retry=3)
    assert client.request("api", "create", {"body": {"n": 1}})["body"] == {"id": 3}
    assert [r.json() for r in server.requests] == [{"n": 1}, {"n": 1}]


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_other_methods_are_retried(server: FakeServer, make_client: MakeClient, method: str) -> None:
    server.sequence(method, "/c/1", [UNAVAILABLE, Reply(204)])
    client = make_client(server.url, [op("change", method, "/c/{id}")], retry=1)
    assert client.request("api", "change", {"id": 1})["status"] == 204


def test_a_slow_response_is_a_timeout_error(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("GET", "/slow", json={}, delay=0.5)
    client = make_client(server.url, [op("slow", "GET", "/slow")], timeout=0.1)
    with pytest.raises(FlowError) as info:
        client.request("api", "slow", {}, ("a.flow", 1, 1))
    error = info.value
    assert error.kind == "timeout" and (error.system, error.operation) == ("api", "slow")
    assert "timed out after 0.1s" in error.message


def test_operation_timeout_overrides_the_system_setting(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("GET", "/slow", json={"done": True}, delay=0.2)
    client = make_client(server.url, [op("slow", "GET", "/slow", timeout=2)], timeout=0.05)
    assert client.request("api", "slow", {})["body"] == {"done": True}


def test_timeouts_are_retried(server: FakeServer, make_client: MakeClient) -> None:
    server.sequence("GET", "/c", [Reply(json={}, delay=0.5), Reply(json={"second": True})])
    client = make_client(server.url, [op("c", "GET", "/c")], timeout=0.1, retry=1)
    assert client.request("api", "c", {})["body"] == {"second": True}


def test_connection_refused_is_a_connection_error_after_retries(make_client: MakeClient) -> None:
    attempts: list[str] = []
    client = make_client(f"http://127.0.0.1:{closed_port()}", [op("c", "GET", "/c")], retry=2,
                         on_request=lambda method, url, status, elapsed: attempts.append(url))
    with pytest.raises(FlowError) as info:
        client.request("api", "c", {}, ("a.flow", 4, 2))
    assert info.value.kind == "connection" and info.value.where == ("a.flow", 4, 2)
    assert "api.c" in info.value.message
    assert info.value.hint is not None and info.value.hint.startswith("is the server at http://127.0.0.1:")
    assert len(attempts) == 3
