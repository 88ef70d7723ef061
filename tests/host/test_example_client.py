"""examples/elasticpath_flows.flow — the flowlang client of the Create-a-Flow API — run against
`flowlang serve` instead of a mock: OAuth2 client credentials, createAFlow, getAllFlows."""

from __future__ import annotations

import json
from pathlib import Path

from e2e.harness import flowlang

from host.harness import HostServer

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "elasticpath_flows.flow"
WANTED = ["customer-loyalty", "erp-order-link", "product-compliance"]


def run_example(host: HostServer, slug: str, token: str, tmp_path: Path) -> tuple[int, dict[str, object], str]:
    done = flowlang("run", str(EXAMPLE), "--state", str(tmp_path / "state.db"), cwd=tmp_path, env={
        "EP_URL": host.url, "EP_CLIENT_ID": slug, "EP_CLIENT_SECRET": token})
    return done.code, json.loads(done.out) if done.out.strip() else {}, done.err


def test_the_example_creates_its_flows_on_the_host(host: HostServer, tmp_path: Path) -> None:
    tenant = host.tenant()
    code, result, err = run_example(host, tenant.slug, tenant.token, tmp_path)
    assert code == 0, err
    assert [c["slug"] for c in result["created"]] == WANTED  # type: ignore[union-attr, index]
    assert result["existing"] == [] and result["store_flows"] == WANTED
    flows = {f["slug"]: f for f in tenant.http.get("/v2/flows").json()["data"]}
    assert set(flows) == set(WANTED)
    assert flows["product-compliance"]["enabled"] is False and flows["customer-loyalty"]["enabled"] is True
    assert flows["erp-order-link"]["description"] == "The ERP sales order behind a shop order"
    ids = {c["slug"]: c["id"] for c in result["created"]}  # type: ignore[union-attr]
    assert all(flows[s]["id"] == ids[s] for s in WANTED)


def test_a_second_run_finds_its_flows_there_by_the_hosts_duplicate_slug_422(host: HostServer,
                                                                            tmp_path: Path) -> None:
    tenant = host.tenant()
    run_example(host, tenant.slug, tenant.token, tmp_path)
    code, result, err = run_example(host, tenant.slug, tenant.token, tmp_path)
    assert code == 0, err
    assert result["created"] == [] and result["existing"] == WANTED and result["store_flows"] == WANTED
    assert "flow customer-loyalty exists already" in err
    assert len(tenant.http.get("/v2/flows").json()["data"]) == 3


def test_a_wrong_client_secret_is_refused_by_the_token_endpoint(host: HostServer, tmp_path: Path) -> None:
    tenant = host.tenant()
    code, _, err = run_example(host, tenant.slug, "flw_wrong", tmp_path)
    assert code != 0 and "401" in err
    assert tenant.http.get("/v2/flows").json()["data"] == []
