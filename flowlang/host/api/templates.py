"""`/v2/templates`: the core flows `flowlang serve` ships (its examples), read-only."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from flowlang.host.api.endpoint import Call, Reply, endpoint
from flowlang.host.errors import not_found
from flowlang.host.templates import Template, templates


def template_json(call: Call, template: Template) -> dict[str, Any]:
    return {
        "id": template.slug,
        "type": "template",
        "name": template.name,
        "slug": template.flow_slug,
        "description": template.description,
        "source": template.source,
        "sample": template.sample,
        "files": sorted(template.files),
        "links": {"self": call.url(f"/v2/templates/{template.slug}"),
                  "create": call.url(f"/v2/flows?template={template.slug}")},
    }


def list_templates(call: Call) -> Reply:
    """GET /v2/templates: every template, by slug."""
    data = [template_json(call, t) for t in templates().values()]
    return Reply(200, {"data": data, "meta": {"results": {"total": len(data)}}})


def get_template(call: Call) -> Reply:
    found = templates().get(call.path["slug"])
    if found is None:
        raise not_found("template", call.path["slug"])
    return Reply(200, {"data": template_json(call, found)})


routes = [
    Route("/v2/templates", endpoint(list_templates), methods=["GET"]),
    Route("/v2/templates/{slug}", endpoint(get_template), methods=["GET"]),
]
