"""The pipes: their schedules with the next run in the pipe's own time zone, webhook URLs (the token shown
once, at creation and rotation), the enabled toggle, *Run now*, and a form for a new pipe."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.responses import Response

from flowlang.host.console.guard import Ctx, console_page
from flowlang.host.console.render import redirect, warnings_of
from flowlang.host.scheduler import MISSED_POLICIES as MISSED
from flowlang.host.scheduler import OVERLAP_POLICIES as OVERLAP

TRIGGERS = ("schedule", "webhook")


def next_in_zone(pipe: dict[str, Any]) -> str:
    """The pipe's next run as a time of its own zone (`2026-12-04 06:00 Europe/Berlin`), or ""."""
    moment = pipe.get("next_run_at")
    if not moment:
        return ""
    try:
        when = datetime.fromisoformat(str(moment).replace("Z", "+00:00"))
        zone = ZoneInfo(pipe.get("timezone") or "UTC")
    except (ValueError, ZoneInfoNotFoundError):
        return str(moment)
    return when.astimezone(zone).strftime("%Y-%m-%d %H:%M ") + str(zone)


async def _flows(ctx: Ctx) -> list[dict[str, Any]]:
    result = ctx.checked(await ctx.api.all_pages("/v2/flows"))
    return list(result.data) if result.ok else []


def _form_page(ctx: Ctx, flows: list[dict[str, Any]], values: dict[str, str], problems: list[str],
               status: int = 200) -> Response:
    return ctx.page("pipe_new.html", status, title="New pipe", section="pipes", flows=flows, values=values,
                    problems=problems, triggers=TRIGGERS, overlaps=OVERLAP, misseds=MISSED)


async def _list(ctx: Ctx) -> Response:
    """GET /pipes: every pipe of the project."""
    return await _pipes_page(ctx, [])


async def _pipes_page(ctx: Ctx, warnings: list[dict[str, Any]], status: int = 200) -> Response:
    """The pipes list, with the warnings of the pipe just saved (H201, H202: why it runs nothing yet)."""
    result = ctx.checked(await ctx.api.all_pages("/v2/pipes"))
    if not result.ok:
        return ctx.page("error.html", result.status, title="Pipes", message=result.message())
    names = {f["id"]: f for f in await _flows(ctx)}
    return ctx.page("pipes.html", status, title="Pipes", section="pipes", pipes=result.data, flows=names,
                    next_in_zone=next_in_zone, warnings=warnings)


async def _new_form(ctx: Ctx) -> Response:
    """GET /pipes/new[?flow=ID]"""
    values = {"flow_id": ctx.request.query_params.get("flow", ""), "trigger": "schedule", "timezone": "UTC",
              "overlap": "skip", "missed": "skip", "name": "", "schedules": ""}
    return _form_page(ctx, await _flows(ctx), values, [])


async def _create(ctx: Ctx) -> Response:
    """POST /pipes/new: POST /v2/pipes; a webhook pipe's token is shown on the page that answers (once)."""
    keys = ("flow_id", "trigger", "name", "schedules", "timezone", "overlap", "missed")
    values = {k: ctx.form.get(k, "").strip() for k in keys}
    data: dict[str, Any] = {"type": "pipe", "flow_id": values["flow_id"], "trigger": values["trigger"],
                            "enabled": ctx.form.get("enabled") == "true"}
    if values["name"]:
        data["name"] = values["name"]
    if values["trigger"] == "schedule":
        cron = [line.strip() for line in values["schedules"].splitlines() if line.strip()]
        if cron:
            data["schedules"] = cron
        data.update(timezone=values["timezone"] or "UTC", overlap=values["overlap"] or "skip",
                    missed=values["missed"] or "skip")
    result = ctx.checked(await ctx.api.call("POST", "/v2/pipes", doc={"data": data}))
    if not result.ok:
        problems = [str(e.get("detail", "")) for e in result.errors] or [result.message()]
        return _form_page(ctx, await _flows(ctx), values, problems, result.status)
    warnings = warnings_of(result.data)
    if result.data.get("token"):
        return ctx.page("pipe_token.html", 201, title="Webhook token", section="pipes", pipe=result.data,
                        warnings=warnings)
    return await _pipes_page(ctx, warnings, 201) if warnings else redirect("/pipes")


def _pipe_path(ctx: Ctx, tail: str = "") -> str:
    return f"/v2/pipes/{quote(ctx.request.path_params['pipe_id'])}{tail}"


async def _toggle(ctx: Ctx) -> Response:
    """POST /pipes/{pipe_id}/enabled: PUT the pipe's `enabled`."""
    wanted = ctx.form.get("enabled") == "true"
    result = await ctx.act("PUT", _pipe_path(ctx), "Enabled", {"data": {"type": "pipe", "enabled": wanted}})
    if isinstance(result, Response):
        return result
    warnings = warnings_of(result.data)
    return await _pipes_page(ctx, warnings) if warnings else redirect("/pipes")


async def _run(ctx: Ctx) -> Response:
    """POST /pipes/{pipe_id}/run: queue a run now; its page."""
    result = await ctx.act("POST", _pipe_path(ctx, "/run"), "Run now", {"data": {}})
    return result if isinstance(result, Response) else redirect(f"/runs/{quote(result.data['id'])}")


async def _rotate(ctx: Ctx) -> Response:
    """POST /pipes/{pipe_id}/token: a new webhook token, shown once; the old one stops working."""
    result = await ctx.act("POST", _pipe_path(ctx, "/token"), "New token")
    if isinstance(result, Response):
        return result
    return ctx.page("pipe_token.html", 201, title="Webhook token", section="pipes", pipe=result.data)


async def _delete(ctx: Ctx) -> Response:
    result = await ctx.act("DELETE", _pipe_path(ctx), "Delete pipe")
    return result if isinstance(result, Response) else redirect("/pipes")


list_pipes = console_page(_list)
new_form = console_page(_new_form)
create = console_page(_create)
toggle = console_page(_toggle)
run_now = console_page(_run)
rotate = console_page(_rotate)
delete = console_page(_delete)
