"""One flow: its page (metadata, numbered source, flowchart), the editor (Save), and Delete."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from starlette.responses import Response

from flowlang.host.console.guard import Ctx, console_page
from flowlang.host.console.render import redirect
from flowlang.host.console.sources import flowchart, read_draft


async def _fetch(ctx: Ctx) -> tuple[dict[str, Any] | None, str, Response | None]:
    """The flow of the URL and its ETag, or the page to answer instead (404 for another project's too)."""
    flow_id = ctx.request.path_params["flow_id"]
    result = ctx.checked(await ctx.api.get(f"/v2/flows/{quote(flow_id)}"))
    if not result.ok:
        return None, "", ctx.not_found(result)
    return result.data, result.headers.get("etag", ""), None


async def _show(ctx: Ctx) -> Response:
    """GET /flows/{flow_id}: metadata, the source with line numbers, the flowchart."""
    flow, _, refusal = await _fetch(ctx)
    if flow is None:
        return refusal  # type: ignore[return-value]
    draft = read_draft(flow["slug"], flow.get("source"))
    chart, why = flowchart(draft)
    return ctx.page("flow.html", title=flow["name"], section="flows", flow=flow, draft=draft,
                    lines=draft.lines(), chart=chart, chart_note=why)


def _editor(ctx: Ctx, flow: dict[str, Any], etag: str, values: dict[str, Any], problems: list[str],
            status: int = 200, saved: bool = False) -> Response:
    draft = read_draft(flow["slug"], values["source"])
    return ctx.page("edit.html", status, title=f"Edit {flow['name']}", section="flows", flow=flow,
                    etag=etag, values=values, problems=problems, draft=draft, lines=draft.lines(),
                    saved=saved)


def _values(flow: dict[str, Any]) -> dict[str, Any]:
    sample = flow.get("sample")
    return {"name": flow["name"], "description": flow.get("description") or "", "enabled": flow["enabled"],
            "source": flow.get("source") or "",
            "sample": "" if sample is None else json.dumps(sample, indent=2, ensure_ascii=False)}


async def _edit(ctx: Ctx) -> Response:
    """GET /flows/{flow_id}/edit: the draft in the editor, with its diagnostics at their lines."""
    flow, etag, refusal = await _fetch(ctx)
    if flow is None:
        return refusal  # type: ignore[return-value]
    return _editor(ctx, flow, etag, _values(flow), [], saved=ctx.request.query_params.get("saved") == "1")


async def _save(ctx: Ctx) -> Response:
    """POST /flows/{flow_id}/edit: PUT the draft and metadata (If-Match: the revision the editor showed)."""
    flow, _, refusal = await _fetch(ctx)
    if flow is None:
        return refusal  # type: ignore[return-value]
    form = ctx.form
    sample_text = form.get("sample", "")
    values: dict[str, Any] = {"name": form.get("name", "").strip(), "description": form.get("description", ""),
              "enabled": form.get("enabled") == "true", "source": form.get("source", "").replace("\r\n", "\n"),
              "sample": sample_text}
    try:
        sample = json.loads(sample_text) if sample_text.strip() else None
    except ValueError as exc:
        return _editor(ctx, flow, form.get("etag", ""), values, [f"sample: not valid JSON ({exc})"], 422)
    attributes = {k: values[k] for k in ("name", "description", "enabled", "source")}
    doc = {"data": {"type": "flow", **attributes, "sample": sample}}
    result = ctx.checked(await ctx.api.call("PUT", f"/v2/flows/{quote(flow['id'])}", doc=doc,
                                            headers={"If-Match": form.get("etag") or "*"}))
    if not result.ok:
        problems = [str(e.get("detail", "")) for e in result.errors] or [result.message()]
        return _editor(ctx, flow, form.get("etag", ""), values, problems, result.status)
    return redirect(f"/flows/{quote(flow['id'])}/edit?saved=1")


async def _delete(ctx: Ctx) -> Response:
    """POST /flows/{flow_id}/delete: DELETE the flow, then the list."""
    flow_id = ctx.request.path_params["flow_id"]
    result = ctx.checked(await ctx.api.call("DELETE", f"/v2/flows/{quote(flow_id)}"))
    if not result.ok:
        return ctx.not_found(result)
    return redirect("/flows")


show = console_page(_show)
edit = console_page(_edit)
save = console_page(_save)
delete = console_page(_delete)
