"""`flowlang push` and `flowlang pull`: keep a folder of flows in git and deploy it to a host from CI."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from flowlang.cli.core import EXIT_ERRORS, EXIT_USAGE, guarded, main
from flowlang.cli.remote import read_token, token_options
from flowlang.host.remote import HOST_ENV, TOKEN_ENV, HostError

if TYPE_CHECKING:
    from flowlang.host.sync import Remote, Report

HOST_HELP = "URL of the host [$FLOWLANG_HOST or http://127.0.0.1:8080]."


def _remote(url: str | None, project: str, token_file: str | None) -> Remote:
    from flowlang.host.sync import Remote

    try:
        return Remote(url or os.environ.get(HOST_ENV) or "http://127.0.0.1:8080", project,
                      read_token(token_file, os.environ.get(TOKEN_ENV)))
    except HostError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)


def _run(url: str | None, project: str, token_file: str | None, work: Callable[[Remote], Report]) -> None:
    """Run `work` on the host, print its report; a HostError is a usage error (exit 2)."""
    remote = _remote(url, project, token_file)
    try:
        report = work(remote)
    except HostError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    finally:
        remote.close()
    for line in [*report.lines, *report.warnings]:
        click.echo(line, err=True)
    for problem in report.problems:
        click.echo(problem, err=True)
    if report.problems:
        sys.exit(EXIT_ERRORS)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--host", "url", help=HOST_HELP)
@click.option("--project", required=True, help="Slug of the project (the token's).")
@click.option("--publish", is_flag=True, help="Save & Merge each pushed draft (a flow that does not check "
                                              "is not published, and push exits 1).")
@click.option("--force", is_flag=True, help="Overwrite drafts and shared files that changed on the host since "
                                            "this folder last pushed or pulled them (refused otherwise).")
@token_options
@guarded
def push(paths: tuple[str, ...], url: str | None, project: str, publish: bool, force: bool,
         token_file: str | None) -> None:
    """Create or update flows by slug, as drafts, from FOLDERs or .flow FILEs (token: $FLOWLANG_TOKEN)."""
    from flowlang.host.sync import SyncError, local_flows
    from flowlang.host.sync import push as push_flows

    groups: dict[str, list[str] | None] = {}
    for path in paths:
        if os.path.isdir(path):
            groups[os.path.abspath(path)] = None
        else:
            folder = os.path.dirname(os.path.abspath(path))
            if groups.get(folder, []) is not None:
                groups.setdefault(folder, [])
                groups[folder].append(os.path.basename(path))  # type: ignore[union-attr]
    def work(remote: Remote) -> Report:
        flows = [f for folder, only in groups.items() for f in local_flows(folder, only)]
        if not flows:
            raise SyncError(f"no flow files in {', '.join(paths)} (a flow file declares exactly one flow)")
        return push_flows(remote, flows, publish=publish, force=force)

    _run(url, project, token_file, work)


@main.command()
@click.argument("folder", default=".", type=click.Path(file_okay=False))
@click.option("--host", "url", help=HOST_HELP)
@click.option("--project", required=True, help="Slug of the project (the token's).")
@click.option("--flow", "slugs", multiple=True, help="Only this flow (by slug; repeatable).")
@token_options
@guarded
def pull(folder: str, url: str | None, project: str, slugs: tuple[str, ...], token_file: str | None) -> None:
    """Write the project's flows (drafts, else published) and their shared files into FOLDER [.]."""
    from flowlang.host.sync import pull as pull_flows

    _run(url, project, token_file, lambda remote: pull_flows(remote, folder, list(slugs) or None))
