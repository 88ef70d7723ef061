"""Seeded, deterministic records of the fake business systems the examples talk to."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

FIRST_NAMES = [
    "Ada",
    "Ben",
    "Carla",
    "Dev",
    "Elif",
    "Farid",
    "Greta",
    "Hiro",
    "Ines",
    "Jonas",
    "Kemi",
    "Luca",
]
LAST_NAMES = [
    "Okafor",
    "Schmidt",
    "Rossi",
    "Patel",
    "Nguyen",
    "Larsen",
    "Moreau",
    "Silva",
    "Kowalski",
    "Tanaka",
]
CITIES = [
    ("Chicago", "IL", "60601"),
    ("Austin", "TX", "73301"),
    ("Denver", "CO", "80202"),
    ("Boston", "MA", "02108"),
]
STREETS = ["Main St", "Oak Ave", "Lakeview Dr", "Market St", "2nd Ave"]
PRODUCTS = [
    "Hex Bolt",
    "Wing Nut",
    "Flat Washer",
    "Lag Screw",
    "Anchor",
    "Hinge",
    "Bracket",
    "Rivet",
]
FINISHES = ["Zinc", "Brass", "Steel", "Black Oxide", "Stainless"]

EPOCH = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

CUSTOMER_COUNT = 23
ITEM_COUNT = 60
PRICE_COUNT = 45

# Data quirks the examples handle: a customer without an email, one with an invalid email, one whose
# email needs trimming and lower-casing, one without a last name, one without addresses.
NO_EMAIL = "C1005"
BAD_EMAIL = "C1009"
MESSY_EMAIL = "C1014"
NO_LAST_NAME = "C1017"
NO_ADDRESSES = "C1020"

# Items the shop does not sell (stock and price updates for them fail with 404 / per-item errors).
NOT_IN_SHOP = ("SKU-1013", "SKU-1047")


def iso(moment: datetime) -> str:
    """`2026-01-05T09:00:00Z`"""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    """Parse an ISO-8601 timestamp or date; naive values are taken as UTC. Raises ValueError."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def p21_customers() -> list[dict[str, Any]]:
    """Prophet 21 customers C1001…C1023, modified one day apart from 2026-01-05."""
    rng = random.Random(21)
    customers = []
    for n in range(CUSTOMER_COUNT):
        cid = f"C{1001 + n}"
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        city, state, zip_code = rng.choice(CITIES)
        addresses = [
            {
                "line1": f"{rng.randint(10, 9999)} {rng.choice(STREETS)}",
                "city": city,
                "state": state,
                "zip": zip_code,
                "country": "US",
            }
            for _ in range(rng.randint(1, 2))
        ]
        customer: dict[str, Any] = {
            "id": cid,
            "customer_name": f"{first} {last}",
            "first_name": first,
            "last_name": last,
            "email": f"{first.lower()}.{last.lower()}{n}@example.com",
            "phone": f"+1-312-555-{rng.randint(1000, 9999)}",
            "credit_status": rng.choice(["ok", "ok", "ok", "hold"]),
            "modified_at": iso(EPOCH + timedelta(days=n)),
            "addresses": addresses,
        }
        if cid == NO_EMAIL:
            customer["email"] = None
        elif cid == BAD_EMAIL:
            customer["email"] = f"{first.lower()}.{last.lower()}@"
        elif cid == MESSY_EMAIL:
            customer["email"] = f"  {first}.{last}@Example.COM "
        elif cid == NO_LAST_NAME:
            customer["last_name"] = None
        elif cid == NO_ADDRESSES:
            customer["addresses"] = None
        customers.append(customer)
    return customers


def erp_items() -> list[dict[str, Any]]:
    """ERP inventory items SKU-1001…SKU-1060, modified one hour apart from 2026-03-01."""
    rng = random.Random(60)
    start = datetime(2026, 3, 1, tzinfo=UTC)
    items = []
    for n in range(ITEM_COUNT):
        on_hand = 0 if rng.random() < 0.15 else rng.randint(2, 400)
        items.append(
            {
                "sku": f"SKU-{1001 + n}",
                "description": f"{rng.choice(FINISHES)} {rng.choice(PRODUCTS)} M{rng.randint(3, 16)}",
                "warehouse": "MAIN",
                "on_hand": on_hand,
                "allocated": min(on_hand, rng.randint(0, 5)),
                "modified_at": iso(start + timedelta(hours=n)),
            }
        )
    return items


def erp_prices() -> list[dict[str, Any]]:
    """ERP list prices in cents for the first 45 items, alternately in USD and EUR."""
    rng = random.Random(45)
    return [
        {
            "sku": f"SKU-{1001 + n}",
            "currency": "USD" if n % 2 == 0 else "EUR",
            "list_price_cents": rng.randint(99, 25_000),
            "uom": "EA",
        }
        for n in range(PRICE_COUNT)
    ]


REGIONS = ["North", "South", "East", "West"]
SALES_MONTH = "2026-03"  # the only month with invoices


def erp_sales(month: str) -> list[dict[str, Any]]:
    """Invoice lines of 18 sales orders in SALES_MONTH (none in other months); a few are cancelled."""
    if month != SALES_MONTH:
        return []
    rng = random.Random(18)
    rows = []
    for n in range(18):
        region = rng.choice(REGIONS)
        day = 1 + n
        for _ in range(rng.randint(1, 4)):
            quantity = rng.randint(1, 30)
            rows.append(
                {
                    "order_no": f"SO-4{1000 + n}",
                    "region": region,
                    "sku": f"SKU-{rng.randint(1001, 1060)}",
                    "quantity": quantity,
                    "net_cents": quantity * rng.randint(50, 9_000),
                    "status": "cancelled" if rng.random() < 0.1 else "invoiced",
                    "invoiced_at": f"{month}-{day:02d}T10:00:00Z",
                }
            )
    return rows


def shop_skus() -> set[str]:
    """The SKUs the Magento catalogue knows."""
    return {item["sku"] for item in erp_items()} - set(NOT_IN_SHOP)


def elasticpath_flows() -> list[dict[str, Any]]:
    """The custom-data flows the Elastic Path store already has."""
    return [
        {
            "id": "6d320b42-237d-4474-8452-d49f884d4ae1",
            "type": "flow",
            "name": "Products",
            "slug": "products",
            "description": "Extends the default product object",
            "enabled": True,
        },
        {
            "id": "0b6a5f5c-3f1e-4bb1-9a53-2f4d1c6de812",
            "type": "flow",
            "name": "Customer Loyalty",
            "slug": "customer-loyalty",
            "description": "Loyalty tier and points of a customer",
            "enabled": True,
        },
    ]
