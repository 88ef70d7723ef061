"""Publishing and the versions of a flow: *Publish* (Save & Merge of the stored draft), *Roll back*, and
the side-by-side diff of any two versions (or a version and the draft), each side highlighted."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from markupsafe import Markup
from starlette.responses import Response

from flowlang.host.console.flow import (
    Loaded,
    editor_page,
    fetch_flow,
    flow_values,
    publish_draft,
    versions_of,
)
from flowlang.host.console.guard import Ctx, console_page
from flowlang.host.console.render import redirect
from flowlang.tools.highlight import highlight_lines

DRAFT = "draft"


@dataclass
class Cell:
    number: int | None
    html: Markup


@dataclass
class Row:
    """One row of the side-by-side diff: `kind` is equal, replace, delete (left only) or insert (right only)."""

    kind: str
    left: Cell
    right: Cell


def _lines(text: str) -> list[str]:
    """The lines of a text (a final newline ends the last line; it does not start another)."""
    return text.removesuffix("\n").split("\n") if text else []


def diff_rows(old: str, new: str) -> list[Row]:
    """The two texts side by side, line against line, each highlighted as flowlang."""
    a, b = _lines(old), _lines(new)
    ha, hb = highlight_lines(old)[: len(a)], highlight_lines(new)[: len(b)]
    empty = Cell(None, Markup(""))
    rows: list[Row] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        for k in range(max(i2 - i1, j2 - j1)):
            left = Cell(i1 + k + 1, Markup(ha[i1 + k])) if i1 + k < i2 else empty
            right = Cell(j1 + k + 1, Markup(hb[j1 + k])) if j1 + k < j2 else empty
            kind = tag if tag != "replace" else ("replace" if left.number and right.number else
                                                 "delete" if left.number else "insert")
            rows.append(Row(kind, left, right))
    return rows


def _side(name: str, flow: dict[str, Any], versions: dict[str, dict[str, Any]]) -> tuple[str, str] | None:
    """(label, source) of `draft` or a version number, None when there is no such version."""
    if name == DRAFT:
        return "the draft", flow.get("source") or ""
    found = versions.get(name)
    return (f"version {name}", found["source"]) if found else None


async def _diff(ctx: Ctx) -> Response:
    """GET /flows/{flow_id}/diff?a=N&b=M: version N against M (either may be `draft`)."""
    loaded = await fetch_flow(ctx)
    if not isinstance(loaded, Loaded):
        return loaded
    flow = loaded.flow
    versions = {str(v["number"]): v for v in await versions_of(ctx, flow["id"])}
    latest = max(versions, key=int) if versions else DRAFT
    query = ctx.request.query_params
    a_name = query.get("a") or (str(int(latest) - 1) if latest != DRAFT and int(latest) > 1 else latest)
    b_name = query.get("b") or (DRAFT if a_name == latest else latest)
    sides = [_side(a_name, flow, versions), _side(b_name, flow, versions)]
    missing = [n for n, s in zip((a_name, b_name), sides, strict=True) if s is None]
    if missing:
        return ctx.page("error.html", 404, title="No such version",
                        message=f"flow {flow['name']!r} has no version {missing[0]!r} "
                                f"(its versions: {', '.join(sorted(versions, key=int)) or 'none yet'}, and draft)")
    (a_label, a_text), (b_label, b_text) = sides  # type: ignore[misc]
    rows = diff_rows(a_text, b_text)
    return ctx.page("diff.html", title=f"{flow['name']}: {a_label} → {b_label}", section="flows", flow=flow,
                    a=a_name, b=b_name, a_label=a_label, b_label=b_label, rows=rows,
                    same=all(r.kind == "equal" for r in rows),
                    choices=[DRAFT, *sorted(versions, key=int, reverse=True)])


async def _publish(ctx: Ctx) -> Response:
    """POST /flows/{flow_id}/publish: Save & Merge of the stored draft; its diagnostics when refused."""


    loaded = await fetch_flow(ctx)
    if not isinstance(loaded, Loaded):
        return loaded
    done, problems, status = await publish_draft(ctx, loaded.flow)
    if done is not None:
        return done
    return editor_page(ctx, loaded.flow, loaded.etag, flow_values(loaded.flow), ["Not published: " + p for p in problems],
                   await ctx.api.shared_files(), status)


async def _rollback(ctx: Ctx) -> Response:
    """POST /flows/{flow_id}/versions/{number}/rollback: version N is published again as the newest."""
    flow_id = ctx.request.path_params["flow_id"]
    number = ctx.request.path_params["number"]
    result = await ctx.act("POST", f"/v2/flows/{quote(flow_id)}/versions/{quote(number)}/rollback", "Roll back")
    if isinstance(result, Response):
        return result
    return redirect(f"/flows/{quote(flow_id)}?notice=rolled-back&version={result.data['number']}&of={quote(number)}")


diff = console_page(_diff)
publish = console_page(_publish)
rollback = console_page(_rollback)
