"""One flow: its page (metadata, published source, flowchart, versions, draft diagnostics), the editor
(Save, Save & Merge), and Delete."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from starlette.responses import Response

from flowlang.host.console.guard import Ctx, console_page
from flowlang.host.console.render import redirect, secure, warnings_of
from flowlang.host.console.sources import Draft, read_draft

NOTICES = {
    "published": "Published version {version}.",
    "unchanged": "The draft is the same as version {version}: nothing new to publish.",
    "rolled-back": "Rolled back: version {version} is a copy of version {of} and now runs.",
}
STALE = ("Not saved: this flow was changed by someone else (or in another tab) after you opened it. "
         "Your text is still below: copy what you need, open the editor again to see the current draft, "
         "then re-apply your changes.")


@dataclass
class Loaded:
    """A flow as the API shows it, and its ETag."""

    flow: dict[str, Any]
    etag: str


async def fetch_flow(ctx: Ctx, flow_id: str | None = None) -> Loaded | Response:
    """The flow of the URL, or the page to answer instead (404 for another project's flow too)."""
    flow_id = flow_id or ctx.request.path_params["flow_id"]
    result = ctx.checked(await ctx.api.get(f"/v2/flows/{quote(flow_id)}"))
    if not result.ok:
        return ctx.not_found(result)
    return Loaded(result.data, result.headers.get("etag", ""))


async def versions_of(ctx: Ctx, flow_id: str) -> list[dict[str, Any]]:
    """The flow's published versions, newest first."""
    result = ctx.checked(await ctx.api.all_pages(f"/v2/flows/{quote(flow_id)}/versions"))
    return list(result.data) if result.ok and isinstance(result.data, list) else []


def notice(ctx: Ctx) -> str | None:
    query = ctx.request.query_params
    template = NOTICES.get(query.get("notice", ""))
    if template is None:
        return None
    return template.format(version=query.get("version", "?"), of=query.get("of", "?"))


async def _show(ctx: Ctx) -> Response:
    """GET /flows/{flow_id}: metadata, the published source and its flowchart, versions, diagnostics."""
    return await flow_page(ctx, notice(ctx), [])


async def flow_page(ctx: Ctx, flash: str | None, warnings: list[dict[str, Any]]) -> Response:
    """The flow's page with a notice and the warnings of what was just done."""
    from flowlang.host.console.runs import flow_runs, run_badges

    loaded = await fetch_flow(ctx)
    if not isinstance(loaded, Loaded):
        return loaded
    flow = loaded.flow
    versions = await versions_of(ctx, flow["id"])
    draft = read_draft(flow["slug"], flow.get("source"), await ctx.api.shared_files())
    published = versions[0] if versions else None
    shown: Draft = read_draft(flow["slug"], published["source"], published["files"]) if published else draft
    runs = await flow_runs(ctx, flow["id"], limit=5)
    last = runs[0] if runs else None
    counted = last is not None and published is not None and last.get("version") == published["number"]
    chart = shown.flowchart(await run_badges(ctx, last, shown) if counted and last else None)
    pipes = ctx.checked(await ctx.api.all_pages("/v2/pipes"))
    own_pipes = [p for p in (pipes.data if pipes.ok else []) if p.get("flow_id") == flow["id"]]
    changed = published is None or published["source"] != (flow.get("source") or "")
    return ctx.page("flow.html", title=flow["name"], section="flows", flow=flow, draft=draft, shown=shown,
                    published=published, lines=shown.lines(), chart=chart, counted_run=last if counted else None,
                    versions=versions, runs=runs, pipes=own_pipes, changed=changed, flash=flash,
                    warnings=warnings)


def editor_page(ctx: Ctx, flow: dict[str, Any], etag: str, values: dict[str, Any], problems: list[str],
            files: dict[str, str], status: int = 200, saved: bool = False) -> Response:
    draft = read_draft(flow["slug"], values["source"], files)
    return ctx.page("edit.html", status, title=f"Edit {flow['name']}", section="flows", flow=flow,
                    etag=etag, values=values, problems=problems, draft=draft, lines=draft.lines(),
                    saved=saved)


def flow_values(flow: dict[str, Any]) -> dict[str, Any]:
    sample = flow.get("sample")
    return {"name": flow["name"], "description": flow.get("description") or "", "enabled": flow["enabled"],
            "source": flow.get("source") or "",
            "sample": "" if sample is None else json.dumps(sample, indent=2, ensure_ascii=False)}


async def _edit(ctx: Ctx) -> Response:
    """GET /flows/{flow_id}/edit: the draft in the editor, with its diagnostics at their lines."""
    loaded = await fetch_flow(ctx)
    if not isinstance(loaded, Loaded):
        return loaded
    return editor_page(ctx, loaded.flow, loaded.etag, flow_values(loaded.flow), [], await ctx.api.shared_files(),
                   saved=ctx.request.query_params.get("saved") == "1")


async def publish_draft(ctx: Ctx, flow: dict[str, Any]) -> tuple[Response | None, list[str], int]:
    """POST the flow's publish: the redirect to its page, or the API's problems and status."""
    result = ctx.checked(await ctx.api.call("POST", f"/v2/flows/{quote(flow['id'])}/publish"))
    if not result.ok:
        return None, [str(e.get("detail", "")) for e in result.errors] or [result.message()], result.status
    kind = "published" if result.status == 201 else "unchanged"
    warnings = warnings_of(result.data)
    if warnings:  # shown once, on the page that answers (a redirect would lose them)
        flash = NOTICES[kind].format(version=result.data["number"], of="?")
        return await flow_page(ctx, flash, warnings), [], 200
    return redirect(f"/flows/{quote(flow['id'])}?notice={kind}&version={result.data['number']}"), [], 200


async def _save(ctx: Ctx) -> Response:
    """POST /flows/{flow_id}/edit: PUT the draft and metadata (If-Match: the revision the editor showed);
    with `action=publish` (Save & Merge) then publish it."""
    loaded = await fetch_flow(ctx)
    if not isinstance(loaded, Loaded):
        return loaded
    flow, form = loaded.flow, ctx.form
    files = await ctx.api.shared_files()
    sample_text = form.get("sample", "")
    values: dict[str, Any] = {"name": form.get("name", "").strip(), "description": form.get("description", ""),
              "enabled": form.get("enabled") == "true", "source": form.get("source", "").replace("\r\n", "\n"),
              "sample": sample_text}
    try:
        sample = json.loads(sample_text) if sample_text.strip() else None
    except ValueError as exc:
        return editor_page(ctx, flow, form.get("etag", ""), values, [f"sample: not valid JSON ({exc})"], files, 422)
    attributes = {k: values[k] for k in ("name", "description", "enabled", "source")}
    doc = {"data": {"type": "flow", **attributes, "sample": sample}}
    result = ctx.checked(await ctx.api.call("PUT", f"/v2/flows/{quote(flow['id'])}", doc=doc,
                                            headers={"If-Match": form.get("etag") or "*"}))
    if result.status == 412:  # the API's If-Match refusal, in the editor's words
        return editor_page(ctx, flow, form.get("etag", ""), values, [STALE], files, result.status)
    if not result.ok:
        problems = [str(e.get("detail", "")) for e in result.errors] or [result.message()]
        return editor_page(ctx, flow, form.get("etag", ""), values, problems, files, result.status)
    if form.get("action") == "publish":
        done, problems, status = await publish_draft(ctx, result.data)
        if done is not None:
            return done
        etag = result.headers.get("etag", "")
        return editor_page(ctx, result.data, etag, values, ["Not published: " + p for p in problems], files, status)
    return redirect(f"/flows/{quote(flow['id'])}/edit?saved=1")


async def _delete(ctx: Ctx) -> Response:
    """POST /flows/{flow_id}/delete: DELETE the flow, then the list."""
    flow_id = ctx.request.path_params["flow_id"]
    result = ctx.checked(await ctx.api.call("DELETE", f"/v2/flows/{quote(flow_id)}"))
    if not result.ok:
        return ctx.not_found(result)
    return redirect("/flows")


async def _export(ctx: Ctx) -> Response:
    """GET /flows/{flow_id}/export: the API's export document, as a file to download."""
    flow_id = ctx.request.path_params["flow_id"]
    result = ctx.checked(await ctx.api.get(f"/v2/flows/{quote(flow_id)}/export"))
    if not result.ok:
        return ctx.not_found(result)
    body = json.dumps(result.doc, indent=2, ensure_ascii=False) + "\n"
    disposition = result.headers.get("content-disposition", 'attachment; filename="flow.flow.json"')
    return secure(Response(body, media_type="application/json", headers={"Content-Disposition": disposition}))


show = console_page(_show)
edit = console_page(_edit)
save = console_page(_save)
delete = console_page(_delete)
export = console_page(_export)
