"""The runs: a filterable list, one run's page (status, counts, input, result, error linked to its line,
the log with paging, the flowchart with this run's counts) and *Reprocess*.

Run counts on a flowchart come from the run's per-location counts (console/counts.py); for a run
recorded without them, from its own log: every `log` line names its `file:line`, so a node gets the
number of lines logged at its line (red when one was a failure), and the node at the error's
`file:line` is marked failed.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from starlette.responses import Response

from flowlang.host.console.client import PAGE
from flowlang.host.console.guard import Ctx, console_page
from flowlang.host.console.render import redirect
from flowlang.host.console.sources import Draft, read_draft
from flowlang.tools.graph import Badge

STATUSES = ("queued", "running", "ok", "failed", "interrupted")
ACTIVE = ("queued", "running")
LOG_PAGE = 100
COUNT_LINES = 5000  # log lines read to count a chart's nodes


def api_filter(**values: str) -> str:
    return ":".join(f"eq({k},{v})" for k, v in values.items() if v)


async def flow_runs(ctx: Ctx, flow_id: str, limit: int = 5) -> list[dict[str, Any]]:
    """The newest runs of a flow."""
    result = ctx.checked(await ctx.api.get("/v2/runs", {"filter": api_filter(flow_id=flow_id),
                                                        "page[limit]": str(limit)}))
    return list(result.data) if result.ok and isinstance(result.data, list) else []


async def run_badges(ctx: Ctx, run: dict[str, Any], draft: Draft) -> dict[str, Badge]:
    """Each node's count in this run, failed where it failed: from the run's per-location counts, or
    (a run recorded before there were any) from the lines its log wrote at each node's line."""
    if "counts" not in run:  # a run of the list: its counts come with the run alone
        one = ctx.checked(await ctx.api.get(f"/v2/runs/{quote(run['id'])}"))
        run = one.data if one.ok and isinstance(one.data, dict) else run
    if isinstance(run.get("counts"), list):
        return draft.run_badges(run["counts"])
    counts: dict[tuple[str, int], list[int]] = {}  # (file, line) -> [lines, failures]
    offset = 0
    while offset < COUNT_LINES:
        page = ctx.checked(await ctx.api.get(f"/v2/runs/{quote(run['id'])}/logs",
                                             {"page[limit]": str(PAGE), "page[offset]": str(offset)}))
        if not page.ok or not page.data:
            break
        for line in page.data:
            if isinstance(line.get("file"), str) and isinstance(line.get("line"), int):
                seen = counts.setdefault((line["file"], line["line"]), [0, 0])
                seen[0] += 1
                seen[1] += line.get("level") in ("failure", "error")
        offset += PAGE
    error = run.get("error") or {}
    failed_at = (error.get("file"), error.get("line")) if isinstance(error, dict) else None
    badges: dict[str, Badge] = {}
    for node, (file, line, kind) in draft.node_lines().items():
        count = counts.get((file, line))
        if count is not None and kind == "log":
            badges[node] = Badge(str(count[0]), "failed" if count[1] else "ok")
        elif (file, line) == failed_at and kind not in ("start", "end"):
            badges[node] = Badge("failed", "failed")
    return badges


def duration(run: dict[str, Any]) -> str:
    stamps = run.get("meta", {}).get("timestamps", {})
    start, end = stamps.get("started_at"), stamps.get("ended_at")
    if not start:
        return "—"
    try:
        began = datetime.fromisoformat(start.replace("Z", "+00:00"))
        ended = datetime.fromisoformat(end.replace("Z", "+00:00")) if end else None
    except ValueError:
        return "—"
    if ended is None:
        return "running"
    seconds = (ended - began).total_seconds()
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"


def pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False)


async def _names(ctx: Ctx) -> tuple[dict[str, str], dict[str, str]]:
    """Flow names and pipe names by id (for the lists and filters)."""
    flows = ctx.checked(await ctx.api.all_pages("/v2/flows"))
    pipes = ctx.checked(await ctx.api.all_pages("/v2/pipes"))
    return ({f["id"]: f["name"] for f in flows.data} if flows.ok else {},
            {p["id"]: p["name"] for p in pipes.data} if pipes.ok else {})


def _positive(text: str | None) -> int:
    return int(text) if text and text.isdigit() and 0 < int(text) < 10**6 else 1


