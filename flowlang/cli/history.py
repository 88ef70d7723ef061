"""`flowlang runs [show|reprocess RUN]` (the state db or a host) and `flowlang state show|set|reset`."""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn

import click

from flowlang.cli.core import EXIT_USAGE, guarded, main
from flowlang.cli.remote import token_options

if TYPE_CHECKING:
    from flowlang.host.remote import HostClient
    from flowlang.runtime.state import RunRecord, StateStore

_STATE_HELP = "SQLite state database [.flowlang/state.db]."


def _open_store(state_path: str | None) -> StateStore:
    """The state database; a missing or unusable one exits 2 with a message."""
    from flowlang.runtime.errors import FlowError
    from flowlang.runtime.state import DEFAULT_STATE_PATH, StateStore

    path = state_path or DEFAULT_STATE_PATH
    if not os.path.exists(path):
        click.echo(f"error: no state database at {path} (run a flow first, or pass --state)", err=True)
        sys.exit(EXIT_USAGE)
    try:
        return StateStore(path)
    except FlowError as exc:
        click.echo(exc.render(), err=True)
        sys.exit(EXIT_USAGE)


def _fail(exc: Exception) -> NoReturn:
    click.echo(exc.render() if hasattr(exc, "render") else f"error: {exc}", err=True)
    sys.exit(EXIT_USAGE)


# ------------------------------------------------------------------ runs

_HOST = click.option("--host", "host_url", metavar="URL", envvar="FLOWLANG_HOST",
                     help="A `flowlang serve` host to ask instead of the state database [$FLOWLANG_HOST].")
_FORMAT = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)


def _client(host_url: str, token_file: str | None) -> HostClient:
    from flowlang.cli.remote import read_token
    from flowlang.host.remote import TOKEN_ENV, HostClient, HostError

    try:
        return HostClient(host_url, read_token(token_file, os.environ.get(TOKEN_ENV)))
    except HostError as exc:
        _fail(exc)


@main.group(invoke_without_command=True)
@click.option("--flow", "flow_name", help="Only the runs of this flow (with --host: its id, slug or name).")
@click.option("--pipe", "pipe_id", metavar="ID", help="Only the runs of this pipe (with --host).")
@click.option("--status", type=click.Choice(["queued", "running", "ok", "failed", "interrupted"]),
              help="Only the runs in this status.")
@click.option("--state", "state_path", metavar="PATH", help=_STATE_HELP)
@_HOST
@token_options
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1), help="How many runs to show.")
@_FORMAT
@click.pass_context
@guarded
def runs(ctx: click.Context, flow_name: str | None, pipe_id: str | None, status: str | None,
         state_path: str | None, host_url: str | None, token_file: str | None, limit: int, fmt: str) -> None:
    """Show the latest runs, newest first: of the state database, or of a host with --host URL
    (`runs show RUN`: one run in full; `runs reprocess RUN`: run its input again on a host)."""
    if ctx.invoked_subcommand is not None:
        ctx.obj = {"state": state_path, "host": host_url, "token_file": token_file}
        return
    if host_url:
        _host_runs(host_url, token_file, flow_name, pipe_id, status, limit, fmt)
        return
    if pipe_id:
        _fail(ValueError("--pipe needs --host URL: pipes run on a host"))
    from flowlang.runtime.errors import FlowError
    from flowlang.runtime.state import format_runs

    try:
        with _open_store(state_path) as store:
            records = store.list_runs(flow_name, limit, status=status)
    except FlowError as exc:
        _fail(exc)
    if fmt == "json":
        click.echo(json.dumps([{**r.as_dict(), "seconds": r.seconds} for r in records], indent=2,
                              ensure_ascii=False))
    else:
        click.echo(format_runs(records))


def _host_runs(host_url: str, token_file: str | None, flow: str | None, pipe: str | None, status: str | None,
               limit: int, fmt: str) -> None:
    from flowlang.cli import hostruns
    from flowlang.host.remote import HostError

    try:
        with _client(host_url, token_file) as client:
            found = hostruns.list_runs(client, pipe=pipe, flow=flow, status=status, limit=limit)
            names = {} if fmt == "json" else hostruns.flow_names(client, found)
    except HostError as exc:
        _fail(exc)
    if fmt == "json":
        click.echo(json.dumps(found, indent=2, ensure_ascii=False))
    else:
        click.echo(hostruns.format_runs(found, names))


@runs.command(name="show")
@click.argument("run_id", metavar="RUN")
@click.option("--state", "state_path", metavar="PATH", help=_STATE_HELP)
@_HOST
@token_options
@_FORMAT
@click.pass_context
@guarded
def runs_show(ctx: click.Context, run_id: str, state_path: str | None, host_url: str | None,
              token_file: str | None, fmt: str) -> None:
    """One run: its record, counts and log lines. RUN is its id or a unique start of it."""
    given = ctx.obj or {}
    host_url, token_file = host_url or given.get("host"), token_file or given.get("token_file")
    if host_url:
        _host_run(host_url, token_file, run_id, fmt)
        return
    from flowlang.runtime.errors import FlowError

    try:
        with _open_store(state_path or given.get("state")) as store:
            found = store.find_runs(run_id)
            if len(found) != 1:
                what = "no run" if not found else "more than one run"
                click.echo(f"error: {what} with an id starting '{run_id}' (`flowlang runs` lists them)", err=True)
                sys.exit(EXIT_USAGE)
            record = found[0]
            logs = store.run_logs(record.id)
    except FlowError as exc:
        _fail(exc)
    if fmt == "json":
        click.echo(json.dumps({"run": {**record.as_dict(), "seconds": record.seconds}, "logs": logs},
                              indent=2, ensure_ascii=False))
    else:
        click.echo(format_run(record, logs))


