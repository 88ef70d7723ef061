"""A compiled module embeds only the operations its flow uses, not every operation of an OpenAPI document."""

from __future__ import annotations

import json
import re

from runtime_http.servers import FakeServer

from e2e.harness import Write, flowlang, run_both

OPERATIONS = 1_223  # as many as GitHub's REST API document has


def big_document() -> str:
    """An OpenAPI document with OPERATIONS operations, like GitHub's."""
    paths = {
        f"/repos/{{owner}}/thing{i}": {"get": {
            "operationId": f"getThing{i}", "summary": f"Get thing {i}",
            "parameters": [{"name": "owner", "in": "path", "required": True, "schema": {"type": "string"}},
                           {"name": "per_page", "in": "query", "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"type": "object", "properties": {"id": {"type": "integer"}}}}}}},
        }}
        for i in range(OPERATIONS)
    }
    return json.dumps({"openapi": "3.0.3", "info": {"title": "Big", "version": "1"},
                       "servers": [{"url": "http://127.0.0.1"}], "paths": paths})


FLOW = """\
system gh {
  spec: "big.json"
  base_url: env("GH_URL")
}
func second(owner) {
  return call gh.getThing1222(owner: owner).body
}
flow two {
  first = call gh.getThing7(owner: "octo", per_page: 5)
  return [first.body.id, second("octo").id]
}
"""


def test_a_two_operation_flow_over_a_big_document_embeds_only_those_two(write: Write) -> None:
    write("big.json", big_document())
    flow = write("two.flow", FLOW)
    assert flowlang("compile", flow.name, "-o", "two.py", cwd=flow.parent).code == 0
    module = (flow.parent / "two.py").read_text(encoding="utf-8")
    embedded = sorted(int(i) for i in re.findall(r'"getThing(\d+)",\n', module))  # build_operation("getThing7",
    assert embedded == [7, 1222]  # the flow's call and the one of the func it calls
    assert len(module) < 300_000
    with FakeServer() as gh:
        gh.reply("GET", "/repos/octo/thing7", json={"id": 7})
        gh.reply("GET", "/repos/octo/thing1222", json={"id": 1222})
        result = run_both(flow, env={"GH_URL": gh.url})
        assert sorted(r.line() for r in gh.received()) == ["GET /repos/octo/thing1222"] * 2 + [
            "GET /repos/octo/thing7?per_page=5"] * 2  # one of each per engine
    assert result.code == 0, result.err
    assert json.loads(result.out) == [7, 1222]
