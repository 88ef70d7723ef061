"""The mapping benchmark written by hand: what a Python developer would write instead of mapping.flow."""

from __future__ import annotations

import json
import sys
from typing import Any


def sales_order(o: dict[str, Any]) -> dict[str, Any]:
    lines = [
        {
            "sku": line["sku"].strip().upper(),
            "description": line["description"].strip(),
            "quantity": line["quantity"],
            "amount_cents": line["quantity"] * line["unit_price_cents"],
        }
        for line in o["lines"]
    ]
    total = sum(line["amount_cents"] for line in lines)
    customer = o["customer"]
    result = {
        "external_id": f"SO-{o['id']}",
        "customer": {
            "email": customer["email"].strip().lower(),
            "name": f"{customer['first_name'].strip()} {customer['last_name'].strip()}",
        },
        "country": o["shipping"]["country"].upper(),
        "express": o["shipping"]["method"] == "express",
        "lines": lines,
        "total_cents": total,
        "priority": "high" if total >= 250_000 else "normal",
    }
    if o.get("gift_message"):
        result["gift_note"] = o["gift_message"].strip()
    return result


def map_orders(orders: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [sales_order(o) for o in orders]


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as handle:
        orders = json.load(handle)
    print(json.dumps(map_orders(orders), ensure_ascii=False, indent=2))  # as `flowlang run` prints a result


if __name__ == "__main__":
    main()
