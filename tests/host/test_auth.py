"""Bearer tokens: 401 without one or with a bad or revoked one; one project never sees another's flows."""

from __future__ import annotations

import uuid

from host.harness import HostServer, Tenant


def test_no_token_is_401_with_a_bearer_challenge(host: HostServer) -> None:
    response = host.client().get("/v2/flows")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    (error,) = response.json()["errors"]
    assert (error["status"], error["title"]) == (401, "Unauthorized")
    assert "Authorization: Bearer" in error["detail"]


def test_a_bad_token_is_401(host: HostServer) -> None:
    for header in ("Bearer flw_nonsense", "Basic dXNlcjpwYXNz", "Bearer", "flw_x"):
        response = host.client(headers={"Authorization": header}).get("/v2/flows")
        assert response.status_code == 401, header


def test_a_revoked_token_is_401(host: HostServer) -> None:
    slug = f"p-{uuid.uuid4().hex[:8]}"
    token = host.create_token(slug, name="to-revoke")
    assert host.client(token).get("/v2/flows").status_code == 200
    done = host.flowlang("token", "revoke", token[:12], "--db", host.db)
    assert done.returncode == 0, done.stderr
    assert host.client(token).get("/v2/flows").status_code == 401


def test_401_comes_before_reading_any_body(host: HostServer) -> None:
    response = host.client().post("/v2/flows", json={"data": {"type": "flow", "name": "x", "slug": "x"}})
    assert response.status_code == 401


def test_a_project_never_sees_another_projects_flows(host: HostServer) -> None:
    alice, bob = host.tenant(), host.tenant()
    flow = alice.http.post("/v2/flows", json={"data": {"type": "flow", "name": "A", "slug": "same"}})
    flow_id = flow.json()["data"]["id"]
    assert bob.http.get("/v2/flows").json()["data"] == []
    for method in ("GET", "PUT", "DELETE"):
        body = {"data": {"type": "flow", "name": "stolen"}} if method == "PUT" else None
        response = bob.http.request(method, f"/v2/flows/{flow_id}", json=body)
        missing = bob.http.request(method, f"/v2/flows/{uuid.uuid4()}", json=body)
        assert response.status_code == missing.status_code == 404
        assert response.json()["errors"][0]["detail"].replace(flow_id, "ID") == \
            missing.json()["errors"][0]["detail"].replace(missing.url.path.split("/")[-1], "ID")
    assert alice.http.get(f"/v2/flows/{flow_id}").json()["data"]["name"] == "A"
    # The same slug is free in every project.
    again = bob.http.post("/v2/flows", json={"data": {"type": "flow", "name": "B", "slug": "same"}})
    assert again.status_code == 201


def test_two_tokens_of_one_project_see_the_same_flows(host: HostServer, tenant: Tenant) -> None:
    tenant.http.post("/v2/flows", json={"data": {"type": "flow", "name": "A", "slug": "a"}})
    other = host.client(host.create_token(tenant.slug, name="second"))
    assert [f["slug"] for f in other.get("/v2/flows").json()["data"]] == ["a"]
