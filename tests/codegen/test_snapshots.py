"""Snapshots of the generated code of small flows (the flow part only, not the inlined runtime).

Update after an intended change of the generated code: `pytest tests/codegen --snapshot-update`.
"""

from __future__ import annotations

from syrupy.assertion import SnapshotAssertion

from .conftest import CompileFlow

CONTROL_FLOW = """
flow control {
  total = 0
  seen = []
  for i, n in [3, 1, 2] {
    if n > 2 and i == 0 {
      continue
    } else if not n {
      break
    } else {
      seen += [n]
    }
    total += n * 2
  }
  while total > 0 {
    total -= 1
  }
  log info "seen {length(seen)} values"
  return {seen: seen, total: total, label: if total == 0 then "done" else "left"}
}
"""

FUNCS_AND_ERRORS = """
func describe(order, currency = "EUR") {
  if not order.lines {
    fail "order {order.id} has no lines"
  }
  return "{order.id}: {sum(map(order.lines, l => l.qty * l.price))} {currency}"
}

flow errors {
  try {
    text = describe({id: 7, lines: []})
  } catch err {
    log warn err.message
    text = describe(currency: "USD", order: {id: 8, lines: [{qty: 2, price: 5}]})
  }
  return text
}
"""

PARALLEL_AND_STATE = """
flow fan_out {
  done = 0
  failed = []
  for item in source?.items ?? [] parallel 4 {
    if item.ok {
      done += 1
    } else {
      failed += [item.id]
    }
  }
  state.done = (state.done ?? 0) + done
  checkpoint
  return {done: done, failed: failed, total: state.done}
}
"""

SYSTEMS = """
system shop {
  base_url: env("SHOP_URL", "http://localhost:8080")
  auth: bearer(secret("SHOP_TOKEN"))
  retry: 2
  GET list_orders "/orders" {
    items: "data"
    paginate: page(param: "page", start: 1)
  }
  POST create_order "/orders"
}

flow sync {
  count = 0
  for order in each shop.list_orders(query: {status: "new"}) {
    r = call shop.create_order(body: {ref: order.id, note: order?.note ?? "-"})
    count += 1
    log success "order {order.id} -> {r.status}"
  }
  return count
}
"""


def test_control_flow(compile_flow: CompileFlow, snapshot: SnapshotAssertion) -> None:
    assert compile_flow(CONTROL_FLOW).flow_part() == snapshot


def test_funcs_and_errors(compile_flow: CompileFlow, snapshot: SnapshotAssertion) -> None:
    assert compile_flow(FUNCS_AND_ERRORS).flow_part() == snapshot


def test_parallel_loop_and_state(compile_flow: CompileFlow, snapshot: SnapshotAssertion) -> None:
    assert compile_flow(PARALLEL_AND_STATE).flow_part() == snapshot


def test_systems_calls_and_streams(compile_flow: CompileFlow, snapshot: SnapshotAssertion) -> None:
    assert compile_flow(SYSTEMS).flow_part() == snapshot
