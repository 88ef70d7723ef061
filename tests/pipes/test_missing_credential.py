"""A flow on the host reading a credential its project lacks: the run's error names the project and the API
call that stores it, not the CLI's environment advice (finding 2 of the new-user trial), on every engine."""

from __future__ import annotations

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
