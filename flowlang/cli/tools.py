"""The editor commands: `flowlang fmt` (the canonical layout) and `flowlang lsp` (the language server)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from flowlang.cli.core import EXIT_ERRORS, EXIT_FAILED, EXIT_USAGE, guarded, main

if TYPE_CHECKING:
    from flowlang.tools.fmt import Formatted


def _fmt_paths(paths: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """The .flow files named or found below the directories named, and the paths that do not exist."""
    import os

    from flowlang.loader import find_flow_files

    files: list[str] = []
    missing: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            files.extend(find_flow_files(path))
        elif os.path.exists(path):
            files.append(path)
        else:
            missing.append(path)
    return list(dict.fromkeys(files)), missing


def _report_syntax(result: Formatted) -> None:
    from flowlang.diagnostics import render_all_text

    click.echo(render_all_text(result.diagnostics, {result.path: result.old}), err=True)
    click.echo(f"{result.path}: left as it is (syntax errors)", err=True)


@main.command()
@click.argument("paths", nargs=-1)
@click.option("--check", is_flag=True, help="Change nothing; exit 1 naming the files that would change.")
@click.option("--diff", is_flag=True, help="Change nothing; print a unified diff of what would change.")
@guarded
def fmt(paths: tuple[str, ...], check: bool, diff: bool) -> None:
    """Format .flow files (or the directories of them; `-` reads stdin and writes stdout) in place.

    The layout is lossless: comments stay, the program is the same, and formatting twice changes nothing.
    A file with syntax errors is left as it is and its errors are printed.
    Exit status: 0 done (or nothing would change), 1 files would change (--check, --diff) or have syntax
    errors, 2 a file could not be read or written.
    """
    from flowlang.tools.fmt import FormatError, format_file, format_text

    if paths == ("-",):
        result = format_text(sys.stdin.read(), "<stdin>")
        if result.diagnostics:
            _report_syntax(result)
        click.echo(result.diff() if diff else result.new, nl=False)
        sys.exit(EXIT_ERRORS if result.diagnostics or ((check or diff) and result.changed) else 0)
    files, missing = _fmt_paths(paths or (".",))
    status = 0
    for path in missing:
        click.echo(f"error: no such file or directory: {path}", err=True)
        status = EXIT_USAGE
    changed = 0
    for path in files:
        from pathlib import Path

        try:
            result = format_file(Path(path))
        except (OSError, UnicodeDecodeError) as exc:
            click.echo(f"error: cannot read {path}: {getattr(exc, 'strerror', None) or exc}", err=True)
            status = EXIT_USAGE
            continue
        except FormatError as exc:
            click.echo(f"flowlang: internal error: {exc}; the file is left as it is (please report it)", err=True)
            status = max(status, EXIT_FAILED)
            continue
        if result.diagnostics:
            _report_syntax(result)
            status = status or EXIT_ERRORS
            continue
        if not result.changed:
            continue
        changed += 1
        if diff:
            click.echo(result.diff(), nl=False)
        if check or diff:
            click.echo(f"would reformat {path}", err=True)
            continue
        try:
            Path(path).write_text(result.new, encoding="utf-8")
        except OSError as exc:
            click.echo(f"error: cannot write {path}: {exc.strerror}", err=True)
            status = EXIT_USAGE
            continue
        click.echo(f"formatted {path}", err=True)
    verb = "would be reformatted" if check or diff else "reformatted"
    click.echo(f"{changed} of {len(files)} file{'' if len(files) == 1 else 's'} {verb}", err=True)
    if changed and (check or diff):
        status = status or EXIT_ERRORS
    sys.exit(status)


@main.command()
@click.option("--stdio", is_flag=True, help="Talk over stdin and stdout (the default and only transport).")
def lsp(stdio: bool) -> None:
    """Start the language server on stdin/stdout (for editors; needs `pip install 'flowlang[lsp]'`)."""
    try:
        from flowlang.tools.lsp.server import serve
    except ImportError as exc:
        click.echo(f"error: the language server needs pygls ({exc.name} is not installed): "
                   "pip install 'flowlang[lsp]'", err=True)
        sys.exit(EXIT_USAGE)
    import os

    serve(debug=bool(os.environ.get("FLOWLANG_DEBUG")))
