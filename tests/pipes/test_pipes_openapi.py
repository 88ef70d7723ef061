"""/openapi.json documents the pipes, listener and runs endpoints, and the served host keeps to it: schemathesis
sends generated requests to each of those operations and checks for no server error and conforming answers."""

from __future__ import annotations

from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is in the dev extra")

from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error, response_schema_conformance  # noqa: E402
from served import published, wait_run, webhook  # noqa: E402

OPERATIONS = {
    ("/v2/pipes", "get"), ("/v2/pipes", "post"), ("/v2/pipes/{pipeID}", "get"), ("/v2/pipes/{pipeID}", "put"),
    ("/v2/pipes/{pipeID}", "delete"), ("/v2/pipes/{pipeID}/token", "post"), ("/v2/pipes/{pipeID}/run", "post"),
    ("/listener/{pipeID}", "post"), ("/v2/runs", "get"), ("/v2/runs/{runID}", "get"),
    ("/v2/runs/{runID}/logs", "get"), ("/v2/runs/{runID}/reprocess", "post"),
}


def test_every_pipes_and_runs_endpoint_is_in_the_document(executor) -> None:
    doc = executor.client().get("/openapi.json").json()
    found = {(path, method) for path, item in doc["paths"].items() for method in item
             if method in ("get", "post", "put", "delete")}
    assert found >= OPERATIONS
    assert {"Pipe", "PipeRequest", "Run", "LogLine"} <= set(doc["components"]["schemas"])


def test_generated_requests_get_no_server_error_and_conforming_answers(executor) -> None:
    tenant = executor.tenant()
    flow = published(tenant, 'flow echo {\n  log info "got {source}"\n  return source\n}\n')
    pipe = webhook(tenant, flow["id"])
    delivered = tenant.http.post(f"/v2/pipes/{pipe['id']}/run", json={"data": {"input": {"n": 1}}})
    run = wait_run(tenant, delivered.json()["data"]["id"])
    ids = {"pipeID": pipe["id"], "runID": run["id"]}
    schema = schemathesis.openapi.from_url(f"{executor.url}/openapi.json")
    operations = [op.ok() for op in schema.get_all_operations()
                  if (op.ok().path, op.ok().method.lower()) in OPERATIONS]
    assert {(op.path, op.method.lower()) for op in operations} == OPERATIONS
    checked = 0
    for operation in operations:
        strategy = operation.as_strategy()

        @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case: Any) -> None:
            for name in ("pipeID", "runID"):
                if case.path_parameters and name in case.path_parameters:
                    case.path_parameters[name] = ids[name]  # real ids: past the 404 into the handler
            case.call_and_validate(base_url=executor.url,
                                   headers={"Authorization": f"Bearer {tenant.token}"},
                                   checks=[not_a_server_error, response_schema_conformance])

        from hypothesis import given

        given(strategy)(check)()
        checked += 1
    assert checked == len(OPERATIONS)
