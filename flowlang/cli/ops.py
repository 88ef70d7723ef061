"""`flowlang ops FILE [SYSTEM]`: the operations of a file's systems (declared or from OpenAPI), one per line."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import click

from flowlang.cli.core import EXIT_ERRORS, EXIT_USAGE, IO_CODES, guarded, main

if TYPE_CHECKING:
    from flowlang.systems import OperationModel, SystemModel


def _parameters(op: OperationModel) -> list[str]:
    """`id` (path), `state?` (optional query), `body` when the operation needs one."""
    required = set(op.required_params)
    names = [*op.path_params]
    names += [p if p in required else p + "?" for p in (*op.query_params, *op.header_params)]
    if op.body_required:
        names.append("body")
    return names


def operation_rows(system: SystemModel) -> list[dict[str, Any]]:
    """The operations of one system, sorted by name, as plain values."""
    return [
        {"system": system.name, "operation": op.name, "method": op.method, "path": op.path,
         "parameters": _parameters(op), "summary": op.summary}
        for op in sorted(system.operations.values(), key=lambda o: o.name)
    ]


def format_operations(rows: list[dict[str, Any]]) -> str:
    """Aligned columns: OPERATION METHOD PATH PARAMETERS SUMMARY."""
    if not rows:
        return "no operations"
    table = [("OPERATION", "METHOD", "PATH", "PARAMETERS", "SUMMARY")]
    table += [(f"{r['system']}.{r['operation']}", r["method"], r["path"], ", ".join(r["parameters"]) or "-",
               r["summary"].splitlines()[0] if r["summary"] else "") for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    return "\n".join("  ".join([*(row[i].ljust(widths[i]) for i in range(4)), row[4]]).rstrip() for row in table)


@main.command()
@click.argument("file")
@click.argument("system", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@guarded
def ops(file: str, system: str | None, fmt: str) -> None:
    """List the operations of the systems of FILE (or of SYSTEM only): method, path, parameters, summary.

    Parameters: path ones first, `name?` for an optional one, `body` when a request body is required.
    """
    from flowlang.cli.core import _render
    from flowlang.diagnostics import did_you_mean
    from flowlang.loader import load_project
    from flowlang.systems import build_systems

    project = load_project(file)
    problems = [d for d in project.diagnostics if d.is_error]
    models, spec_problems = build_systems(project.programs.values())
    problems += [d for d in spec_problems if d.is_error]
    if problems:
        click.echo(_render(problems, project.sources, "text"), err=True)
        if any(d.code in IO_CODES for d in problems) or not models:
            sys.exit(EXIT_USAGE if any(d.code in IO_CODES for d in problems) else EXIT_ERRORS)
    if system is not None and system not in models:
        known = ", ".join(sorted(models)) or "none"
        hint = did_you_mean(system, list(models))
        click.echo(f"error: {file} has no system '{system}'; its systems: {known}" + (f" ({hint})" if hint else ""),
                   err=True)
        sys.exit(EXIT_USAGE)
    chosen = [models[system]] if system is not None else [models[name] for name in sorted(models)]
    rows = [row for model in chosen for row in operation_rows(model)]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        click.echo(format_operations(rows))
