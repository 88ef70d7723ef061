"""The flowlang command line: the only module that prints or exits."""

from __future__ import annotations

import click

from flowlang import __version__


@click.group()
@click.version_option(__version__, prog_name="flowlang")
def main() -> None:
    """flowlang: business logic of data integrations, as text."""
