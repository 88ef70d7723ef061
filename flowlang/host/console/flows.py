"""The flows list (with search and the enabled toggle) and the New flow page."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.responses import Response

from flowlang.host.console.guard import Ctx, console_page
from flowlang.host.console.render import redirect


def _matches(flow: dict[str, Any], query: str) -> bool:
    words = query.lower().split()
    text = " ".join(str(flow.get(k) or "") for k in ("name", "slug", "description")).lower()
    return all(w in text for w in words)


async def _list(ctx: Ctx) -> Response:
    """GET /flows[?q=words]: every flow of the project, those matching all the words of `q`."""
    result = ctx.checked(await ctx.api.all_pages("/v2/flows"))
    if not result.ok:
        return ctx.page("error.html", result.status, title="Flows", message=result.message())
    query = ctx.request.query_params.get("q", "").strip()
    flows = [f for f in result.data if _matches(f, query)] if query else list(result.data)
    return ctx.page("flows.html", title="Flows", section="flows", flows=flows, query=query,
                    total=len(result.data))


async def _toggle(ctx: Ctx) -> Response:
    """POST /flows/{flow_id}/enabled: PUT the flow's `enabled` through the API, then back to the list."""
    flow_id = ctx.request.path_params["flow_id"]
    wanted = ctx.form.get("enabled") == "true"
    result = ctx.checked(await ctx.api.call("PUT", f"/v2/flows/{quote(flow_id)}",
                                            doc={"data": {"type": "flow", "enabled": wanted}}))
    if not result.ok:
        return ctx.page("error.html", result.status, title="Enabled", message=result.message())
    back = ctx.form.get("back", "")
    return redirect(back if back.startswith("/flows") else "/flows")


async def _new_form(ctx: Ctx) -> Response:
    """GET /flows/new: a blank flow (name, slug, description)."""
    return ctx.page("new.html", title="New flow", section="flows", values={}, problems=[])


async def _create(ctx: Ctx) -> Response:
    """POST /flows/new: POST /v2/flows; its 422 problems are shown at their fields."""
    values = {k: ctx.form.get(k, "").strip() for k in ("name", "slug", "description")}
    doc = {"data": {"type": "flow", **values, "enabled": ctx.form.get("enabled") == "true"}}
    result = ctx.checked(await ctx.api.call("POST", "/v2/flows", doc=doc))
    if not result.ok:
        return ctx.page("new.html", result.status, title="New flow", section="flows", values=values,
                        problems=[e.get("detail", "") for e in result.errors] or [result.message()])
    return redirect(f"/flows/{quote(result.data['id'])}/edit")


list_flows = console_page(_list)
toggle = console_page(_toggle)
new_form = console_page(_new_form)
create = console_page(_create)
