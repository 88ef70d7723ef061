"""Fixtures: a fresh FakeServer per test, and HttpClients that are closed after the test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from flowlang.runtime.config import OperationConfig, build_operation, build_system
from flowlang.runtime.http import HttpClient

from .servers import FakeServer

MakeClient = Callable[..., HttpClient]


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as fake:
        yield fake


def op(name: str, method: str, path: str, **options: Any) -> OperationConfig:
    """An operation line: `op("get", "GET", "/items/{id}", items="data")`."""
    query_params = options.pop("query_params", ())
    header_params = options.pop("header_params", ())
    return build_operation(name, method, path, options, query_params=query_params, header_params=header_params)


@pytest.fixture
def make_client() -> Iterator[MakeClient]:
    """`make_client(url, [ops], **settings)`: one system named `api` (backoff 0.01 s unless given)."""
    clients: list[HttpClient] = []

    def make(url: str, operations: list[OperationConfig], *, secrets: set[str] | None = None,
             on_request: Any = None, **settings: Any) -> HttpClient:
        settings = {"base_url": url, "backoff": 0.01, **settings}
        client = HttpClient({"api": build_system("api", settings, operations)},
                            secrets=secrets, on_request=on_request)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
