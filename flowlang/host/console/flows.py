"""The flows list (with search and the enabled toggle) and the New flow page."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from starlette.responses import Response

from flowlang.host.console.client import PAGE
from flowlang.host.console.guard import Ctx, console_page
from flowlang.host.console.render import redirect

FILE_POLICIES = ("refuse", "keep", "overwrite")


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
                    total=len(result.data), last_runs=await _last_runs(ctx, flows))


async def _last_runs(ctx: Ctx, flows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The newest run of each flow: from the newest page of runs, then one question per flow not in it."""
    newest = ctx.checked(await ctx.api.get("/v2/runs", {"page[limit]": str(PAGE)}))
    found: dict[str, dict[str, Any]] = {}
    for run in newest.data if newest.ok and isinstance(newest.data, list) else []:
        found.setdefault(run["flow_id"], run)
    if newest.ok and len(newest.data) == PAGE:
        for flow in flows:
            if flow["id"] not in found:
                one = ctx.checked(await ctx.api.get("/v2/runs", {"filter": f"eq(flow_id,{flow['id']})",
                                                                 "page[limit]": "1"}))
                if one.ok and one.data:
                    found[flow["id"]] = one.data[0]
    return found


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


async def _templates(ctx: Ctx) -> list[dict[str, Any]]:
    result = ctx.checked(await ctx.api.get("/v2/templates"))
    return list(result.data) if result.ok and isinstance(result.data, list) else []


async def _new_page(ctx: Ctx, values: dict[str, str], problems: list[str], status: int = 200) -> Response:
    return ctx.page("new.html", status, title="New flow", section="flows", values=values, problems=problems,
                    templates=await _templates(ctx), policies=FILE_POLICIES)


async def _new_form(ctx: Ctx) -> Response:
    """GET /flows/new: blank, from a core-flow template, or from an export file."""
    return await _new_page(ctx, {"mode": ctx.request.query_params.get("mode", "blank")}, [])


def _import_doc(text: str) -> tuple[Any, str]:
    """The export document pasted or read from a file, or the reason it is unusable."""
    if not text.strip():
        return None, "choose an export file (flowlang export, or Export on a flow's page) or paste its JSON"
    try:
        doc = json.loads(text)
    except ValueError as exc:
        return None, f"the export is not valid JSON ({exc})"
    if isinstance(doc, dict) and isinstance(doc.get("data"), dict):
        return doc, ""
    return {"data": doc}, ""


async def _create(ctx: Ctx) -> Response:
    """POST /flows/new: POST /v2/flows (blank), `?template=SLUG`, or /v2/flows/import; problems shown."""
    form = ctx.form
    mode = form.get("mode", "blank")
    values = {k: form.get(k, "").strip() for k in ("name", "slug", "description", "template", "files")}
    values.update(mode=mode, export=form.get("export", ""))
    policy = values["files"] if values["files"] in FILE_POLICIES else "refuse"
    if mode == "template":
        given = {k: values[k] for k in ("name", "slug") if values[k]}
        body = {"data": {"type": "flow", **given}} if given else None
        result = ctx.checked(await ctx.api.call("POST", "/v2/flows", params={"template": values["template"],
                                                                             "files": policy}, doc=body))
    elif mode == "import":
        doc, problem = _import_doc(values["export"])
        if doc is None:
            return await _new_page(ctx, values, [problem], 422)
        result = ctx.checked(await ctx.api.call("POST", "/v2/flows/import", params={"files": policy}, doc=doc))
    else:
        attributes = {k: values[k] for k in ("name", "slug", "description")}
        doc = {"data": {"type": "flow", **attributes, "enabled": form.get("enabled") == "true"}}
        result = ctx.checked(await ctx.api.call("POST", "/v2/flows", doc=doc))
    if not result.ok:
        return await _new_page(ctx, values, [str(e.get("detail", "")) for e in result.errors] or [result.message()],
                               result.status)
    target = f"/flows/{quote(result.data['id'])}"
    return redirect(target + ("/edit" if mode == "blank" else ""))


list_flows = console_page(_list)
toggle = console_page(_toggle)
new_form = console_page(_new_form)
create = console_page(_create)
