"""The fake systems behave like the APIs the examples call, over real HTTP."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import fake_data
import fake_systems
import httpx
import pytest
from example_paths import EXAMPLES
from fake_systems import RunningServer


def client(fake: RunningServer, system: str, token: str | None = None) -> httpx.Client:
    token = token or f"demo-{system}-token"
    return httpx.Client(
        base_url=f"{fake.url}/{system}", headers={"Authorization": f"Bearer {token}"}
    )


# ---------------------------------------------------------------- auth and routing


def test_a_request_without_the_bearer_token_is_401(fake: RunningServer) -> None:
    response = httpx.get(f"{fake.url}/p21/api/customers")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_token_of_another_system_is_401(fake: RunningServer) -> None:
    assert client(fake, "p21", token="demo-magento-token").get("/api/customers").status_code == 401


def test_an_unknown_path_is_404_and_a_wrong_method_405(fake: RunningServer) -> None:
    erp = client(fake, "erp")
    assert erp.get("/api/nothing").status_code == 404
    response = erp.delete("/api/orders")
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"


# ---------------------------------------------------------------- P21: page pagination


def test_p21_pages_hold_page_size_customers_until_an_empty_page(fake: RunningServer) -> None:
    p21 = client(fake, "p21")
    pages = [
        p21.get("/api/customers", params={"page": n, "page_size": 10}).json()["customers"]
        for n in (1, 2, 3, 4)
    ]
    assert [len(page) for page in pages] == [10, 10, fake_data.CUSTOMER_COUNT - 20, 0]
    ids = [c["id"] for page in pages for c in page]
    assert len(set(ids)) == fake_data.CUSTOMER_COUNT


def test_p21_modified_since_keeps_later_customers_only(fake: RunningServer) -> None:
    since = "2026-01-20T00:00:00Z"
    body = (
        client(fake, "p21")
        .get("/api/customers", params={"modified_since": since, "page_size": 100})
        .json()
    )
    assert body["customers"], "some customers changed after the cut-off"
    assert all(c["modified_at"] > since for c in body["customers"])
    assert body["total"] < fake_data.CUSTOMER_COUNT


def test_p21_rejects_a_modified_since_that_is_not_a_timestamp(fake: RunningServer) -> None:
    assert (
        client(fake, "p21")
        .get("/api/customers", params={"modified_since": "yesterday"})
        .status_code
        == 400
    )


def test_p21_data_has_the_quirks_the_examples_handle(fake: RunningServer) -> None:
    customers = {
        c["id"]: c
        for c in client(fake, "p21")
        .get("/api/customers", params={"page_size": 100})
        .json()["customers"]
    }
    assert customers[fake_data.NO_EMAIL]["email"] is None
    assert customers[fake_data.NO_ADDRESSES]["addresses"] is None
    assert customers[fake_data.NO_LAST_NAME]["last_name"] is None


def test_the_data_is_the_same_in_every_server(fake: RunningServer) -> None:
    with fake_systems.start() as other:
        first = client(fake, "erp").get("/api/inventory", params={"limit": 100}).json()
        second = client(other, "erp").get("/api/inventory", params={"limit": 100}).json()
    assert first == second


# ---------------------------------------------------------------- Magento


def test_magento_creates_a_customer_with_an_id(fake: RunningServer) -> None:
    customer = {
        "email": "ada@example.com",
        "firstname": "Ada",
        "lastname": "Okafor",
        "addresses": [],
    }
    response = client(fake, "magento").post("/rest/V1/customers", json={"customer": customer})
    assert response.status_code == 200
    assert response.json()["id"] == 1
    assert response.json()["email"] == customer["email"]


@pytest.mark.parametrize("email", ["ines@", "  ines@example.com", "Ines@Example.com", None])
def test_magento_rejects_a_bad_email_with_400_and_a_message(
    fake: RunningServer, email: str | None
) -> None:
    response = client(fake, "magento").post(
        "/rest/V1/customers", json={"customer": {"email": email, "firstname": "I", "lastname": "M"}}
    )
    assert response.status_code == 400
    assert "not a valid email" in response.json()["message"]


def test_magento_rejects_a_second_customer_with_the_same_email(fake: RunningServer) -> None:
    magento = client(fake, "magento")
    customer = {"customer": {"email": "ada@example.com", "firstname": "Ada", "lastname": "O"}}
    assert magento.post("/rest/V1/customers", json=customer).status_code == 200
    second = magento.post("/rest/V1/customers", json=customer)
    assert second.status_code == 400
    assert "same email" in second.json()["message"]


def test_magento_stock_update_of_an_unknown_sku_is_404(fake: RunningServer) -> None:
    magento = client(fake, "magento")
    body = {"stockItem": {"qty": 3, "is_in_stock": True}}
    assert magento.put("/rest/V1/products/SKU-1001/stockItems/1", json=body).json() == 1
    assert (
        magento.put(
            f"/rest/V1/products/{fake_data.NOT_IN_SHOP[0]}/stockItems/1", json=body
        ).status_code
        == 404
    )


def test_magento_base_prices_fail_once_with_503_then_list_unknown_skus(fake: RunningServer) -> None:
    magento = client(fake, "magento")
    prices = {
        "prices": [
            {"sku": "SKU-1001", "price": 1.5, "store_id": 1},
            {"sku": "SKU-1013", "price": 2, "store_id": 1},
        ]
    }
    statuses = [magento.post("/rest/V1/products/base-prices", json=prices) for _ in range(3)]
    assert [r.status_code for r in statuses] == [200, 503, 200]
    assert statuses[1].headers["Retry-After"] == "0"
    assert [problem["parameters"]["sku"] for problem in statuses[2].json()] == ["SKU-1013"]


# ---------------------------------------------------------------- ERP


def new_order(fake: RunningServer, external_id: str = "1042") -> str:
    order = {
        "external_id": external_id,
        "order_date": "2026-03-14",
        "customer_email": "a@example.com",
        "currency": "USD",
    }
    response = client(fake, "erp").post("/api/orders", json=order)
    assert response.status_code == 201
    return str(response.json()["order_id"])


def test_erp_creates_an_order_once_per_external_id(fake: RunningServer) -> None:
    order_id = new_order(fake)
    assert order_id.startswith("SO-")
    again = client(fake, "erp").post(
        "/api/orders",
        json={
            "external_id": "1042",
            "order_date": "2026-03-14",
            "customer_email": "a@example.com",
            "currency": "USD",
        },
    )
    assert again.status_code == 409


def test_erp_rejects_an_order_date_with_a_time(fake: RunningServer) -> None:
    order = {
        "external_id": "7",
        "order_date": "2026-03-14T10:00:00Z",
        "customer_email": "a@example.com",
        "currency": "USD",
    }
    response = client(fake, "erp").post("/api/orders", json=order)
    assert response.status_code == 422
    assert response.json()["field"] == "order_date"


def test_erp_adds_a_line_and_keeps_it_on_the_order(fake: RunningServer) -> None:
    order_id = new_order(fake)
    erp = client(fake, "erp")
    line = {"sku": "SKU-1001", "quantity": 3, "unit_price": "24.95", "amount": "69.85"}
    assert erp.post(f"/api/orders/{order_id}/lines", json=line).json()["line_no"] == 1
    assert erp.get(f"/api/orders/{order_id}").json()["lines"] == [line]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"sku": "SKU-9999"}, "sku"),
        ({"quantity": 0}, "quantity"),
        ({"unit_price": 24.95}, "unit_price"),
        ({"amount": "69.9"}, "amount"),
    ],
)
def test_erp_rejects_a_bad_line_with_422_naming_the_field(
    fake: RunningServer, change: dict[str, object], field: str
) -> None:
    order_id = new_order(fake)
    line = {"sku": "SKU-1001", "quantity": 3, "unit_price": "24.95", "amount": "69.85", **change}
    response = client(fake, "erp").post(f"/api/orders/{order_id}/lines", json=line)
    assert response.status_code == 422
    assert response.json()["field"] == field


def test_erp_inventory_cursor_pages_end_with_a_null_cursor(fake: RunningServer) -> None:
    erp = client(fake, "erp")
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(10):
        params: dict[str, str | int] = {"limit": 25, **({"cursor": cursor} if cursor else {})}
        page = erp.get("/api/inventory", params=params).json()
        seen += [item["sku"] for item in page["items"]]
        cursor = page["meta"]["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == fake_data.ITEM_COUNT


def test_erp_inventory_modified_since_keeps_later_items_only(fake: RunningServer) -> None:
    since = "2026-03-02T12:00:00Z"
    items = (
        client(fake, "erp")
        .get("/api/inventory", params={"modified_since": since, "limit": 100})
        .json()["items"]
    )
    assert 0 < len(items) < fake_data.ITEM_COUNT
    assert all(item["modified_at"] > since for item in items)


def test_erp_prices_offset_pages_end_with_a_short_page(fake: RunningServer) -> None:
    erp = client(fake, "erp")
    sizes = [
        len(erp.get("/api/prices", params={"offset": offset, "limit": 20}).json()["prices"])
        for offset in (0, 20, 40)
    ]
    assert sizes == [20, 20, fake_data.PRICE_COUNT - 40]


def test_erp_export_is_running_at_the_first_check_and_done_at_the_second(
    fake: RunningServer,
) -> None:
    erp = client(fake, "erp")
    started = erp.post("/api/exports", json={"type": "sales", "month": fake_data.SALES_MONTH})
    assert (started.status_code, started.json()["status"]) == (202, "queued")
    export = f"/api/exports/{started.json()['id']}"
    assert erp.get(f"{export}/rows").status_code == 409
    assert [erp.get(export).json()["status"] for _ in range(3)] == ["running", "done", "done"]


def test_erp_export_rows_link_to_the_next_page_until_the_last(fake: RunningServer) -> None:
    erp = client(fake, "erp")
    export = erp.post("/api/exports", json={"type": "sales", "month": fake_data.SALES_MONTH}).json()
    erp.get(f"/api/exports/{export['id']}")
    erp.get(f"/api/exports/{export['id']}")
    rows: list[dict[str, object]] = []
    url: str | None = f"{fake.url}/erp/api/exports/{export['id']}/rows"
    while url:
        page = erp.get(url).json()
        rows += page["rows"]
        url = page["links"]["next"]
    assert rows == fake_data.erp_sales(fake_data.SALES_MONTH)


@pytest.mark.parametrize(
    "body", [{"type": "stock", "month": "2026-03"}, {"type": "sales", "month": "March"}]
)
def test_erp_export_rejects_an_unknown_type_or_month(
    fake: RunningServer, body: dict[str, str]
) -> None:
    assert client(fake, "erp").post("/api/exports", json=body).status_code == 422


# ---------------------------------------------------------------- Elastic Path


def flow_body(slug: str) -> dict[str, object]:
    return {
        "data": {
            "type": "flow",
            "name": slug.title(),
            "slug": slug,
            "description": "d",
            "enabled": True,
        }
    }


def test_elasticpath_creates_a_flow_as_a_json_api_resource(fake: RunningServer) -> None:
    ep = client(fake, "ep")
    response = ep.post("/v2/flows", json=flow_body("erp-order-link"))
    assert response.status_code == 201
    data = response.json()["data"]
    assert (data["type"], data["slug"], data["enabled"]) == ("flow", "erp-order-link", True)
    assert ep.get(f"/v2/flows/{data['id']}").json()["data"]["slug"] == "erp-order-link"
    assert "erp-order-link" in [f["slug"] for f in ep.get("/v2/flows").json()["data"]]


def test_elasticpath_answers_422_pointing_at_the_slug_for_a_duplicate(fake: RunningServer) -> None:
    slug = fake_data.elasticpath_flows()[0]["slug"]
    response = client(fake, "ep").post("/v2/flows", json=flow_body(slug))
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert (error["status"], error["source"]) == (422, {"pointer": "/data/slug"})


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"name": ""}, "data.name"),
        ({"type": "field"}, "data.type"),
        ({"slug": "Bad Slug"}, "data.slug"),
    ],
)
def test_elasticpath_answers_422_for_an_invalid_flow(
    fake: RunningServer, change: dict[str, object], detail: str
) -> None:
    body = flow_body("new-flow")
    body["data"] = {**body["data"], **change}  # type: ignore[dict-item]
    response = client(fake, "ep").post("/v2/flows", json=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["detail"].startswith(detail)


def test_elasticpath_issues_client_credentials_tokens_it_then_accepts(fake: RunningServer) -> None:
    form = {
        "grant_type": "client_credentials",
        "client_id": "demo-client",
        "client_secret": "demo-secret",
    }
    token = httpx.post(f"{fake.url}/ep/oauth/access_token", data=form).json()["access_token"]
    assert client(fake, "ep", token=token).get("/v2/flows").status_code == 200
    wrong = httpx.post(f"{fake.url}/ep/oauth/access_token", data={**form, "client_secret": "nope"})
    assert wrong.status_code == 401


# ---------------------------------------------------------------- request log and lifecycle


def test_requests_are_recorded_with_method_path_query_body_and_status(fake: RunningServer) -> None:
    client(fake, "p21").get("/api/customers", params={"page": 2})
    client(fake, "ep").post("/v2/flows", json=flow_body("x"))
    log = httpx.get(f"{fake.url}/__requests").json()
    assert log == [
        {
            "method": "GET",
            "path": "/p21/api/customers",
            "query": {"page": "2"},
            "body": None,
            "status": 200,
        },
        {
            "method": "POST",
            "path": "/ep/v2/flows",
            "query": {},
            "body": flow_body("x"),
            "status": 201,
        },
    ]
    assert fake.requests() == log


def test_delete_requests_forgets_the_log_but_keeps_the_data(fake: RunningServer) -> None:
    ep = client(fake, "ep")
    ep.post("/v2/flows", json=flow_body("kept"))
    assert httpx.delete(f"{fake.url}/__requests").status_code == 204
    assert fake.requests() == []
    assert ep.post("/v2/flows", json=flow_body("kept")).status_code == 422  # still there: a duplicate


def test_reset_restores_the_seeded_data(fake: RunningServer) -> None:
    ep = client(fake, "ep")
    ep.post("/v2/flows", json=flow_body("gone"))
    assert httpx.post(f"{fake.url}/__reset").status_code == 204
    assert fake.requests() == []
    assert ep.post("/v2/flows", json=flow_body("gone")).status_code == 201


def test_an_injected_fault_answers_the_next_requests_then_goes_away(fake: RunningServer) -> None:
    fake.inject("GET", "/erp/api/prices", 500, times=2)
    erp = client(fake, "erp")
    assert [erp.get("/api/prices").status_code for _ in range(3)] == [500, 500, 200]
    assert [r["status"] for r in fake.requests()] == [500, 500, 200]


def test_a_fault_posted_over_http_answers_with_its_body_until_a_reset(fake: RunningServer) -> None:
    fault = {
        "method": "GET",
        "path": "/p21/api/customers",
        "status": 503,
        "times": 5,
        "body": {"x": 1},
    }
    assert httpx.post(f"{fake.url}/__faults", json=fault).status_code == 204
    p21 = client(fake, "p21")
    response = p21.get("/api/customers")
    assert (response.status_code, response.json()) == (503, {"x": 1})
    fake.reset()
    assert p21.get("/api/customers").status_code == 200


def test_env_points_every_system_at_the_server(fake: RunningServer) -> None:
    assert fake.env() == {
        f"{name.upper()}_URL": f"{fake.url}/{name}" for name in fake_systems.SYSTEMS
    }


def test_stop_closes_the_port() -> None:
    server = fake_systems.start()
    assert httpx.get(f"{server.url}/__requests").status_code == 200
    server.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.url}/__requests")


def test_the_script_serves_on_the_port_it_is_given() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, str(EXAMPLES / "fake_systems.py"), "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        assert f"http://127.0.0.1:{port}/p21" in banner
        deadline = time.monotonic() + 5
        while True:
            try:
                assert httpx.get(f"http://127.0.0.1:{port}/__requests").json() == []
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.05)
    finally:
        process.terminate()
        process.wait(timeout=5)
