"""`/v2/runs[/{runID}]`, `/v2/runs/{runID}/logs` and `/v2/runs/{runID}/reprocess`: the run history."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import text
from starlette.routing import Route

from flowlang.host.api import pipes_spec
from flowlang.host.api.endpoint import Call, Reply, endpoint
from flowlang.host.api.paging import page_of, paged
from flowlang.host.api.pipes import run_service, runnable
from flowlang.host.errors import ApiError, not_found
from flowlang.host.runs import RUN_COLUMNS, insert_run, run_row

FILTER = re.compile(r"eq\((pipe_id|flow_id|status|trigger),([^)]*)\)")


def run_json(base: str, row: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "run", "id": row["id"], "status": row["status"], "trigger": row["trigger"],
        "pipe_id": row["pipe_id"], "flow_id": row["flow_id"], "version": row["version"],
        "input": json.loads(row["input"]) if row["input"] else None,
        "result": json.loads(row["result"]) if row["result"] else None,
        "error": json.loads(row["error"]) if row["error"] else None,
        "succeeded": row["succeeded"], "failed": row["failed"], "requests": row["requests"],
        "scheduled_for": row["scheduled_for"], "reprocess_of": row["reprocess_of"],
        "links": {"self": f"{base}/v2/runs/{row['id']}", "logs": f"{base}/v2/runs/{row['id']}/logs"},
        "meta": {"timestamps": {"created_at": row["created_at"], "started_at": row["started_at"],
                                "ended_at": row["ended_at"]}},
        **({"counts": json.loads(row["counts"]) if row["counts"] else None} if "counts" in row else {}),
    }


def list_runs(call: Call) -> Reply:
    """GET /v2/runs?filter=eq(pipe_id,…): newest first."""
    page = page_of(call.query)
    where, params = "project_id = :p", {"p": call.project.id, "l": page.limit, "o": page.offset}
    spec = call.query.get("filter")
    if spec:
        for i, part in enumerate(spec.split(":")):
            found = FILTER.fullmatch(part.strip())
            if found is None:
                raise ApiError.one(400, f"filter {part!r} is not eq(pipe_id|flow_id|status|trigger,VALUE)",
                                   parameter="filter")
            where += f" AND {found.group(1)} = :v{i}"
            params[f"v{i}"] = found.group(2).strip().strip('"')
    with call.store.read() as conn:
        total = conn.execute(text(f"SELECT COUNT(*) FROM runs WHERE {where}"), params).scalar_one()
        rows = conn.execute(text(f"SELECT {', '.join(RUN_COLUMNS)} FROM runs WHERE {where} "
                                 "ORDER BY created_at DESC, id LIMIT :l OFFSET :o"), params)
        found_rows = [dict(r._mapping) for r in rows]
    return Reply(200, paged([run_json(call.base_url, r) for r in found_rows], int(total), page,
                            call.url("/v2/runs"), {"filter": spec} if spec else None))


def _run(call: Call) -> dict[str, Any]:
    with call.store.read() as conn:
        row = run_row(conn, call.project.id, call.path["run_id"])
    if row is None:
        raise not_found("run", call.path["run_id"])
    return row


def get_run(call: Call) -> Reply:
    return Reply(200, {"data": run_json(call.base_url, _run(call))})


def run_logs(call: Call) -> Reply:
    """GET /v2/runs/{runID}/logs: the run's log lines in order (masked when written), paged."""
    row = _run(call)
    page = page_of(call.query)
    with call.store.read() as conn:
        total = conn.execute(text("SELECT COUNT(*) FROM run_logs WHERE run_id = :r"), {"r": row["id"]}).scalar_one()
        lines = [json.loads(r.line) for r in conn.execute(text(
            "SELECT line FROM run_logs WHERE run_id = :r ORDER BY seq LIMIT :l OFFSET :o"),
            {"r": row["id"], "l": page.limit, "o": page.offset})]
    data = [{"type": "log_line", "id": f"{row['id']}:{page.offset + i}", **line} for i, line in enumerate(lines)]
    return Reply(200, paged(data, int(total), page, call.url(f"/v2/runs/{row['id']}/logs")))


def reprocess(call: Call) -> Reply:
    """POST /v2/runs/{runID}/reprocess: the same input again, on the flow's current published version."""
    row = _run(call)
    with call.store.write() as conn:
        if row["pipe_id"]:  # as POST /v2/pipes/{id}/run: a disabled pipe or flow is never run
            pipe = conn.execute(text("SELECT id, flow_id, enabled FROM pipes WHERE id = :id"),
                                {"id": row["pipe_id"]}).first()
            if pipe is not None:
                runnable(conn, dict(pipe._mapping))
        run_id = insert_run(conn, project_id=call.project.id, flow_id=row["flow_id"], trigger="reprocess",
                            pipe_id=row["pipe_id"], input=json.loads(row["input"]) if row["input"] else None,
                            reprocess_of=row["id"])
        new = run_row(conn, call.project.id, run_id)
    run_service(call.state).wake()
    assert new is not None
    return Reply(202, {"data": run_json(call.base_url, new)}, {"Location": call.url(f"/v2/runs/{run_id}")})


OPENAPI = pipes_spec.RUNS  # this router's part of /openapi.json

routes = [
    Route("/v2/runs", endpoint(list_runs), methods=["GET"]),
    Route("/v2/runs/{run_id}", endpoint(get_run), methods=["GET"]),
    Route("/v2/runs/{run_id}/logs", endpoint(run_logs), methods=["GET"]),
    Route("/v2/runs/{run_id}/reprocess", endpoint(reprocess), methods=["POST"]),
]
