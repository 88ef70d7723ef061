"""Export and import: `GET /v2/flows/{flowID}/export` gives one JSON document (metadata, draft source,
the shared files it uses, sample; never credentials) that `POST /v2/flows/import` takes back, in the
same project or another."""

from __future__ import annotations

import json
from typing import Any

from starlette.routing import Route

from flowlang.host.api.endpoint import Call, Reply, endpoint
from flowlang.host.api.flows import find, insert, stored
from flowlang.host.api.shared import policy_of
from flowlang.host.api.validate import FLOW_FIELDS, json_kind, resource
from flowlang.host.bundle import check_bundle, root_name
from flowlang.host.errors import invalid
from flowlang.host.store import files as files_repo
from flowlang.host.store import now_iso
from flowlang.host.store import versions as versions_repo

FORMAT = "flowlang-export/1"


def export_flow(call: Call) -> Reply:
    """GET /v2/flows/{flowID}/export: the draft (or, without one, the published source) and its files."""
    with call.store.read() as conn:
        flow = find(call, call.path["flow_id"], conn=conn)
        latest = versions_repo.latest(conn, flow.id)
        project_files = files_repo.all_files(conn, call.project.id)
    source, used = flow.source, {}
    if source is not None:
        used = check_bundle(root_name(flow.slug), source, project_files).used
    elif latest is not None:
        source, used = latest.source, latest.files
    doc = {
        "type": "flow-export",
        "format": FORMAT,
        "flow": {"name": flow.name, "slug": flow.slug, "description": flow.description,
                 "enabled": flow.enabled, "source": source,
                 "sample": json.loads(flow.sample) if flow.sample is not None else None},
        "files": used,
        "meta": {"exported_at": now_iso(), "published_version": latest.number if latest else None},
    }
    headers = {"Content-Disposition": f'attachment; filename="{flow.slug}.flow.json"'}
    return Reply(200, {"data": doc}, headers)


def import_flow(call: Call) -> Reply:
    """POST /v2/flows/import: create the exported flow (as a draft) and its shared files; 201.

    `?files=refuse|keep|overwrite` says what to do with a shared file the project has with other content.
    """
    body = call.json_body()
    found = body.get("data") if isinstance(body, dict) else None
    if not isinstance(found, dict):
        raise invalid('data: "data" is required' if found is None else f"data: must be an object, not "
                      f"{json_kind(found)}", pointer="/data")
    data = found
    if data.get("type") != "flow-export":
        raise invalid(f'data.type: must be "flow-export", not {json.dumps(data.get("type"))}',
                      pointer="/data/type")
    if data.get("format") != FORMAT:
        raise invalid(f'data.format: must be "{FORMAT}", not {json.dumps(data.get("format"))}',
                      pointer="/data/format")
    files = data.get("files", {})
    if not isinstance(files, dict):
        raise invalid(f"data.files: must be an object of path -> text, not {json_kind(files)}",
                      pointer="/data/files")
    for path, content in files.items():
        if not isinstance(content, str):
            raise invalid(f"data.files: the content of {path!r} must be text, not {json_kind(content)}",
                          pointer="/data/files/" + path.replace("~", "~0").replace("/", "~1"))
    values = resource({"data": {"type": "flow", **_object(data.get("flow"))}}, "flow", FLOW_FIELDS,
                      required=("name", "slug"))
    return insert(call, stored(values), files, policy_of(call.query))


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise invalid(f"data.flow: must be an object, not {json_kind(value)}", pointer="/data/flow")
    return value


routes = [
    Route("/v2/flows/import", endpoint(import_flow), methods=["POST"]),
    Route("/v2/flows/{flow_id}/export", endpoint(export_flow), methods=["GET"]),
]
