"""Generate seeded order records for the mapping benchmark (nested lines, padded strings, cents, optional fields)."""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable
from typing import Any

FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "Niklaus"]
LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Perlman", "Wirth"]
DOMAINS = ["Example.COM", "shop.example", "Mail.Example.org"]
COUNTRIES = ["de", "fr", "us", "gb", "nl", "it"]
PRODUCTS = ["steel bolt m8", "hex nut", "washer 10mm", "torque wrench", "cable tie", "drill bit 6mm"]
GIFTS = ["  Happy birthday!  ", "Thanks for the years\t", " With love "]
PADDING = ["", " ", "  ", "\t", " \t"]


def _padded(rng: random.Random, text: str) -> str:
    """`text` with random spaces/tabs around it (ASCII whitespace only: jq 1.6 trims with a regex)."""
    return rng.choice(PADDING) + text + rng.choice(PADDING)


def order(rng: random.Random, number: int) -> dict[str, Any]:
    """One order as a web shop would send it."""
    first, last = rng.choice(FIRST), rng.choice(LAST)
    lines = [
        {
            "sku": _padded(rng, f"sku-{rng.randrange(10_000):05d}"),
            "description": _padded(rng, rng.choice(PRODUCTS)),
            "quantity": rng.randint(1, 12),
            "unit_price_cents": rng.randint(50, 25_000),
        }
        for _ in range(rng.randint(1, 5))
    ]
    record: dict[str, Any] = {
        "id": 100_000 + number,
        "customer": {
            "first_name": _padded(rng, first),
            "last_name": _padded(rng, last),
            "email": _padded(rng, f"{first}.{last}{number}@{rng.choice(DOMAINS)}"),
        },
        "shipping": {"country": rng.choice(COUNTRIES), "method": rng.choice(["standard", "express"])},
        "lines": lines,
    }
    if rng.random() < 0.3:
        record["gift_message"] = rng.choice(GIFTS)
    return record


def generate(count: int, seed: int = 42) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [order(rng, n) for n in range(count)]


def generator_main(doc: str, make: Callable[[int, int], list[Any]], what: str, count: int, seed: int) -> None:
    """The command line of a generator: `COUNT -o FILE [--seed N]` writes `make(count, seed)` as JSON."""
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument("count", type=int, nargs="?", default=count, help=f"how many {what} [{count}]")
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--seed", type=int, default=seed)
    args = parser.parse_args()
    with open(args.output, "w", encoding="utf-8") as handle:
        json.dump(make(args.count, args.seed), handle)


def main() -> None:
    generator_main(__doc__ or "", generate, "orders", 50_000, 42)


if __name__ == "__main__":
    main()
