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


def test_odd_tokens_are_401_never_500(host: HostServer) -> None:
    for header in (b"Bearer \xff\xfe", "Bearer flw_\u00e9t\u00e9".encode(), b"Bearer " + b"a" * 60_000,
                   b"Bearer flw_x extra words", b"BEARER"):
        response = host.client(headers={"Authorization": header}).get("/v2/flows")
        assert response.status_code == 401, header[:40]
        assert response.json()["errors"][0]["title"] == "Unauthorized"


def test_another_projects_ids_are_404_everywhere_and_change_nothing(host: HostServer) -> None:
    """Every endpoint that takes an id answers bob for alice's objects exactly as for ids that do not
    exist, and alice's flow, version, pipe and run are untouched."""
    alice, bob = host.tenant(), host.tenant()
    flow = alice.http.post("/v2/flows", json={"data": {"type": "flow", "name": "A", "slug": "a", "enabled": True,
                                                       "source": 'flow a {\n  return "a"\n}\n'}}).json()["data"]
    assert alice.http.post(f"/v2/flows/{flow['id']}/publish").status_code == 201
    pipe = alice.http.post("/v2/pipes", json={"data": {"type": "pipe", "flow_id": flow["id"],
                                                       "trigger": "webhook"}}).json()["data"]
    run = alice.http.post(f"/v2/pipes/{pipe['id']}/run").json()["data"]
    requests = [("GET", "/v2/flows/{f}/versions"), ("GET", "/v2/flows/{f}/versions/1"),
                ("POST", "/v2/flows/{f}/publish"), ("POST", "/v2/flows/{f}/versions/1/rollback"),
                ("GET", "/v2/flows/{f}/export"), ("GET", "/v2/pipes/{p}"), ("DELETE", "/v2/pipes/{p}"),
                ("POST", "/v2/pipes/{p}/run"), ("POST", "/v2/pipes/{p}/token"), ("GET", "/v2/runs/{r}"),
                ("GET", "/v2/runs/{r}/logs"), ("POST", "/v2/runs/{r}/reprocess"), ("PUT", "/v2/pipes/{p}")]
    for method, path in requests:
        body = {"data": {"type": "pipe", "enabled": False}} if method == "PUT" else None
        theirs = bob.http.request(method, path.format(f=flow["id"], p=pipe["id"], r=run["id"]), json=body)
        nobody = str(uuid.uuid4())
        unknown = bob.http.request(method, path.format(f=nobody, p=nobody, r=nobody), json=body)
        assert theirs.status_code == unknown.status_code == 404, (method, path, theirs.text)
        assert theirs.json()["errors"][0]["detail"].replace(flow["id"], "ID").replace(pipe["id"], "ID") \
            .replace(run["id"], "ID") == unknown.json()["errors"][0]["detail"].replace(nobody, "ID")
    stolen = bob.http.post("/v2/pipes", json={"data": {"type": "pipe", "flow_id": flow["id"], "trigger": "webhook"}})
    assert stolen.status_code == 422 and bob.http.get("/v2/pipes").json()["data"] == []
    assert bob.http.get("/v2/runs").json()["data"] == []
    versions = alice.http.get(f"/v2/flows/{flow['id']}/versions").json()["data"]
    assert [v["number"] for v in versions] == [1]
    assert alice.http.get(f"/v2/pipes/{pipe['id']}").json()["data"]["enabled"] is True
    assert alice.http.get(f"/v2/runs/{run['id']}").status_code == 200
