"""`flowlang test`: run the `test` blocks of .flow files on both engines (the runner is flowlang/testing/)."""

from __future__ import annotations

import sys

import click

from flowlang.cli.core import guarded, main


@main.command(name="test")
@click.argument("paths", nargs=-1)
@click.option("-k", "pattern", metavar="PATTERN", help="Only the tests whose description contains PATTERN.")
@click.option("--engine", type=click.Choice(["interpreter", "compiled", "both"]), default="both",
              show_default=True, help="Which engine runs the flows (both: they must agree).")
@click.option("--junit", metavar="FILE", help="Also write a JUnit XML report to FILE.")
@click.option("--coverage", is_flag=True, help="Report the statements of each flow that no test reached.")
@guarded
def test_command(paths: tuple[str, ...], pattern: str | None, engine: str, junit: str | None,
                 coverage: bool) -> None:
    """Run the tests of .flow files (default: every file under the current directory).

    Exit status: 0 every test passed, 1 a test failed (or none ran), 2 a usage error.
    """
    from flowlang.testing import runner

    code = runner.main(list(paths) or ["."], engine=engine, pattern=pattern, junit=junit, coverage=coverage,
                     out=sys.stdout)
    sys.exit(code)
