"""Save & Merge and the published versions: `POST /v2/flows/{id}/publish`, `GET …/versions[/{n}]`,
`POST …/versions/{n}/rollback`. The draft (the flow's `source`) is never one of the versions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection
from starlette.routing import Route

from flowlang.host.api.endpoint import Call, Reply, endpoint
from flowlang.host.api.flows import check_precondition, find
from flowlang.host.api.paging import page_of, paged
from flowlang.host.bundle import check_bundle, one_flow, root_name
from flowlang.host.errors import ApiError, Problem
from flowlang.host.publish_warnings import publish_warnings
from flowlang.host.store import credentials as credentials_repo
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
        credentials = credentials_repo.names(conn, call.project.id)
    if flow.source is None or not flow.source.strip():
        raise ApiError.one(422, "the flow has no draft source to publish: PUT one in data.source first",
                           pointer="/data/source")
    checked = check_bundle(root_name(flow.slug), flow.source, files)
    extra = one_flow(checked, root_name(flow.slug))
    errors = checked.errors + ([extra] if extra else [])
    if errors:
        raise ApiError(422, [diagnostic_problem(d) for d in errors])
    warnings = [d for d in checked.diagnostics if d["severity"] != "error"]
    warnings += publish_warnings(checked.facts, flow_id=flow.id, slug=flow.slug, enabled=flow.enabled,
                                 project=call.project.slug, credentials=credentials)
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


def no_such_version(conn: Connection, flow: Flow, text: str) -> ApiError:
    """The 404 of a version the flow does not have, naming the flow and the versions it has."""
    latest = repo.latest_numbers(conn, [flow.id]).get(flow.id)
    if latest is None:
        has = f"it has no published version yet (POST /v2/flows/{flow.id}/publish makes version 1)"
    else:
        has = "it has version 1" if latest == 1 else f"it has versions 1..{latest}"
    shown = text if text.isdigit() and len(text) <= 20 else repr(text[:40])
    return ApiError.one(404, f"flow {flow.slug!r} has no version {shown}; {has}",
                        meta={"flow_id": flow.id, "slug": flow.slug, "latest_version": latest})


def version_of(conn: Connection, flow: Flow, text: str) -> Version:
    """Version `text` (the path's {number}) of `flow`, or the 404 that names the flow."""
    version = repo.get_version(conn, flow.id, int(text)) if text.isdigit() and len(text) <= 9 else None
    if version is None:
        raise no_such_version(conn, flow, text)
    return version


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
    with call.store.read() as conn:
        flow = find(call, call.path["flow_id"], conn=conn)
        version = version_of(conn, flow, call.path["number"])
    return Reply(200, {"data": version_json(call, flow, version)})


def rollback(call: Call) -> Reply:
    """POST /v2/flows/{flowID}/versions/{n}/rollback: publish version n again, as the newest version.

    The draft is left as it is (so no unpublished work is lost); history only grows.
    """
    with call.store.write() as conn:
        flow = find(call, call.path["flow_id"], for_update=True, conn=conn)
        old = version_of(conn, flow, call.path["number"])
        version = repo.add_version(conn, flow.id, old.source, old.files, call.token_name,
                                   note=f"rollback to version {old.number}")
    return Reply(201, {"data": version_json(call, flow, version)},
                 {"Location": call.url(f"/v2/flows/{flow.id}/versions/{version.number}")})


routes = [
    Route("/v2/flows/{flow_id}/publish", endpoint(publish), methods=["POST"]),
    Route("/v2/flows/{flow_id}/versions", endpoint(list_versions), methods=["GET"]),
    Route("/v2/flows/{flow_id}/versions/{number}", endpoint(get_version), methods=["GET"]),
    Route("/v2/flows/{flow_id}/versions/{number}/rollback", endpoint(rollback), methods=["POST"]),
]