def _host_run(host_url: str, token_file: str | None, run_id: str, fmt: str) -> None:
    from flowlang.cli import hostruns
    from flowlang.host.remote import HostError

    try:
        with _client(host_url, token_file) as client:
            run = hostruns.find_run(client, run_id)
            logs = hostruns.run_logs(client, str(run["id"]))
            flow = hostruns.flow_names(client, [run])[str(run["flow_id"])] if fmt == "text" else ""
    except HostError as exc:
        _fail(exc)
    if fmt == "json":
        click.echo(json.dumps({"run": {**run, "seconds": hostruns.seconds_of(run)}, "logs": logs}, indent=2,
                              ensure_ascii=False))
    else:
        click.echo(hostruns.format_run(run, logs, flow))


@runs.command(name="reprocess")
@click.argument("run_id", metavar="RUN")
@_HOST
@token_options
@_FORMAT
@click.pass_context
@guarded
def runs_reprocess(ctx: click.Context, run_id: str, host_url: str | None, token_file: str | None, fmt: str) -> None:
    """Run a host run's input again on its flow's current published version (prints the new run's id)."""
    from flowlang.cli import hostruns
    from flowlang.host.remote import HostError

    given = ctx.obj or {}
    host_url, token_file = host_url or given.get("host"), token_file or given.get("token_file")
    if not host_url:
        _fail(ValueError("reprocess needs --host URL: runs are reprocessed on the host that ran them"))
    try:
        with _client(host_url, token_file) as client:
            new = hostruns.reprocess(client, str(hostruns.find_run(client, run_id)["id"]))
    except HostError as exc:
        _fail(exc)
    if fmt == "json":
        click.echo(json.dumps(new, indent=2, ensure_ascii=False))
    else:
        click.echo(f"queued run {new['id']} (reprocess of {new['reprocess_of']})", err=True)
        click.echo(new["id"])


def format_run(record: RunRecord, logs: list[dict[str, Any]]) -> str:
    """A run in full, as `flowlang runs show` prints it."""
    from flowlang.runtime.state import detail_text

    seconds = record.seconds
    rows = [
        ("run", record.id), ("flow", record.flow), ("status", record.status), ("started", record.started),
        ("ended", record.ended or "-"), ("duration", "-" if seconds is None else f"{seconds:.2f}s"),
        ("pid", "-" if record.pid is None else str(record.pid)), ("succeeded", str(record.succeeded)),
        ("failed", str(record.failed)), ("requests", str(record.requests)),
    ]
    title = f"log ({len(logs)} line{'' if len(logs) == 1 else 's'} stored)" if logs else "log: no lines stored"
    lines = [f"{line['time'][11:23]} {line['level'].upper()}{' ' + line['location'] if line['location'] else ''} "
             f"{line['message']}" for line in logs]
    return detail_text(rows, record.error, title, lines)


# ------------------------------------------------------------------ state


@main.group()
def state() -> None:
    """Show, set or reset a flow's persisted state."""


def _flow_key(store: StateStore, name: str) -> str:
    """The key a flow's state is stored under: `name` itself if it has state or runs, else its slug."""
    from flowlang.runtime.state import slug_of

    if store.load(name) or any(r.flow == name for r in store.list_runs(name, 1)):
        return name
    return slug_of(name) or name


_FLOW = click.option("--flow", "flow_name", required=True, help="The flow (its slug, or a name that slugifies to it).")
_STATE = click.option("--state", "state_path", metavar="PATH", help=_STATE_HELP)


@state.command(name="show")
@_FLOW
@_STATE
@guarded
def state_show(flow_name: str, state_path: str | None) -> None:
    """Print the flow's state as one JSON object."""
    from flowlang.runtime.errors import FlowError
    from flowlang.runtime.values import to_json

    try:
        with _open_store(state_path) as store:
            values = store.load(_flow_key(store, flow_name))
    except FlowError as exc:
        _fail(exc)
    click.echo(to_json(values, indent=2))


@state.command(name="set")
@_FLOW
@_STATE
@click.argument("key")
@click.argument("value")
@guarded
def state_set(flow_name: str, state_path: str | None, key: str, value: str) -> None:
    """Set KEY of the flow's state to VALUE, a JSON value (`'"text"'`, `42`, `null` deletes the key)."""
    from flowlang.runtime.errors import FlowError
    from flowlang.runtime.values import parse_json

    try:
        parsed = parse_json(value)
    except ValueError:
        click.echo(f"error: the value {value!r} is not JSON", err=True)
        click.echo(f"  hint: quote text as JSON: '\"{value}\"'", err=True)
        sys.exit(EXIT_USAGE)
    try:
        with _open_store(state_path) as store:
            flow = _flow_key(store, flow_name)
            if parsed is None:
                store.reset(flow, [key])
            else:
                store.set_key(flow, key, parsed)
    except FlowError as exc:
        _fail(exc)
    click.echo(f"state.{key} of flow '{flow}' " + ("deleted" if parsed is None else "set"), err=True)


@state.command(name="reset")
@_FLOW
@_STATE
@click.argument("keys", nargs=-1)
@guarded
def state_reset(flow_name: str, state_path: str | None, keys: tuple[str, ...]) -> None:
    """Delete the flow's whole state, or only KEYS: its next run starts from scratch."""
    from flowlang.runtime.errors import FlowError

    try:
        with _open_store(state_path) as store:
            flow = _flow_key(store, flow_name)
            count = store.reset(flow, list(keys) if keys else None)
    except FlowError as exc:
        _fail(exc)
    click.echo(f"deleted {count} key{'' if count == 1 else 's'} of the state of flow '{flow}'", err=True)
