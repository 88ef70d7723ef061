"""A POST with an idempotency key is retried, with the same key on every attempt."""

from __future__ import annotations

import pytest

from flowlang.runtime.config import key_header
from flowlang.runtime.errors import FlowError

from .conftest import MakeClient, op
from .servers import FakeServer, Reply


def test_a_keyed_post_is_retried_with_the_same_key(server: FakeServer, make_client: MakeClient) -> None:
    server.sequence("POST", "/orders", [Reply(503), Reply(201, json={"id": 1})])
    client = make_client(server.url, [op("create", "POST", "/orders", idempotency_key=key_header("Idempotency-Key"))],
                         retry=1)
    assert client.request("api", "create", {"body": {"n": 1}})["status"] == 201
    keys = [r.headers["idempotency-key"] for r in server.received()]
    assert len(keys) == 2 and keys[0] == keys[1]
    client.request("api", "create", {"body": {"n": 2}})
    assert server.received()[-1].headers["idempotency-key"] != keys[0]  # the next call, the next key


def test_an_unkeyed_post_is_not_retried(server: FakeServer, make_client: MakeClient) -> None:
    server.sequence("POST", "/orders", [Reply(503), Reply(201, json={})])
    client = make_client(server.url, [op("create", "POST", "/orders")], retry=1)
    with pytest.raises(FlowError) as info:
        client.request("api", "create", {"body": {}})
    assert info.value.status == 503 and len(server.received()) == 1
