"""Save & Merge and the published versions: `POST /v2/flows/{id}/publish`, `GET …/versions[/{n}]`,
`POST …/versions/{n}/rollback`. The draft (the flow's `source`) is never one of the versions."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from flowlang.host.api.endpoint import Call, Reply, endpoint
from flowlang.host.api.flows import check_precondition, find
from flowlang.host.api.paging import page_of, paged
from flowlang.host.bundle import check_bundle, one_flow, root_name
from flowlang.host.errors import ApiError, Problem, not_found
from flowlang.host.store import files as files_repo
from flowlang.host.store import versions as repo
from flowlang.host.store.flows import Flow
from flowlang.host.store.versions import Version


def version_json(call: Call, flow: Flow, version: Version, warnings: list[dict[str, Any]] | None = None
                 ) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": str(version.number),
        "type": "flow-version",
        "number": version.number,
        "flow_id": flow.id,
        "source": version.source,
        "files": version.files,
        "note": version.note,
        "links": {"self": call.url(f"/v2/flows/{flow.id}/versions/{version.number}")},
        "meta": {"created_by": version.created_by, "timestamps": {"created_at": version.created_at}},
    }
    if warnings is not None:
        out["meta"]["warnings"] = warnings
    return out


def diagnostic_problem(diag: dict[str, Any]) -> Problem:
    """One diagnostic as one envelope entry: the `flowlang check` line as detail, its parts in meta."""
    where = f"{diag['file']}:{diag['line']}:{diag['column']}"
    return Problem(422, f"{where}: {diag['severity']}[{diag['code']}]: {diag['message']}",
                   title="Check Error", pointer="/data/source", meta=dict(diag))


def publish(call: Call) -> Reply:
    """POST /v2/flows/{flowID}/publish: check the draft; 201 with the new version, or 422 per diagnostic.

    Publishing a draft identical to the latest version (source and shared files) answers 200 with it.
    """
    flow_id = call.path["flow_id"]
    with call.store.read() as conn:
        flow = find(call, flow_id, conn=conn)
        files = files_repo.all_files(conn, call.project.id)
    if flow.source is None or not flow.source.strip():
        raise ApiError.one(422, "the flow has no draft source to publish: PUT one in data.source first",
                           pointer="/data/source")
    checked = check_bundle(root_name(flow.slug), flow.source, files)
    extra = one_flow(checked, root_name(flow.slug))
    errors = checked.errors + ([extra] if extra else [])
    if errors:
        raise ApiError(422, [diagnostic_problem(d) for d in errors])
    warnings = [d for d in checked.diagnostics if d["severity"] != "error"]
    with call.store.write() as conn:
        current = find(call, flow_id, for_update=True, conn=conn)
        check_precondition(call, current)
        if current.revision != flow.revision:  # changed while we checked: check what is there now
            raise ApiError.one(409, "the flow changed while it was being checked: publish again",
                               title="Conflict")
        latest = repo.latest(conn, flow_id)
        if latest is not None and (latest.source, latest.files) == (flow.source, checked.used):
            return Reply(200, {"data": version_json(call, flow, latest, warnings)})
        version = repo.add_version(conn, flow_id, flow.source, checked.used, call.token_name)
    return Reply(201, {"data": version_json(call, flow, version, warnings)},
                 {"Location": call.url(f"/v2/flows/{flow_id}/versions/{version.number}")})


def number_of(call: Call) -> int:
    text = call.path["number"]
    if not text.isdigit() or len(text) > 9:
        raise not_found("version", text)
    return int(text)


def list_versions(call: Call) -> Reply:
    """GET /v2/flows/{flowID}/versions: the published versions, newest first."""
    page = page_of(call.query)
    with call.store.read() as conn:
        flow = find(call, call.path["flow_id"], conn=conn)
        found, total = repo.list_versions(conn, flow.id, page.limit, page.offset)
    data = [version_json(call, flow, v) for v in found]
    return Reply(200, paged(data, total, page, call.url(f"/v2/flows/{flow.id}/versions")))


def get_version(call: Call) -> Reply:
    """GET /v2/flows/{flowID}/versions/{n}."""
    number = number_of(call)
    with call.store.read() as conn:
        flow = find(call, call.path["flow_id"], conn=conn)
        version = repo.get_version(conn, flow.id, number)
    if version is None:
        raise not_found("version", str(number))
    return Reply(200, {"data": version_json(call, flow, version)})


def rollback(call: Call) -> Reply:
    """POST /v2/flows/{flowID}/versions/{n}/rollback: publish version n again, as the newest version.

    The draft is left as it is (so no unpublished work is lost); history only grows.
    """
    number = number_of(call)
    with call.store.write() as conn:
        flow = find(call, call.path["flow_id"], for_update=True, conn=conn)
        old = repo.get_version(conn, flow.id, number)
        if old is None:
            raise not_found("version", str(number))
        version = repo.add_version(conn, flow.id, old.source, old.files, call.token_name,
                                   note=f"rollback to version {number}")
    return Reply(201, {"data": version_json(call, flow, version)},
                 {"Location": call.url(f"/v2/flows/{flow.id}/versions/{version.number}")})


routes = [
    Route("/v2/flows/{flow_id}/publish", endpoint(publish), methods=["POST"]),
    Route("/v2/flows/{flow_id}/versions", endpoint(list_versions), methods=["GET"]),
    Route("/v2/flows/{flow_id}/versions/{number}", endpoint(get_version), methods=["GET"]),
    Route("/v2/flows/{flow_id}/versions/{number}/rollback", endpoint(rollback), methods=["POST"]),
]
