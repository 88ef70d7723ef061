"""`flowlang worker`: a Temporal worker process that executes the runs of `flowlang serve --engine temporal`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from flowlang.cli.core import EXIT_USAGE, guarded, main

F = TypeVar("F", bound=Callable[..., Any])


def temporal_flags(command: F) -> F:
    """The options that say where Temporal is (shared by `serve --engine temporal` and `worker`)."""
    for option in reversed([
        click.option("--temporal", metavar="HOST:PORT", help="Temporal frontend [$FLOWLANG_TEMPORAL]."),
        click.option("--namespace", help="Temporal namespace [$FLOWLANG_TEMPORAL_NAMESPACE or default]."),
        click.option("--task-queue", help="Task queue of the runs [$FLOWLANG_TEMPORAL_TASK_QUEUE or flowlang-runs]."),
        click.option("--tls", is_flag=True, default=None, help="Connect with TLS (implied by the options below "
                                                               "and by $FLOWLANG_TEMPORAL_API_KEY)."),
        click.option("--tls-cert", type=click.Path(dir_okay=False), help="Client certificate (mTLS), PEM."),
        click.option("--tls-key", type=click.Path(dir_okay=False), help="The client certificate's key, PEM."),
        click.option("--tls-ca", type=click.Path(dir_okay=False), help="Root CA of the server, PEM."),
    ]):
        command = option(command)
    return command


@main.command()
@click.option("--db", help="The host's database: SQLite file or postgresql:// URL [$FLOWLANG_DB].")
@click.option("--key-file", help="The host's credentials key [$FLOWLANG_KEY_FILE or host.key beside the "
                                 "database]; $FLOWLANG_SECRET_KEY wins.")
@click.option("--concurrency", type=click.IntRange(1, 1000), default=4, show_default=True,
              help="Runs this worker executes at once.")
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default="info")
@temporal_flags
@guarded
def worker(concurrency: int, log_level: str, **flags: Any) -> None:
    """Execute runs started on Temporal by `flowlang serve --engine temporal` (any number, on any machine)."""
    import asyncio
    import logging
    import signal

    from flowlang.cli.host import _open_store_and_vault, _settings

    settings = _settings(engine="temporal", **flags)
    assert settings.temporal is not None
    try:
        from flowlang.host.executors.temporal_options import TemporalUnreachable
        from flowlang.host.executors.temporal_worker import run_worker
    except ImportError as exc:
        click.echo(f"error: the worker needs the temporal extra ({exc.name} is not installed): "
                   "pip install 'flowlang[serve,temporal]'", err=True)
        sys.exit(EXIT_USAGE)
    logging.basicConfig(level=log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    store, vault = _open_store_and_vault(settings)

    async def until_signalled() -> None:
        task = asyncio.ensure_future(run_worker(settings.temporal, store, vault, concurrency,  # type: ignore[arg-type]
                                                ready=announce))
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, task.cancel)
        try:
            await task
        except asyncio.CancelledError:
            pass

    def announce() -> None:
        options = settings.temporal
        assert options is not None
        click.echo(f"flowlang worker: Temporal {options.address}, namespace {options.namespace}, "
                   f"task queue {options.task_queue}, {concurrency} run(s) at once", err=True)

    try:
        asyncio.run(until_signalled())
    except TemporalUnreachable as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    finally:
        store.close()
