"""`flowlang check` without click: its options, its body, the guard, and a parser for the common case.

`flowlang.cli.entry` runs `flowlang check PATHS [--format F] [--strict]` through `fast_check_args` without
importing click (~100 M instructions of start-up); anything else it does not recognise (help, a bad value,
another option) goes to click, which owns usage errors and --help. The click command in core.py is
declared from the same names below and runs the same `run_check`.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from flowlang.diagnostics import Diagnostic

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3
# Loader codes that mean "the file could not be read" rather than "the flow is wrong".
IO_CODES = {"E010", "E011", "E012", "E013", "E014", "E017"}

# The options of `flowlang check`: core.py declares them to click, fast_check_args reads them.
FORMAT_OPTION, STRICT_OPTION = "--format", "--strict"
FORMATS = ("text", "json", "github")

Echo = Callable[..., Any]  # click.echo, or plain_echo: (text, err=False)

_ANSI = re.compile(r"\033\[[;?0-9]*[a-zA-Z]")  # what click.echo strips when the stream is not a terminal


def plain_echo(message: str, err: bool = False) -> None:
    """click.echo for a str: a line to stdout (stderr), ANSI sequences stripped unless it is a terminal."""
    stream = sys.stderr if err else sys.stdout
    text = message + "\n"
    if not stream.isatty():
        text = _ANSI.sub("", text)
    stream.write(text)
    stream.flush()


def internal_error(exc: BaseException, echo: Echo) -> NoReturn:
    """An unexpected exception as a one-line message (the traceback only with FLOWLANG_DEBUG=1)."""
    if isinstance(exc, KeyboardInterrupt):
        echo("interrupted", err=True)
        sys.exit(130)
    if os.environ.get("FLOWLANG_DEBUG"):
        import traceback  # only here: importing it costs every command ~6 ms of start-up

        traceback.print_exception(exc)
    echo(f"flowlang: internal error: {type(exc).__name__}: {exc}", err=True)
    echo("  (set FLOWLANG_DEBUG=1 to see the traceback, and please report it)", err=True)
    sys.exit(EXIT_FAILED)


def plural(count: int, word: str) -> str:
    """`1 error`, `2 errors`, `0 errors`."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def render(diags: list[Diagnostic], sources: dict[str, str], fmt: str) -> str:
    from flowlang.diagnostics import render_all_text, render_github, render_json

    if fmt == "json":
        return render_json(diags)
    if fmt == "github":
        return "\n".join(render_github(d) for d in diags)
    return render_all_text(diags, sources)


def _unique(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    seen: dict[tuple[Any, ...], Diagnostic] = {}
    for d in diags:
        seen.setdefault((d.sort_key(), d.message), d)
    return sorted(seen.values(), key=lambda d: (*d.sort_key(), d.message))


def _summary(diags: list[Diagnostic], sources: dict[str, str]) -> str:
    errors = sum(1 for d in diags if d.is_error)
    warnings = len(diags) - errors
    unread = {d.span.file for d in diags if d.code in IO_CODES and d.code != "E017" and d.span.file not in sources}
    text = f"{plural(errors, 'error')}, {plural(warnings, 'warning')} in {plural(len(sources), 'file')}"
    return text + (f" ({plural(len(unread), 'file')} could not be read)" if unread else "")


def run_check(paths: tuple[str, ...], fmt: str, strict: bool, echo: Echo) -> None:
    """The body of `flowlang check`: print the diagnostics, exit 1 on errors, 2 when a file is unreadable."""
    from flowlang.checker import check as check_project
    from flowlang.loader import collector_paused, load_paths

    diags: list[Diagnostic] = []
    sources: dict[str, str] = {}
    with collector_paused():  # a short-lived process: see collector_paused
        for project in load_paths(list(paths) or ["."]):
            diags.extend(check_project(project))
            sources.update(project.sources)
    diags = _unique(diags)
    output = render(diags, sources, fmt)
    if output:
        echo(output)
    if fmt == "text":
        echo(_summary(diags, sources), err=True)
    if any(d.code in IO_CODES for d in diags):
        sys.exit(EXIT_USAGE)
    if any(d.is_error or strict for d in diags):
        sys.exit(EXIT_ERRORS)


def fast_check_args(args: list[str]) -> tuple[tuple[str, ...], str, bool] | None:
    """(paths, format, strict) when `args` is `check` with only paths and valid options, else None (click)."""
    if not args or args[0] != "check":
        return None
    paths: list[str] = []
    fmt, strict = "text", False
    rest = iter(args[1:])
    for arg in rest:
        if arg == STRICT_OPTION:
            strict = True
        elif arg == FORMAT_OPTION or arg.startswith(FORMAT_OPTION + "="):
            value = next(rest, None) if arg == FORMAT_OPTION else arg.partition("=")[2]
            if value not in FORMATS:
                return None
            fmt = value
        elif arg.startswith("-"):  # --help, --, -, a typo: click's parsing and messages
            return None
        else:
            paths.append(arg)
    return tuple(paths), fmt, strict
