# The mapping benchmark as a jq program (jq 1.6 has no `trim`: a regex does it).
def trim: sub("^\\s+"; "") | sub("\\s+$"; "");

def sales_order:
  ([.lines[] | {
      sku: (.sku | trim | ascii_upcase),
      description: (.description | trim),
      quantity: .quantity,
      amount_cents: (.quantity * .unit_price_cents)
    }]) as $lines
  | ([$lines[].amount_cents] | add // 0) as $total
  | {
      external_id: "SO-\(.id)",
      customer: {
        email: (.customer.email | trim | ascii_downcase),
        name: "\(.customer.first_name | trim) \(.customer.last_name | trim)"
      },
      country: (.shipping.country | ascii_upcase),
      express: (.shipping.method == "express"),
      lines: $lines,
      total_cents: $total,
      priority: (if $total >= 250000 then "high" else "normal" end)
    }
    + (if (.gift_message // "") != "" then {gift_note: (.gift_message | trim)} else {} end);

map(sales_order)
