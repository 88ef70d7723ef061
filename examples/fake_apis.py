"""The data and endpoints of the fake P21, Magento, ERP and Elastic Path APIs (served by fake_systems.py)."""

from __future__ import annotations

import os
import re
import threading
import uuid
from collections.abc import Callable
from typing import Any

import fake_data  # sibling modules: examples/ is on sys.path when these files run or are imported
from fake_http import HttpProblem, Request, Response, ep_error, erp_error, int_param, magento_error

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
MONEY = re.compile(r"^-?\d+\.\d{2}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SLUG = re.compile(r"^[a-z0-9_-]+$")
FIXED_TIME = "2026-01-05T09:00:00.000Z"


def modified_filter(req: Request) -> Callable[[dict[str, Any]], bool]:
    """Records modified strictly after `?modified_since=` (all records when absent)."""
    text = req.query.get("modified_since")
    if not text:
        return lambda record: True
    try:
        since = fake_data.parse_iso(text)
    except ValueError:
        raise erp_error(
            400, f"modified_since is not an ISO-8601 timestamp: {text!r}", "modified_since"
        ) from None
    return lambda record: fake_data.parse_iso(record["modified_at"]) > since


class FakeApis:
    """The seeded data of every fake system and the handlers of their endpoints."""

    def __init__(self) -> None:
        self.lock = threading.Lock()

    def endpoints(self) -> list[tuple[str, str, Callable[[Request], Response]]]:
        """(method, path template, handler) of every endpoint; `{name}` is a path parameter."""
        return [
            ("GET", "/p21/api/customers", self.p21_customers),
            ("GET", "/p21/api/customers/{id}", self.p21_customer),
            ("POST", "/magento/rest/V1/customers", self.magento_create_customer),
            ("PUT", "/magento/rest/V1/products/{sku}/stockItems/{item_id}", self.magento_stock),
            ("POST", "/magento/rest/V1/products/base-prices", self.magento_prices),
            ("POST", "/erp/api/orders", self.erp_create_order),
            ("GET", "/erp/api/orders/{order_id}", self.erp_order),
            ("POST", "/erp/api/orders/{order_id}/lines", self.erp_add_line),
            ("GET", "/erp/api/inventory", self.erp_inventory),
            ("GET", "/erp/api/prices", self.erp_prices),
            ("POST", "/erp/api/exports", self.erp_start_export),
            ("GET", "/erp/api/exports/{id}", self.erp_export),
            ("GET", "/erp/api/exports/{id}/rows", self.erp_export_rows),
            ("POST", "/ep/oauth/access_token", self.ep_token),
            ("GET", "/ep/v2/flows", self.ep_list_flows),
            ("POST", "/ep/v2/flows", self.ep_create_flow),
            ("GET", "/ep/v2/flows/{id}", self.ep_get_flow),
        ]

    def reset_data(self) -> None:
        """Back to the seeded data (call with `lock` held)."""
        self.customers = fake_data.p21_customers()
        self.items = fake_data.erp_items()
        self.prices = fake_data.erp_prices()
        self.shop_skus = fake_data.shop_skus()
        self.shop_customers: dict[str, dict[str, Any]] = {}
        self.shop_stock: dict[str, dict[str, Any]] = {}
        self.shop_prices: dict[tuple[str, int], float] = {}
        self.price_posts = 0
        self.orders: dict[str, dict[str, Any]] = {}
        self.exports: dict[str, dict[str, Any]] = {}
        self.ep_flows = {f["slug"]: dict(f) for f in fake_data.elasticpath_flows()}
        self.ep_issued: set[str] = set()

    # ------------------------------------------------------------ P21 (page pagination)

    def p21_customers(self, req: Request) -> Response:
        page = int_param(req, "page", 1, 1, 10_000)
        size = int_param(req, "page_size", 10, 1, 100)
        selected = [c for c in self.customers if modified_filter(req)(c)]
        chunk = selected[(page - 1) * size : page * size]
        return (
            200,
            {"customers": chunk, "page": page, "page_size": size, "total": len(selected)},
            {},
        )

    def p21_customer(self, req: Request) -> Response:
        for customer in self.customers:
            if customer["id"] == req.params["id"]:
                return 200, customer, {}
        raise erp_error(404, f"customer {req.params['id']} not found")

    # ------------------------------------------------------------ Magento

    def magento_create_customer(self, req: Request) -> Response:
        customer = (req.body or {}).get("customer") if isinstance(req.body, dict) else None
        if not isinstance(customer, dict):
            raise magento_error(400, '"customer" is required. Enter and try again.')
        email = customer.get("email")
        if not isinstance(email, str) or not EMAIL.match(email) or email != email.strip().lower():
            raise magento_error(
                400, f'"email" is not a valid email address: {email}', fieldName="email"
            )
        for name in ("firstname", "lastname"):
            if not isinstance(customer.get(name), str) or not customer[name].strip():
                raise magento_error(
                    400, f'"{name}" is required. Enter and try again.', fieldName=name
                )
        for address in customer.get("addresses") or []:
            if not isinstance(address.get("street"), list) or not address.get("city"):
                raise magento_error(400, '"street" and "city" are required in every address.')
        with self.lock:
            if email in self.shop_customers:
                raise magento_error(
                    400,
                    "A customer with the same email address already exists in an associated website.",
                )
            created = {
                "id": len(self.shop_customers) + 1,
                **customer,
                "created_at": "2026-01-05 09:00:00",
            }
            self.shop_customers[email] = created
        return 200, created, {}

    def magento_stock(self, req: Request) -> Response:
        sku = req.params["sku"]
        if sku not in self.shop_skus:
            raise magento_error(
                404, f'The product that was requested doesn\'t exist: "{sku}"', sku=sku
            )
        item = (req.body or {}).get("stockItem") if isinstance(req.body, dict) else None
        if not isinstance(item, dict) or not isinstance(item.get("qty"), int | float):
            raise magento_error(400, '"stockItem.qty" is required and must be a number.')
        if not isinstance(item.get("is_in_stock"), bool):
            raise magento_error(400, '"stockItem.is_in_stock" is required and must be a boolean.')
        with self.lock:
            self.shop_stock[sku] = item
        return 200, int(req.params["item_id"]), {}

    def magento_prices(self, req: Request) -> Response:
        with self.lock:
            self.price_posts += 1
            if self.price_posts == 2:  # one transient outage, so the example shows a retry
                raise HttpProblem(
                    503, {"message": "Service temporarily unavailable"}, {"Retry-After": "0"}
                )
        prices = (req.body or {}).get("prices") if isinstance(req.body, dict) else None
        if not isinstance(prices, list):
            raise magento_error(400, '"prices" is required and must be a list.')
        failed = []
        for price in prices:
            if not isinstance(price, dict) or not isinstance(price.get("price"), int | float):
                raise magento_error(400, f"Invalid price entry: {price}")
            if price.get("sku") not in self.shop_skus:
                failed.append(
                    {
                        "message": "Requested product doesn't exist: %sku",
                        "parameters": {"sku": price.get("sku")},
                    }
                )
                continue
            with self.lock:
                self.shop_prices[(price["sku"], int(price.get("store_id", 0)))] = price["price"]
        return 200, failed, {}

    # ------------------------------------------------------------ ERP

    def erp_create_order(self, req: Request) -> Response:
        order = req.body if isinstance(req.body, dict) else {}
        external_id = order.get("external_id")
        if external_id in (None, ""):
            raise erp_error(422, "external_id is required", "external_id")
        if not isinstance(order.get("order_date"), str) or not DATE.match(order["order_date"]):
            raise erp_error(422, "order_date must be a date YYYY-MM-DD", "order_date")
        if not isinstance(order.get("customer_email"), str) or not EMAIL.match(
            order["customer_email"]
        ):
            raise erp_error(422, "customer_email must be an email address", "customer_email")
        if not isinstance(order.get("currency"), str) or not re.fullmatch(
            r"[A-Z]{3}", order["currency"]
        ):
            raise erp_error(422, "currency must be an ISO 4217 code", "currency")
        with self.lock:
            for existing in self.orders.values():
                if existing["external_id"] == external_id:
                    raise erp_error(
                        409, f"order {external_id} already exists as {existing['order_id']}"
                    )
            order_id = f"SO-{50001 + len(self.orders)}"
            self.orders[order_id] = {**order, "order_id": order_id, "status": "open", "lines": []}
        return 201, {"order_id": order_id, "external_id": external_id, "status": "open"}, {}

    def erp_order(self, req: Request) -> Response:
        order = self.orders.get(req.params["order_id"])
        if order is None:
            raise erp_error(404, f"order {req.params['order_id']} not found")
        return 200, order, {}

    def erp_add_line(self, req: Request) -> Response:
        order = self.orders.get(req.params["order_id"])
        if order is None:
            raise erp_error(404, f"order {req.params['order_id']} not found")
        line = req.body if isinstance(req.body, dict) else {}
        if line.get("sku") not in {item["sku"] for item in self.items}:
            raise erp_error(422, f"unknown item {line.get('sku')}", "sku")
        quantity = line.get("quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
            raise erp_error(422, "quantity must be a positive whole number", "quantity")
        for name in ("unit_price", "amount"):
            if not isinstance(line.get(name), str) or not MONEY.match(line[name]):
                raise erp_error(
                    422, f"{name} must be a decimal string with two places, like 12.50", name
                )
        with self.lock:
            order["lines"].append(line)
            line_no = len(order["lines"])
        return 201, {"order_id": order["order_id"], "line_no": line_no}, {}

    def erp_inventory(self, req: Request) -> Response:
        limit = int_param(req, "limit", 25, 1, 100)
        cursor = req.query.get("cursor") or "c0"
        if not re.fullmatch(r"c\d+", cursor):
            raise erp_error(400, f"invalid cursor {cursor!r}", "cursor")
        start = int(cursor[1:])
        selected = [item for item in self.items if modified_filter(req)(item)]
        page = selected[start : start + limit]
        next_cursor = f"c{start + limit}" if start + limit < len(selected) else None
        return 200, {"items": page, "meta": {"next_cursor": next_cursor, "count": len(page)}}, {}

    def erp_prices(self, req: Request) -> Response:
        offset = int_param(req, "offset", 0, 0, 1_000_000)
        limit = int_param(req, "limit", 20, 1, 100)
        page = self.prices[offset : offset + limit]
        return (
            200,
            {"prices": page, "offset": offset, "limit": limit, "total": len(self.prices)},
            {},
        )

    def erp_start_export(self, req: Request) -> Response:
        """An asynchronous export: queued now, running at the first status check, done at the second."""
        spec = req.body if isinstance(req.body, dict) else {}
        if spec.get("type") != "sales":
            raise erp_error(422, "type must be sales", "type")
        if not isinstance(spec.get("month"), str) or not re.fullmatch(
            r"\d{4}-\d{2}", spec["month"]
        ):
            raise erp_error(422, "month must look like 2026-03", "month")
        with self.lock:
            export_id = f"EX-{len(self.exports) + 1}"
            rows = fake_data.erp_sales(spec["month"])
            self.exports[export_id] = {
                "id": export_id,
                "status": "queued",
                "checks": 0,
                "rows": rows,
            }
        return 202, {"id": export_id, "status": "queued", "month": spec["month"]}, {}

    def erp_export(self, req: Request) -> Response:
        export = self.find_export(req)
        with self.lock:
            export["checks"] += 1
            export["status"] = "running" if export["checks"] < 2 else "done"
        done = export["status"] == "done"
        body = {"id": export["id"], "status": export["status"]}
        return 200, {**body, "rows": len(export["rows"])} if done else body, {}

    def erp_export_rows(self, req: Request) -> Response:
        """Pages of 15 rows; `links.next` is the absolute URL of the next page, null on the last."""
        export = self.find_export(req)
        if export["status"] != "done":
            raise erp_error(409, f"export {export['id']} is not ready")
        page = int_param(req, "page", 1, 1, 10_000)
        rows = export["rows"][(page - 1) * 15 : page * 15]
        more = page * 15 < len(export["rows"])
        base = f"http://{req.headers.get('host', '127.0.0.1')}{req.path}"
        return (
            200,
            {"rows": rows, "links": {"next": f"{base}?page={page + 1}" if more else None}},
            {},
        )

    def find_export(self, req: Request) -> dict[str, Any]:
        export = self.exports.get(req.params["id"])
        if export is None:
            raise erp_error(404, f"export {req.params['id']} not found")
        return export

    # ------------------------------------------------------------ Elastic Path (JSON:API)

    def ep_token(self, req: Request) -> Response:
        form = req.body if isinstance(req.body, dict) else {}
        client_id = os.environ.get("EP_CLIENT_ID", "demo-client")
        client_secret = os.environ.get("EP_CLIENT_SECRET", "demo-secret")
        good = (form.get("client_id"), form.get("client_secret")) == (client_id, client_secret)
        if form.get("grant_type") != "client_credentials" or not good:
            raise HttpProblem(401, {"errors": [{"status": 401, "title": "Unauthorized"}]})
        with self.lock:
            token = f"ep-access-{len(self.ep_issued) + 1}"
            self.ep_issued.add(token)
        return 200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600}, {}

    def ep_list_flows(self, req: Request) -> Response:
        flows = [self.ep_resource(f) for f in self.ep_flows.values()]
        return 200, {"data": flows, "meta": {"results": {"total": len(flows)}}}, {}

    def ep_get_flow(self, req: Request) -> Response:
        for flow in self.ep_flows.values():
            if req.params["id"] in (flow["id"], flow["slug"]):
                return 200, {"data": self.ep_resource(flow)}, {}
        raise ep_error(404, "Not Found", f"no flow {req.params['id']}")

    def ep_create_flow(self, req: Request) -> Response:
        data = req.body.get("data") if isinstance(req.body, dict) else None
        if not isinstance(data, dict):
            raise ep_error(422, "Failed Validation", 'data: "data" is required')
        if data.get("type") != "flow":
            raise ep_error(422, "Failed Validation", 'data.type: must be "flow"')
        for name in ("name", "slug", "description"):
            if not isinstance(data.get(name), str) or not data[name]:
                raise ep_error(422, "Failed Validation", f'data.{name}: "{name}" is required')
        if not SLUG.match(data["slug"]):
            raise ep_error(422, "Failed Validation", "data.slug: may only hold a-z, 0-9, - and _")
        if "enabled" in data and not isinstance(data["enabled"], bool):
            raise ep_error(422, "Failed Validation", "data.enabled: must be a boolean")
        with self.lock:
            if data["slug"] in self.ep_flows:
                raise ep_error(  # 422, as Elastic Path's document (and flowlang serve) answer it
                    422, "Failed Validation", f"data.slug: a flow with slug {data['slug']} already exists",
                    "/data/slug",
                )
            flow = {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"flow:{data['slug']}")),
                "type": "flow",
                "name": data["name"],
                "slug": data["slug"],
                "description": data["description"],
                "enabled": data.get("enabled", False),
            }
            self.ep_flows[flow["slug"]] = flow
        return 201, {"data": self.ep_resource(flow)}, {}

    @staticmethod
    def ep_resource(flow: dict[str, Any]) -> dict[str, Any]:
        return {
            **flow,
            "links": {"self": f"/v2/flows/{flow['id']}"},
            "relationships": {},
            "meta": {
                "owner": "store",
                "timestamps": {"created_at": FIXED_TIME, "updated_at": FIXED_TIME},
            },
        }
