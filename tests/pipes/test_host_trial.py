"""Findings of the new-user trial of the host, on a served host and every engine.

A flow reading a credential its project lacks: the run's error names the project and the API call that
stores it, not the CLI's environment advice (finding 2). Reprocessing a run of a disabled pipe is refused
as POST /v2/pipes/{id}/run refuses it (finding 3). `flowlang runs --pipe nosuch` is an error as
`--flow nosuch` is (finding 6).
"""

from __future__ import annotations

from host.flows import HELLO
from host.harness import HostServer
from served import published, wait_run, webhook

NEEDS = 'flow needs {\n  token = secret("ERP_TOKEN")\n  return {length: length(token)}\n}\n'


def test_a_missing_credential_names_the_project_and_the_api(executor: HostServer) -> None:
    tenant = executor.tenant()
    pipe = webhook(tenant, published(tenant, NEEDS)["id"])
    queued = tenant.http.post(f"/v2/pipes/{pipe['id']}/run")
    assert queued.status_code == 202, queued.text
    run = wait_run(tenant, queued.json()["data"]["id"])
    assert run["status"] == "failed", run
    error = str(run["error"])
    assert f"no credential ERP_TOKEN in project {tenant.slug}" in error, error
    assert "PUT /v2/credentials/ERP_TOKEN" in error, error
    assert "--env-file" not in error, error


def test_reprocess_of_a_disabled_pipe_is_refused(executor: HostServer) -> None:
    tenant = executor.tenant()
    pipe = webhook(tenant, published(tenant, HELLO)["id"])
    first = wait_run(tenant, tenant.http.post(f"/v2/pipes/{pipe['id']}/run").json()["data"]["id"])
    assert first["status"] == "ok", first
    off = tenant.http.put(f"/v2/pipes/{pipe['id']}", json={"data": {"type": "pipe", "enabled": False}})
    assert off.status_code == 200, off.text
    again = tenant.http.post(f"/v2/runs/{first['id']}/reprocess")
    assert again.status_code == 400, again.text
    assert again.json()["errors"][0]["title"] == "Pipe Disabled"
    runs = tenant.http.get("/v2/runs", params={"filter": f"eq(pipe_id,{pipe['id']})"}).json()["data"]
    assert [run["id"] for run in runs] == [first["id"]]


def test_an_unknown_pipe_is_an_error_as_an_unknown_flow_is(executor: HostServer) -> None:
    tenant = executor.tenant()
    pipe = webhook(tenant, published(tenant, HELLO)["id"])
    for option, value in (("--pipe", "nosuch"), ("--flow", "nosuch")):
        done = executor.flowlang("runs", "--host", executor.url, "--token-file", "-", option, value,
                                 stdin=tenant.token)
        assert done.returncode == 2, (option, done.stdout, done.stderr)
        assert f"no {option[2:]} 'nosuch' on the host at {executor.url}" in done.stderr, done.stderr
        assert "Traceback" not in done.stderr and done.stdout == ""
    known = executor.flowlang("runs", "--host", executor.url, "--token-file", "-", "--pipe", pipe["id"],
                              stdin=tenant.token)
    assert (known.returncode, known.stdout.strip()) == (0, "no runs"), known.stderr
