"""`flowlang runs --host URL`: the run history of a host (its /v2/runs API), as tables or JSON.

The commands themselves are in history.py, beside the local ones; this module asks the host and formats
what it answered: runs filtered by pipe, flow (its id, slug or name) and status, one run with all its
log lines, and a reprocess.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import quote

from flowlang.host.remote import HostClient, HostError

RUN_STATUSES = ("queued", "running", "ok", "failed", "interrupted")
SCAN = 500  # latest runs searched for a run given by the start of its id
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


def resolve_flow(client: HostClient, flow: str) -> str:
    """The id of the flow named by its id, slug or name."""
    if _UUID.fullmatch(flow.strip()):
        return flow.strip()
    wanted = flow.strip().lower()
    for item in client.items("/v2/flows"):
        if wanted in (str(item.get("slug", "")).lower(), str(item.get("name", "")).lower()):
            return str(item["id"])
    raise HostError(f"no flow {flow!r} on the host at {client.url} (give its id, slug or name)")


def resolve_pipe(client: HostClient, pipe: str) -> str:
    """The id of the pipe, checked on the host (an unknown pipe is an error, as an unknown --flow is)."""
    try:
        client.get(f"/v2/pipes/{quote(pipe.strip(), safe='')}")
    except HostError as err:
        if err.status in (400, 404):
            raise HostError(f"no pipe {pipe!r} on the host at {client.url} (give its id: `GET /v2/pipes`)",
                            err.status) from None
        raise
    return pipe.strip()


def list_runs(client: HostClient, *, pipe: str | None, flow: str | None, status: str | None,
              limit: int) -> list[dict[str, Any]]:
    """The latest runs, newest first, that match every filter given."""
    filters = []
    if pipe:
        filters.append(f"eq(pipe_id,{resolve_pipe(client, pipe)})")
    if flow:
        filters.append(f"eq(flow_id,{resolve_flow(client, flow)})")
    if status:
        filters.append(f"eq(status,{status})")
    params = {"filter": ":".join(filters)} if filters else {}
    return list(client.items("/v2/runs", params, limit))


def find_run(client: HostClient, ident: str) -> dict[str, Any]:
    """The run whose id is `ident`, or the one run of the latest SCAN whose id starts with it."""
    ident = ident.strip()
    if _UUID.fullmatch(ident):
        try:
            return dict(client.get(f"/v2/runs/{ident}")["data"])
        except HostError as exc:
            if exc.status != 404:
                raise
            raise HostError(f"no run {ident} on the host at {client.url} (in this token's project)") from None
    found = [run for run in client.items("/v2/runs", limit=SCAN) if str(run["id"]).startswith(ident)]
    if len(found) != 1:
        what = "no run" if not found else "more than one run"
        raise HostError(f"{what} with an id starting {ident!r} among the latest {SCAN} runs of the host "
                        "(`flowlang runs --host URL` lists them)")
    return found[0]


def run_logs(client: HostClient, run_id: str) -> list[dict[str, Any]]:
    """Every log line of the run, in order."""
    return list(client.items(f"/v2/runs/{run_id}/logs"))


def reprocess(client: HostClient, run_id: str) -> dict[str, Any]:
    """Queue the run's input again on the flow's current published version; the new run."""
    return dict(client.post(f"/v2/runs/{run_id}/reprocess")["data"])


def flow_names(client: HostClient, runs: list[dict[str, Any]]) -> dict[str, str]:
    """flow id -> slug, for the flows of `runs` (a flow deleted since keeps its id)."""
    names: dict[str, str] = {}
    for flow_id in {str(r["flow_id"]) for r in runs}:
        try:
            names[flow_id] = str(client.get(f"/v2/flows/{flow_id}")["data"].get("slug") or flow_id)
        except HostError as exc:
            if exc.status != 404:
                raise
            names[flow_id] = flow_id
    return names


def _times(run: dict[str, Any]) -> dict[str, Any]:
    return dict(run.get("meta", {}).get("timestamps", {}))


def seconds_of(run: dict[str, Any]) -> float | None:
    """How long the run took; None while it has not ended (or never started)."""
    times = _times(run)
    if not times.get("started_at") or not times.get("ended_at"):
        return None
    start = datetime.fromisoformat(str(times["started_at"]).replace("Z", "+00:00"))
    end = datetime.fromisoformat(str(times["ended_at"]).replace("Z", "+00:00"))
    return (end - start).total_seconds()


def _duration(run: dict[str, Any]) -> str:
    from flowlang.runtime.state import duration_text

    return duration_text(seconds_of(run))


def _error_text(run: dict[str, Any]) -> str:
    error = run.get("error") or {}
    return str(error.get("text") or error.get("message") or "")


def format_runs(runs: list[dict[str, Any]], names: dict[str, str]) -> str:
    """The host's runs as a plain text table."""
    from flowlang.runtime.state import first_line, text_table

    if not runs:
        return "no runs"
    header = ("RUN", "FLOW", "TRIGGER", "CREATED (UTC)", "DURATION", "STATUS", "OK", "FAILED", "REQUESTS",
              "ERROR")
    rows = [(str(run["id"]), names.get(str(run["flow_id"]), str(run["flow_id"])), str(run["trigger"]),
             str(_times(run).get("created_at") or "").replace("T", " ")[:19], _duration(run), str(run["status"]),
             str(run["succeeded"]), str(run["failed"]), str(run["requests"]), first_line(_error_text(run)))
            for run in runs]
    return text_table(header, rows, numeric={6, 7, 8})


def format_run(run: dict[str, Any], logs: list[dict[str, Any]], flow: str) -> str:
    """One host run in full, with its log lines."""
    from flowlang.runtime.state import detail_text

    times = _times(run)
    seconds = seconds_of(run)
    rows = [
        ("run", str(run["id"])), ("flow", flow), ("pipe", str(run.get("pipe_id") or "-")),
        ("trigger", str(run["trigger"])), ("status", str(run["status"])),
        ("version", "-" if run.get("version") is None else str(run["version"])),
        ("created", str(times.get("created_at") or "-")), ("started", str(times.get("started_at") or "-")),
        ("ended", str(times.get("ended_at") or "-")),
        ("duration", "-" if seconds is None else f"{seconds:.2f}s"),
        ("succeeded", str(run["succeeded"])), ("failed", str(run["failed"])), ("requests", str(run["requests"])),
    ]
    if run.get("scheduled_for"):
        rows.append(("scheduled", str(run["scheduled_for"])))
    if run.get("reprocess_of"):
        rows.append(("reprocess of", str(run["reprocess_of"])))
    title = f"log ({len(logs)} line{'' if len(logs) == 1 else 's'})" if logs else "log: no lines"
    lines = []
    for line in logs:
        place = f" {line['file']}:{line['line']}" if line.get("file") and line.get("line") else ""
        lines.append(f"{str(line.get('time', ''))[11:23]} {str(line.get('level', '')).upper()}{place} "
                     f"{line.get('message', '')}")
    return detail_text(rows, _error_text(run), title, lines)
