"""`flowlang graph`: the flowchart of a flow as Mermaid, DOT or SVG text."""

from __future__ import annotations

import sys

import click

from flowlang.cli.core import EXIT_ERRORS, EXIT_USAGE, IO_CODES, guarded, main, write_output


@main.command()
@click.argument("file")
@click.option("--flow", "flow_name", help="Which flow of the file to draw (needed when it has several).")
@click.option("--format", "fmt", type=click.Choice(["mermaid", "dot", "svg"]), default="mermaid",
              show_default=True, help="Mermaid or DOT text to paste elsewhere, or a finished SVG picture.")
@click.option("-o", "--output", metavar="PATH", help="Where to write it (default: stdout).")
@guarded
def graph(file: str, flow_name: str | None, fmt: str, output: str | None) -> None:
    """Draw a flow's control flow: calls, loops, branches, try/catch, logs and returns, with file:line.

    The funcs the flow calls get charts of their own, linked from each call. The file must parse; other
    check errors do not stop the drawing. Exit status: 0 drawn, 1 syntax errors or no such flow, 2 I/O errors.
    """
    from flowlang.diagnostics import render_all_text
    from flowlang.loader import load_project
    from flowlang.tools.graph import GraphError, build_graph, render

    project = load_project(file)
    errors = [d for d in project.diagnostics if d.is_error]
    if errors:
        click.echo(render_all_text(errors, project.sources), err=True)
        sys.exit(EXIT_USAGE if any(d.code in IO_CODES for d in errors) else EXIT_ERRORS)
    try:
        text = render(build_graph(project, flow_name), fmt)
    except GraphError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_ERRORS)
    write_output(text, output)
