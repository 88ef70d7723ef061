"""Generate a large, realistic, check-clean .flow file for the checker benchmark."""

from __future__ import annotations

import argparse

HEADER = """\
system shop {
  base_url: env("SHOP_URL", "http://127.0.0.1:8765/shop")
  auth: bearer(env("SHOP_TOKEN", "demo"))
  retry: 3
  timeout: 30s
  GET list_orders "/orders" {
    items: "data"
    paginate: page(param: "page", start: 1)
  }
  POST create_order "/orders"
  GET get_order "/orders/{id}"
}
"""

FUNC = """\
func map_order_{i}(o, currency = "USD") {{
  lines = []
  for line in o.lines ?? [] {{
    lines += [{{
      sku: upper(trim(line.sku)),
      quantity: line.quantity,
      price: round(line.price_cents / 100, 2),
      note: if line.gift then "gift" else null,
    }}]
  }}
  return {{
    id: "ORD-{{o.id}}",
    email: lower(trim(o.email ?? "")),
    currency: currency,
    total: sum(map(lines, l => l.price * l.quantity)),
    lines: lines,
  }}
}}
"""

FLOW = """\
flow sync_{i} {{
  name: "Sync {i}"
  description: "Copy orders of batch {i} into the shop"
  created = 0
  failed = 0
  for o in each shop.list_orders(query: {{batch: {i}}}) {{
    if not o.email {{
      log failure "order {{o.id}} has no email"
      failed += 1
      continue
    }}
    try {{
      payload = map_order_{i}(o, currency: "EUR")
      call shop.create_order(body: payload)
      created += 1
      log success "order {{o.id}} created with {{length(payload.lines)}} lines"
    }} catch err {{
      failed += 1
      log failure "order {{o.id}}: {{err.status}} {{err.message}}"
    }}
  }}
  state.last_batch = {i}
  return {{created: created, failed: failed}}
}}
"""


def generate(lines: int) -> str:
    parts = [HEADER]
    count = HEADER.count("\n")
    i = 0
    while count < lines:
        chunk = FUNC.format(i=i) + "\n" + FLOW.format(i=i) + "\n"
        parts.append(chunk)
        count += chunk.count("\n")
        i += 1
    return "".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("lines", type=int, help="about how many lines to generate")
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()
    with open(args.output, "w", encoding="utf-8") as handle:
        handle.write(generate(args.lines))


if __name__ == "__main__":
    main()
