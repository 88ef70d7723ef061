"""Concurrent PUTs of one flow lose no update: If-Match read-modify-write retries, and plain partial PUTs
of different fields are serialised; concurrent creates of one slug make one flow."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from host.flows import create
from host.harness import HostServer, Tenant


def test_read_modify_write_with_if_match_loses_no_update(host: HostServer, tenant: Tenant) -> None:
    flow = create(tenant, description="")
    url = f"/v2/flows/{flow['id']}"

    def append(word: str) -> int:
        client = host.client(tenant.token)
        conflicts = 0
        while True:
            current = client.get(url)
            description = current.json()["data"]["description"]
            sent = client.put(url, headers={"If-Match": current.headers["etag"]},
                              json={"data": {"type": "flow", "description": f"{description} {word}".strip()}})
            if sent.status_code == 200:
                return conflicts
            assert sent.status_code == 412, sent.text
            conflicts += 1

    words = [f"w{i}" for i in range(12)]
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(append, words))
    final = tenant.http.get(url).json()["data"]
    assert sorted(final["description"].split()) == sorted(words)
    assert final["meta"]["revision"] == 1 + len(words)


def test_partial_puts_of_different_fields_all_survive(host: HostServer, tenant: Tenant) -> None:
    flow = create(tenant)
    url = f"/v2/flows/{flow['id']}"
    changes = [{"name": "N"}, {"description": "D"}, {"enabled": True}, {"sample": {"a": 1}},
               {"source": "flow x {\n  return 1\n}\n"}]

    def send(change: dict[str, object]) -> int:
        return host.client(tenant.token).put(url, json={"data": {"type": "flow", **change}}).status_code

    with ThreadPoolExecutor(5) as pool:
        assert list(pool.map(send, changes)) == [200] * 5
    final = tenant.http.get(url).json()["data"]
    assert (final["name"], final["description"], final["enabled"], final["sample"]) == ("N", "D", True, {"a": 1})
    assert final["source"] == "flow x {\n  return 1\n}\n" and final["meta"]["revision"] == 6


def test_a_stale_if_match_is_412_and_changes_nothing(tenant: Tenant) -> None:
    flow = create(tenant, name="before")
    url = f"/v2/flows/{flow['id']}"
    tenant.http.put(url, json={"data": {"type": "flow", "name": "second"}})
    stale = tenant.http.put(url, headers={"If-Match": '"1"'}, json={"data": {"type": "flow", "name": "lost"}})
    assert stale.status_code == 412 and stale.headers["etag"] == '"2"'
    assert tenant.http.get(url).json()["data"]["name"] == "second"
    assert tenant.http.delete(url, headers={"If-Match": '"1"'}).status_code == 412


@pytest.mark.parametrize("server", ["host", "postgres_host"])
def test_concurrent_creates_of_one_slug_make_one_flow_and_422s(server: str,
                                                                request: pytest.FixtureRequest) -> None:
    served: HostServer = request.getfixturevalue(server)
    tenant = served.tenant()

    def make(i: int) -> tuple[int, str]:
        response = served.client(tenant.token).post(
            "/v2/flows", json={"data": {"type": "flow", "name": f"N{i}", "slug": "same"}})
        return response.status_code, response.json()["errors"][0]["detail"] if response.is_error else ""

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(make, range(8)))
    assert sorted(code for code, _ in answers) == [201] + [422] * 7, answers
    assert {detail for code, detail in answers if code == 422} == {
        "data.slug: a flow with slug 'same' already exists in this project"}
    assert tenant.http.get("/v2/flows").json()["meta"]["results"]["total"] == 1


@pytest.mark.parametrize("server", ["host", "postgres_host"])
def test_concurrent_publishes_of_one_draft_make_one_version(server: str, request: pytest.FixtureRequest) -> None:
    """Ten Save & Merges of one draft at once: one 201 (version 1), nine 200 with that same version; then
    concurrent rollbacks each add exactly one numbered version (no number twice, none lost)."""
    served: HostServer = request.getfixturevalue(server)
    tenant = served.tenant()
    flow = served.client(tenant.token).post("/v2/flows", json={"data": {
        "type": "flow", "name": "P", "slug": "p", "source": 'flow p {\n  return "p"\n}\n'}}).json()["data"]

    def post(path: str) -> tuple[int, int]:
        answer = served.client(tenant.token).post(f"/v2/flows/{flow['id']}/{path}")
        assert answer.status_code in (200, 201), answer.text
        return answer.status_code, answer.json()["data"]["number"]

    with ThreadPoolExecutor(10) as pool:
        published = list(pool.map(post, ["publish"] * 10))
    assert sorted(published) == [(200, 1)] * 9 + [(201, 1)]
    with ThreadPoolExecutor(6) as pool:
        rolled = list(pool.map(post, ["versions/1/rollback"] * 6))
    assert sorted(number for _, number in rolled) == [2, 3, 4, 5, 6, 7]
    listed = tenant.http.get(f"/v2/flows/{flow['id']}/versions").json()["data"]
    assert [v["number"] for v in listed] == [7, 6, 5, 4, 3, 2, 1]
