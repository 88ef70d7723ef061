"""`/v2/flows`: create, list, read, update (partial, with If-Match) and delete flows, per the contract."""

from __future__ import annotations

import json
from typing import Any

from starlette.routing import Route

from flowlang.host.api.endpoint import NO_BODY, Call, Reply, endpoint
from flowlang.host.api.paging import page_of, paged
from flowlang.host.api.shared import policy_of, write_shared
from flowlang.host.api.validate import FLOW_FIELDS, resource
from flowlang.host.errors import ApiError, invalid, not_found
from flowlang.host.store import flows as repo
from flowlang.host.store import versions as versions_repo
from flowlang.host.store.flows import DuplicateSlug, Flow
from flowlang.host.templates import templates


def etag(flow: Flow) -> str:
    return f'"{flow.revision}"'


def flow_json(call: Call, flow: Flow, published: int | None) -> dict[str, Any]:
    """A flow as the contract shows it, plus flowlang's `source` (the draft), `sample`,
    `meta.revision` (the ETag) and `meta.published_version` (the number of the version that runs)."""
    return {
        "id": flow.id,
        "type": "flow",
        "name": flow.name,
        "slug": flow.slug,
        "description": flow.description,
        "enabled": flow.enabled,
        "source": flow.source,
        "sample": json.loads(flow.sample) if flow.sample is not None else None,
        "links": {"self": call.url(f"/v2/flows/{flow.id}")},
        "relationships": {},
        "meta": {
            "owner": "store",
            "revision": flow.revision,
            "published_version": published,
            "timestamps": {"created_at": flow.created_at, "updated_at": flow.updated_at},
        },
    }


def stored(values: dict[str, Any]) -> dict[str, Any]:
    """Attribute values as the store keeps them (the sample as JSON text)."""
    if "sample" in values:
        values = {**values, "sample": None if values["sample"] is None else json.dumps(values["sample"])}
    return values


def duplicate(slug: str) -> ApiError:
    return invalid(f"data.slug: a flow with slug {slug!r} already exists in this project",
                   pointer="/data/slug")


def find(call: Call, flow_id: str, *, for_update: bool = False, conn: Any = None) -> Flow:
    """The flow `flow_id` of the caller's project, or 404 (also for another project's flow)."""
    if conn is None:
        with call.store.read() as conn:
            return find(call, flow_id, for_update=for_update, conn=conn)
    flow = repo.get_flow(conn, call.project.id, flow_id, for_update=for_update)
    if flow is None:
        raise not_found("flow", flow_id)
    return flow


def create_flow(call: Call) -> Reply:
    """POST /v2/flows: 201 with the new flow; `?template=SLUG` starts from a template (the body, optional
    then, overrides its name, slug, description, enabled, source or sample)."""
    slug = call.query.get("template")
    if slug is None:
        values = resource(call.json_body(), "flow", FLOW_FIELDS, required=("name", "slug"))
        return insert(call, stored(values), {})
    template = templates().get(slug)
    if template is None:
        raise ApiError.one(404, f"no template {slug!r} (GET /v2/templates lists them)", parameter="template")
    given = {} if call.body is NO_BODY else resource(call.body, "flow", FLOW_FIELDS)
    values = {"name": template.name, "slug": template.flow_slug, "description": template.description,
              "source": template.source, "sample": template.sample, "enabled": False, **given}
    return insert(call, stored(values), template.files, policy_of(call.query))


def insert(call: Call, values: dict[str, Any], files: dict[str, str], policy: str = "refuse") -> Reply:
    """Create a flow (and the shared files it needs) in one transaction; 201."""
    try:
        with call.store.write() as conn:
            flow = repo.create_flow(conn, call.project.id, values)
            write_shared(conn, call.project.id, files, policy)
    except DuplicateSlug as exc:
        raise duplicate(str(exc)) from None
    return Reply(201, {"data": flow_json(call, flow, None)},
                 {"Location": call.url(f"/v2/flows/{flow.id}"), "ETag": etag(flow)})


def list_flows(call: Call) -> Reply:
    """GET /v2/flows: one page of the project's flows, oldest first."""
    page = page_of(call.query)
    with call.store.read() as conn:
        found, total = repo.list_flows(conn, call.project.id, page.limit, page.offset)
        published = versions_repo.latest_numbers(conn, [f.id for f in found])
    data = [flow_json(call, f, published.get(f.id)) for f in found]
    return Reply(200, paged(data, total, page, call.url("/v2/flows")))


def published_of(call: Call, flow: Flow) -> int | None:
    with call.store.read() as conn:
        return versions_repo.latest_numbers(conn, [flow.id]).get(flow.id)


def get_flow(call: Call) -> Reply:
    """GET /v2/flows/{flowID}."""
    flow = find(call, call.path["flow_id"])
    return Reply(200, {"data": flow_json(call, flow, published_of(call, flow))}, {"ETag": etag(flow)})


def check_precondition(call: Call, flow: Flow) -> None:
    """If-Match: the client's ETag must be the flow's current one (412 otherwise)."""
    wanted = call.headers.get("if-match")
    if wanted is None or wanted.strip() == "*":
        return
    tags = [t.strip().removeprefix("W/") for t in wanted.split(",")]
    if etag(flow) not in tags:
        raise ApiError.one(412, f"the flow changed since you read it (it is at revision {flow.revision}, "
                                f"If-Match said {wanted}): read it again and re-apply your change",
                           meta={"revision": flow.revision}, headers={"ETag": etag(flow)})


def update_flow(call: Call) -> Reply:
    """PUT /v2/flows/{flowID}: change the given attributes only (the draft source among them)."""
    flow_id = call.path["flow_id"]
    values = resource(call.json_body(), "flow", FLOW_FIELDS, allowed_extra=("id",))
    given_id = call.body["data"].get("id")
    if given_id is not None and given_id != flow_id:
        raise invalid(f"data.id: {given_id!r} is not the id of the flow in the URL ({flow_id})",
                      pointer="/data/id")
    try:
        with call.store.write() as conn:
            flow = find(call, flow_id, for_update=True, conn=conn)
            check_precondition(call, flow)
            flow = repo.update_flow(conn, flow, stored(values))
    except DuplicateSlug as exc:
        raise duplicate(str(exc)) from None
    return Reply(200, {"data": flow_json(call, flow, published_of(call, flow))}, {"ETag": etag(flow)})


def delete_flow(call: Call) -> Reply:
    """DELETE /v2/flows/{flowID}: 204."""
    with call.store.write() as conn:
        flow = find(call, call.path["flow_id"], for_update=True, conn=conn)
        check_precondition(call, flow)
        repo.delete_flow(conn, call.project.id, flow.id)
    return Reply(204)


routes = [
    Route("/v2/flows", endpoint(create_flow), methods=["POST"]),
    Route("/v2/flows", endpoint(list_flows), methods=["GET"]),
    Route("/v2/flows/{flow_id}", endpoint(get_flow), methods=["GET"]),
    Route("/v2/flows/{flow_id}", endpoint(update_flow), methods=["PUT"]),
    Route("/v2/flows/{flow_id}", endpoint(delete_flow), methods=["DELETE"]),
]
