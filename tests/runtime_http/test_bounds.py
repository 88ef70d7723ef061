"""Waits and deadlines are bounded: Retry-After beyond max_wait or not finite, whole-request timeouts, resets."""

from __future__ import annotations

import time

import pytest

from flowlang.runtime.config import build_system
from flowlang.runtime.errors import FlowError
from flowlang.runtime.failures import retry_after

from .conftest import MakeClient, op
from .raw_servers import RawServer, close_without_response, reset_mid_response, trickle
from .servers import FakeServer, Reply

WHERE = ("bounds.flow", 4, 7)


@pytest.mark.parametrize("header", ["3600", "86400.5", "Wed, 21 Oct 2099 07:28:00 GMT"])
def test_a_retry_after_beyond_max_wait_fails_at_once(server: FakeServer, make_client: MakeClient, header: str) -> None:
    server.reply("GET", "/busy", 429, json={"error": "slow down"}, headers={"retry-after": header})
    client = make_client(server.url, [op("busy", "GET", "/busy")], retry=3)
    started = time.monotonic()
    with pytest.raises(FlowError) as info:
        client.request("api", "busy", {}, WHERE)
    error = info.value
    assert time.monotonic() - started < 2 and len(server.requests) == 1
    assert (error.kind, error.status, error.where) == ("http", 429, WHERE)
    assert error.message.startswith("api.busy failed: HTTP 429 Too Many Requests, and the server asks to wait ")
    assert "more than max_wait (300s)" in error.message and error.hint and "max_wait" in error.hint
    assert error.body == '{"error": "slow down"}'


@pytest.mark.parametrize("header", ["inf", "Infinity", "nan", "1e999"])
def test_a_retry_after_that_is_not_finite_fails_at_once(server: FakeServer, make_client: MakeClient, header: str) -> None:
    server.reply("GET", "/busy", 503, headers={"retry-after": header})
    client = make_client(server.url, [op("busy", "GET", "/busy")], retry=2)
    with pytest.raises(FlowError) as info:
        client.request("api", "busy", {})
    assert f"sends Retry-After {header!r}, which is not a finite number of seconds" in info.value.message
    assert len(server.requests) == 1


def test_max_wait_sets_the_cap(server: FakeServer, make_client: MakeClient) -> None:
    server.sequence("GET", "/busy", [Reply(429, headers={"retry-after": "0.2"}), Reply(json={"ok": True})])
    client = make_client(server.url, [op("busy", "GET", "/busy")], retry=1, max_wait=0.5)
    assert client.request("api", "busy", {})["body"] == {"ok": True}
    server.sequence("GET", "/later", [Reply(429, headers={"retry-after": "2"}), Reply(json={})])
    tight = make_client(server.url, [op("later", "GET", "/later")], retry=1, max_wait=1)
    with pytest.raises(FlowError) as info:
        tight.request("api", "later", {})
    assert "asks to wait 2s (Retry-After: 2), more than max_wait (1s)" in info.value.message


def test_max_wait_must_be_a_positive_number() -> None:
    with pytest.raises(FlowError, match="'max_wait' must be a positive number, got 0"):
        build_system("api", {"base_url": "http://x", "max_wait": 0}, [])


def test_retry_after_reads_seconds_and_dates() -> None:
    assert retry_after("1.5") == 1.5 and retry_after("-3") == 0.0 and retry_after("soon") is None
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


def test_timeout_bounds_the_whole_request_not_the_gap_between_reads(make_client: MakeClient) -> None:
    with RawServer(trickle(b'{"items": [1, 2, 3, 4, 5, 6, 7, 8]}', every=0.1)) as slow:
        client = make_client(slow.url, [op("slow", "GET", "/slow")], timeout=0.8)
        started = time.monotonic()
        with pytest.raises(FlowError) as info:
            client.request("api", "slow", {}, WHERE)
        elapsed = time.monotonic() - started
    assert 0.7 < elapsed < 2.0  # the body would take 3.6 s
    assert info.value.kind == "timeout" and "timed out after 0.8s" in info.value.message


def test_a_slow_body_within_the_timeout_is_read(make_client: MakeClient) -> None:
    with RawServer(trickle(b"[1, 2]", every=0.05)) as slow:
        client = make_client(slow.url, [op("slow", "GET", "/slow")], timeout=5)
        assert client.request("api", "slow", {})["body"] == [1, 2]


def test_a_reset_after_the_response_began_says_so(make_client: MakeClient) -> None:
    with RawServer(reset_mid_response(b'{"items": [1, 2', length=400)) as flaky:
        client = make_client(flaky.url, [op("items", "GET", "/items")])
        with pytest.raises(FlowError) as info:
            client.request("api", "items", {}, WHERE)
    error = info.value
    assert error.kind == "connection" and error.where == WHERE
    assert "the server closed the connection mid-response (after HTTP 200 began" in error.message
    assert "could not reach" not in error.message and error.hint is None


def test_a_reset_mid_response_is_retried_like_other_transport_failures(make_client: MakeClient) -> None:
    with RawServer(reset_mid_response(b"[1", length=50)) as flaky:
        client = make_client(flaky.url, [op("items", "GET", "/items")], retry=2)
        with pytest.raises(FlowError):
            client.request("api", "items", {})
        assert flaky.connections == 3


def test_a_hang_up_before_any_response_is_not_called_unreachable(make_client: MakeClient) -> None:
    with RawServer(close_without_response) as mute:
        client = make_client(mute.url, [op("x", "GET", "/x")])
        with pytest.raises(FlowError) as info:
            client.request("api", "x", {})
    assert "the server closed the connection without a response" in info.value.message
