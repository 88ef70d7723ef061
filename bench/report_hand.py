"""The report benchmark written by hand: what a Python developer would write instead of report.flow."""

from __future__ import annotations

import json
import sys
from typing import Any


def order_report(orders: list[dict[str, Any]]) -> dict[str, Any]:
    by_country: dict[str, dict[str, int]] = {}
    express = 0
    large: list[str] = []
    for o in orders:
        total = 0
        items = 0
        for line in o["lines"]:
            total += line["quantity"] * line["unit_price_cents"]
            items += line["quantity"]
        c = o["shipping"]["country"].upper()
        row = by_country.get(c)
        if row is None:
            row = by_country[c] = {"orders": 0, "items": 0, "revenue_cents": 0, "largest_cents": 0, "gifts": 0}
        row["orders"] += 1
        row["items"] += items
        row["revenue_cents"] += total
        if total > row["largest_cents"]:
            row["largest_cents"] = total
        if o.get("gift_message"):
            row["gifts"] += 1
        if o["shipping"]["method"] == "express":
            express += 1
        if total >= 300_000 and items > 20:
            large.append(f"SO-{o['id']}: {items} items, {total} cents to {c}")
    return {"countries": by_country, "express": express, "large": large}


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as handle:
        orders = json.load(handle)
    print(json.dumps(order_report(orders), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
