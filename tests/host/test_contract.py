"""Schemathesis against the seed's own OpenAPI document: for generated requests to the five /v2/flows
operations, `flowlang serve` gives no server error and every response conforms to the contract."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is in the dev extra")

from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import (  # noqa: E402
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

from host.harness import HostServer, Tenant  # noqa: E402

CONTRACT = Path(__file__).resolve().parents[1] / "data" / "specs" / "elasticpath-flows.yaml"
OPERATIONS = ["getAllFlows", "createAFlow", "getAFlow", "updateAFlow", "deleteAFlow"]

schema = schemathesis.openapi.from_path(CONTRACT).include(operation_id=OPERATIONS)


@pytest.fixture(scope="module")
def contract_tenant(host: HostServer) -> Iterator[Tenant]:
    """One project for every generated request, holding a few flows so ids are not always unknown."""
    tenant = host.tenant()
    for slug in ("products", "orders", "customers"):
        tenant.http.post("/v2/flows", json={"data": {"type": "flow", "name": slug.title(), "slug": slug}})
    yield tenant


def test_the_operations_are_the_five_of_the_contract() -> None:
    found = sorted(op.ok().definition.raw["operationId"] for op in schema.get_all_operations())
    assert found == sorted(OPERATIONS)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_response_conforms_to_the_contract(case: Any, host: HostServer, contract_tenant: Tenant) -> None:
    case.call_and_validate(
        base_url=host.url,
        headers={"Authorization": f"Bearer {contract_tenant.token}"},
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )
