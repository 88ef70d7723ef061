"""The command-line side of talking to a host: `--token-file`, a refused `--token`, reading the token.

The token is read from $FLOWLANG_TOKEN or `--token-file`, never from the command line. The client itself
(requests, errors said plainly) is flowlang/host/remote.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from flowlang.host.remote import TOKEN_ENV, TOKEN_HINT, HostError

F = TypeVar("F", bound=Callable[..., Any])


def _refuse_token(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        click.echo("error: --token would put the token on the command line, where `ps` and the shell's "
                   f"history show it: it is read from ${TOKEN_ENV} or --token-file only\n  {TOKEN_HINT}",
                   err=True)
        ctx.exit(2)


def token_options(command: F) -> F:
    """`--token-file PATH` for a command that talks to a host, and a `--token` that is refused with a hint."""
    command = click.option("--token-file", metavar="PATH", type=click.Path(dir_okay=False, allow_dash=True),
                           help=f"A file holding the project token ('-': stdin) [else ${TOKEN_ENV}].")(command)
    return click.option("--token", hidden=True, expose_value=False, is_eager=True,
                        callback=_refuse_token)(command)


def read_token(token_file: str | None, env_token: str | None) -> str | None:
    """The token of `--token-file` (its first line; '-' reads stdin), else $FLOWLANG_TOKEN's."""
    if token_file is None:
        return env_token.strip() if env_token else None
    try:
        with click.open_file(token_file, encoding="utf-8") as handle:
            text = handle.readline().strip()
    except OSError as exc:
        raise HostError(f"cannot read the token file {token_file}: {exc.strerror or exc}") from None
    if not text:
        raise HostError(f"the token file {token_file} is empty")
    return text
