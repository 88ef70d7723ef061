"""Generate seeded support tickets for the triage benchmark (statuses, priorities, scores, teams, tags)."""

from __future__ import annotations

import random
from typing import Any

from bench import gen_orders

TEAMS = ["billing", "shipping", "returns", "accounts", "catalog", "payments", "warehouse", "api"]
STATUSES = ["open", "open", "pending", "closed", "closed", "closed", "escalated"]
WORDS = ["refund", "late", "parcel", "invoice", "login", "broken", "missing", "duplicate", "wrong", "size",
         "address", "charge", "coupon", "export", "timeout"]
TAGS = ["vip", "b2b", "repeat", "eu", "us", "mobile", "web", "phone"]


def ticket(rng: random.Random, number: int) -> dict[str, Any]:
    """One ticket as a help desk exports it; `assignee` is missing or null on some."""
    record: dict[str, Any] = {
        "id": 500_000 + number,
        "title": " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 5))),
        "team": rng.choice(TEAMS),
        "status": rng.choice(STATUSES),
        "priority": rng.randint(1, 5),
        "score": round(rng.uniform(0, 100), 2),
        "age_hours": rng.randint(0, 24 * 30),
        "tags": rng.sample(TAGS, rng.randint(0, 3)),
    }
    roll = rng.random()
    if roll < 0.6:
        record["assignee"] = f"agent{rng.randrange(40):02d}"
    elif roll < 0.8:
        record["assignee"] = None
    return record


def generate(count: int, seed: int = 11) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [ticket(rng, n) for n in range(count)]


def main() -> None:
    gen_orders.generator_main(__doc__ or "", generate, "tickets", 200_000, 11)


if __name__ == "__main__":
    main()
