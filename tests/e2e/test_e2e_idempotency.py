"""Idempotency keys: the same on both engines, repeated by the run after a failed one, new after a success."""

from __future__ import annotations

import json
from collections import Counter

from runtime_http.servers import FakeServer, Recorded, Reply

from e2e.harness import Write, run_both

FLOW = """\
system shop {
  base_url: env("SHOP_URL")
  POST create "/orders" {
    idempotency_key: header("Idempotency-Key")
  }
  POST note "/notes" {
    idempotency_key: body("request_id")
  }
}
flow keys {
  for o in source {
    call shop.create(body: o)
    call shop.note(body: {text: "hi"}, idempotency_key: o.id)
  }
  return null
}
"""
ORDERS = json.dumps([{"id": "a"}, {"id": "b"}, {"id": "c"}])


def test_keys_are_identical_on_both_engines_and_repeated_after_a_failure(write: Write) -> None:
    failing = {"on": True}

    def create(req: Recorded) -> Reply:
        if failing["on"] and req.json() == {"id": "c"}:
            return Reply(422, json={"error": "try again later"})
        return Reply(201, json={})

    with FakeServer() as shop:
        shop.route("POST", "/orders", create)
        shop.reply("POST", "/notes", 201, json={})
        flow = write("keys.flow", FLOW)
        env = {"SHOP_URL": shop.url}
        failed = run_both(flow, "--input", "-", stdin=ORDERS, env=env)
        assert failed.code == 3 and "HTTP 422" in failed.err
        first = [r.headers["idempotency-key"] for r in shop.received("POST", "/orders")]
        assert len(first) == 6 and all(n == 2 for n in Counter(first).values())  # same keys on both engines
        failing["on"] = False
        resumed = run_both(flow, "--input", "-", stdin=ORDERS, env=env)
        assert resumed.code == 0, resumed.err
        second = [r.headers["idempotency-key"] for r in shop.received("POST", "/orders")][6:]
        assert set(second) == set(first) and len(set(second)) == 3  # the re-run repeats every key
        again = run_both(flow, "--input", "-", stdin=ORDERS, env=env)
        assert again.code == 0
        third = {r.headers["idempotency-key"] for r in shop.received("POST", "/orders")[12:]}
        assert len(third) == 3 and not third & set(first)  # a run after a success is a new attempt
        notes = [r.json()["request_id"] for r in shop.received("POST", "/notes")]
        assert len(set(notes)) == 3  # keyed by o.id: the same in every run