async def _list(ctx: Ctx) -> Response:
    """GET /runs?flow=&pipe=&status=&date=YYYY-MM-DD&page=N: the runs, newest first."""
    query = ctx.request.query_params
    chosen = {k: query.get(k, "").strip() for k in ("flow", "pipe", "status", "date")}
    problems = []
    if chosen["status"] and chosen["status"] not in STATUSES:
        problems.append(f"status must be one of {', '.join(STATUSES)}, not {chosen['status']!r}")
        chosen["status"] = ""
    if chosen["date"]:
        try:
            datetime.strptime(chosen["date"], "%Y-%m-%d")
        except ValueError:
            problems.append(f"date must be a day as YYYY-MM-DD, not {chosen['date']!r}")
            chosen["date"] = ""
    for key in ("flow", "pipe"):
        if any(c in chosen[key] for c in "():,\""):
            problems.append(f"{key} must be an id from the list")
            chosen[key] = ""
    spec = api_filter(flow_id=chosen["flow"], pipe_id=chosen["pipe"], status=chosen["status"])
    number = _positive(query.get("page"))
    params = {"filter": spec} if spec else {}
    if chosen["date"]:
        every = ctx.checked(await ctx.api.all_pages("/v2/runs", params))
        result_ok, status, message = every.ok, every.status, every.message()
        matching = [r for r in (every.data if every.ok else [])
                    if str(r["meta"]["timestamps"]["created_at"]).startswith(chosen["date"])]
        total = len(matching)
        runs = matching[(number - 1) * PAGE: number * PAGE]
    else:
        one = ctx.checked(await ctx.api.get("/v2/runs", {**params, "page[limit]": str(PAGE),
                                                         "page[offset]": str((number - 1) * PAGE)}))
        result_ok, status, message = one.ok, one.status, one.message()
        runs = list(one.data) if one.ok else []
        total = one.doc.get("meta", {}).get("results", {}).get("total", len(runs)) if one.ok else 0
    if not result_ok:
        return ctx.page("error.html", status, title="Runs", message=message)
    flows, pipes = await _names(ctx)
    kept = {k: v for k, v in chosen.items() if v}
    pages = max(1, -(-total // PAGE))
    return ctx.page("runs.html", title="Runs", section="runs", runs=runs, flows=flows, pipes=pipes,
                    chosen=chosen, statuses=STATUSES, problems=problems, total=total, number=number,
                    pages=pages, link=lambda n: "/runs?" + urlencode({**kept, "page": n}), duration=duration,
                    refresh=any(r["status"] in ACTIVE for r in runs))


async def _show(ctx: Ctx) -> Response:
    """GET /runs/{run_id}[?page=N]: one run, a page of its log, and its flowchart with counts."""
    run_id = ctx.request.path_params["run_id"]
    found = ctx.checked(await ctx.api.get(f"/v2/runs/{quote(run_id)}"))
    if not found.ok:
        return ctx.not_found(found)
    run = found.data
    number = _positive(ctx.request.query_params.get("page"))
    logs = ctx.checked(await ctx.api.get(f"/v2/runs/{quote(run_id)}/logs",
                                         {"page[limit]": str(LOG_PAGE), "page[offset]": str((number - 1) * LOG_PAGE)}))
    lines = list(logs.data) if logs.ok else []
    total = logs.doc.get("meta", {}).get("results", {}).get("total", len(lines)) if logs.ok else 0
    flow = ctx.checked(await ctx.api.get(f"/v2/flows/{quote(run['flow_id'])}"))
    flow_data = flow.data if flow.ok else None
    draft = chart = None
    if flow_data is not None and run.get("version"):
        version = ctx.checked(await ctx.api.get(f"/v2/flows/{quote(run['flow_id'])}/versions/{run['version']}"))
        if version.ok:
            draft = read_draft(flow_data["slug"], version.data["source"], version.data["files"])
            chart = draft.flowchart(await run_badges(ctx, run, draft))
    pipe_name = ""
    if run.get("pipe_id"):
        pipe = ctx.checked(await ctx.api.get(f"/v2/pipes/{quote(run['pipe_id'])}"))
        pipe_name = pipe.data["name"] if pipe.ok else ""
    return ctx.page("run.html", title=f"Run {run_id[:8]}", section="runs", run=run, flow=flow_data,
                    pipe_name=pipe_name, lines=lines, total=total, number=number,
                    pages=max(1, -(-total // LOG_PAGE)), first=(number - 1) * LOG_PAGE, draft=draft,
                    source=draft.lines() if draft else [], chart=chart, duration=duration(run), pretty=pretty,
                    active=run["status"] in ACTIVE, refresh=run["status"] in ACTIVE)


async def _reprocess(ctx: Ctx) -> Response:
    """POST /runs/{run_id}/reprocess: the same input again on the current published version; its page."""
    run_id = ctx.request.path_params["run_id"]
    result = await ctx.act("POST", f"/v2/runs/{quote(run_id)}/reprocess", "Reprocess")
    if isinstance(result, Response):
        return result
    return redirect(f"/runs/{quote(result.data['id'])}")


list_runs = console_page(_list)
show = console_page(_show)
reprocess = console_page(_reprocess)
