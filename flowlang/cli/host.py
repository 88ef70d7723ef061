"""The host's commands: `flowlang serve` and `flowlang token create|list|revoke` (more come with the host)."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

import click

from flowlang.cli.core import EXIT_USAGE, guarded, main
from flowlang.cli.worker import temporal_flags

if TYPE_CHECKING:
    from flowlang.host.settings import Settings
    from flowlang.host.store import Store
    from flowlang.host.vault import Vault

DB_HELP = "SQLite file or postgresql://user@host/db URL [$FLOWLANG_DB or .flowlang/host.db]."


def _settings(**flags: Any) -> Settings:
    from flowlang.host.settings import SettingsError, build_settings

    try:
        return build_settings(flags, os.environ)
    except SettingsError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)


def _open_store(settings: Settings) -> Store:
    from flowlang.host.store import Store, StoreError

    if not settings.is_postgres:
        os.makedirs(os.path.dirname(os.path.abspath(settings.db)), exist_ok=True)
    try:
        return Store(settings.db_url, shown=settings.db if settings.is_postgres else None)
    except StoreError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)


def _open_store_and_vault(settings: Settings) -> tuple[Store, Vault]:
    """The host's store and the vault of its credentials key (a usage error when the key is unusable)."""
    from flowlang.host.vault import VaultError, open_vault

    store = _open_store(settings)
    try:
        return store, open_vault(settings)
    except VaultError as exc:
        store.close()
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)


def _missing_extra(exc: ImportError) -> None:
    click.echo(f"error: the host needs the serve extra ({exc.name} is not installed): "
               "pip install 'flowlang[serve]'", err=True)
    sys.exit(EXIT_USAGE)


@main.command()
@click.option("--db", help=DB_HELP)
@click.option("--host", default=None, help="Address to listen on [127.0.0.1].")
@click.option("--port", type=click.IntRange(0, 65535), default=None, help="Port to listen on [8080].")
@click.option("--key-file", help="Key that encrypts credentials, created 0600 when missing "
                                 "[$FLOWLANG_KEY_FILE or host.key beside the database]; "
                                 "$FLOWLANG_SECRET_KEY wins.")
@click.option("--max-body", "max_body_bytes", type=int, default=None,
              help="Largest request body in bytes [5242880].")
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default=None)
@click.option("--engine", default=None, help="The engine that runs flows [$FLOWLANG_ENGINE or inprocess].")
@temporal_flags
@click.option("--project-task-queue", multiple=True, metavar="SLUG=QUEUE",
              help="With --engine temporal: the task queue of one project's runs and schedules (repeatable) "
                   "[$FLOWLANG_TEMPORAL_PROJECT_TASK_QUEUES].")
@click.option("--project-namespace", multiple=True, metavar="SLUG=NAMESPACE",
              help="With --engine temporal: the namespace of one project's runs and schedules (repeatable) "
                   "[$FLOWLANG_TEMPORAL_PROJECT_NAMESPACES].")
@guarded
def serve(**flags: Any) -> None:
    """Serve projects, flows, versions and credentials over HTTP (the Create-a-Flow API)."""
    settings = _settings(**flags)
    try:
        import uvicorn  # noqa: F401  (the serve extra: a clear error before anything starts)

        from flowlang.host.app import create_app
    except ImportError as exc:
        _missing_extra(exc)
    import logging

    logging.basicConfig(level=settings.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    store, vault = _open_store_and_vault(settings)
    from flowlang.host.app import serve_routers
    from flowlang.host.executors import UnknownEngine
    from flowlang.host.executors.temporal_options import TemporalUnreachable
    from flowlang.host.service import start_services

    app = create_app(settings, store, vault, routers=serve_routers())
    try:
        services = start_services(settings, store, vault, app)
    except UnknownEngine as exc:
        store.close()
        click.echo(f"error: --engine: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    except TemporalUnreachable as exc:
        store.close()
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    where = settings.db if settings.is_postgres else os.path.abspath(settings.db)
    click.echo(f"flowlang serve: store {_shown(where)}", err=True)
    try:
        from flowlang.host.serving import run

        run(app, host=settings.host, port=settings.port, log_level=settings.log_level,
            announce=lambda line: click.echo(line, err=True))
    finally:
        services.stop()
        store.close()


def _shown(db: str) -> str:
    from flowlang.host.store import _safe_url

    return _safe_url(db)


@main.group()
def token() -> None:
    """API tokens of projects: create (printed once), list, revoke."""


@token.command("create")
@click.option("--db", help=DB_HELP)
@click.option("--project", "project_slug", required=True, help="Project slug (created when missing).")
@click.option("--name", default="default", show_default=True, help="What the token is for.")
@guarded
def token_create(db: str | None, project_slug: str, name: str) -> None:
    """Create a token: it alone goes to stdout (TOKEN=$(flowlang token create ...)); only a hash is kept."""
    from flowlang.host.api.validate import slug as check_slug

    problem = check_slug("project", project_slug)
    if problem:
        click.echo(f"error: --project {problem}", err=True)
        sys.exit(EXIT_USAGE)
    store = _open_store(_settings(db=db))
    from flowlang.host.store.projects import create_token, ensure_project

    with store.write() as conn:
        project, created = ensure_project(conn, project_slug)
        secret, info = create_token(conn, project, name)
    store.close()
    if created:
        click.echo(f"created project {project.slug}", err=True)
    click.echo(f"token {info.name!r} ({info.prefix}…) for project {project.slug}: shown once, keep it safe",
               err=True)
    click.echo(secret)


@token.command("list")
@click.option("--db", help=DB_HELP)
@click.option("--project", "project_slug", help="Only this project's tokens.")
@guarded
def token_list(db: str | None, project_slug: str | None) -> None:
    """List tokens (id, project, name, first characters, dates); never the tokens themselves."""
    store = _open_store(_settings(db=db))
    from flowlang.host.store.projects import list_tokens

    with store.read() as conn:
        tokens = list_tokens(conn, project_slug)
    store.close()
    rows = [("ID", "PROJECT", "NAME", "TOKEN", "CREATED", "REVOKED")]
    rows += [(t.id, t.project_slug, t.name, t.prefix + "…", t.created_at, t.revoked_at or "-")
             for t in tokens]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


@token.command("revoke")
@click.argument("ident")
@click.option("--db", help=DB_HELP)
@click.option("--project", "project_slug", help="Only among this project's tokens.")
@guarded
def token_revoke(ident: str, db: str | None, project_slug: str | None) -> None:
    """Revoke a token by its id, its first characters (as listed) or its name."""
    store = _open_store(_settings(db=db))
    from flowlang.host.store.projects import revoke_token

    with store.write() as conn:
        revoked = revoke_token(conn, ident.rstrip("…"), project_slug)
        if len(revoked) > 1:  # a name shared by several tokens: revoke none, say which
            conn.rollback()
    store.close()
    if not revoked:
        click.echo(f"error: no live token matches {ident!r}", err=True)
        sys.exit(EXIT_USAGE)
    if len(revoked) > 1:
        click.echo(f"error: {ident!r} matches {len(revoked)} tokens; revoke one by its id:", err=True)
        for t in revoked:
            click.echo(f"  {t.id}  {t.project_slug}  {t.name}  {t.prefix}…", err=True)
        sys.exit(EXIT_USAGE)
    for t in revoked:
        click.echo(f"revoked token {t.name!r} ({t.prefix}…) of project {t.project_slug}", err=True)
