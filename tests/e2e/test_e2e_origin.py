"""Credentials stay with their origin, through `flowlang run` and the compiled module alike."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from runtime_http.servers import FakeServer, Recorded

from e2e.harness import Write, run_both

TOKEN = "tok-0f-the-api-4711"
TENANT = "tenant-key-8812"

FLOW = """\
system api {
  base_url: env("API_URL")
  auth: bearer(secret("TOKEN"))
  headers: {"X-Tenant": secret("TENANT"), "Accept": "application/json"}
  GET items "/items" {
    items: "items"
    paginate: next_link(from: "next")
  }
  GET moved "/moved"
}
flow origin {
  ids = []
  for item in each api.items() {
    ids = ids + [item]
  }
  r = call api.moved()
  return {ids: ids, moved: r.body}
}
"""


@pytest.fixture
def servers() -> Iterator[tuple[FakeServer, FakeServer]]:
    with FakeServer() as api, FakeServer() as cdn:
        yield api, cdn


def credentials(request: Recorded) -> list[str]:
    return [name for name in ("authorization", "x-tenant") if name in request.headers]


def test_links_and_redirects_to_another_origin_carry_no_credentials_on_both_engines(
    write: Write, servers: tuple[FakeServer, FakeServer]
) -> None:
    api, cdn = servers
    api.reply("GET", "/items", json={"items": [1], "next": "/items/2"})
    api.reply("GET", "/items/2", json={"items": [2], "next": f"{cdn.url}/export"})
    cdn.reply("GET", "/export", json={"items": [3], "next": None})
    api.reply("GET", "/moved", 302, headers={"location": f"{cdn.url}/file"})
    cdn.reply("GET", "/file", json={"ok": True})
    flow = write("origin.flow", FLOW)
    result = run_both(flow, env={"API_URL": api.url, "TOKEN": TOKEN, "TENANT": TENANT})
    assert result.code == 0, result.err
    assert '"ids": [\n    1,\n    2,\n    3\n  ]' in result.out
    assert len(api.received()) == 6 and len(cdn.received()) == 4  # two runs
    assert all(credentials(r) == ["authorization", "x-tenant"] for r in api.received())
    assert all(credentials(r) == [] and r.headers["accept"] == "application/json" for r in cdn.received())
