"""The core commands (check, run, compile), the `main` group and the guard every command wears."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from flowlang import __version__
from flowlang.cli.checking import (
    EXIT_ERRORS,
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    FORMAT_OPTION,
    FORMATS,
    IO_CODES,
    STRICT_OPTION,
    internal_error,
    plural,
    run_check,
)
from flowlang.cli.checking import (
    render as _render,
)

if TYPE_CHECKING:
    from flowlang.loader import Project

__all__ = ["EXIT_ERRORS", "EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "IO_CODES", "guarded", "main", "plural",
           "write_output"]

F = TypeVar("F", bound=Callable[..., Any])


def guarded(command: F) -> F:
    """Turn an unexpected exception into a one-line message (the traceback only with FLOWLANG_DEBUG=1)."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except (KeyboardInterrupt, Exception) as exc:  # a bug in flowlang, not the user's fault: say so plainly
            internal_error(exc, click.echo)

    wrapper.__name__ = command.__name__
    wrapper.__doc__ = command.__doc__
    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="flowlang")
def main() -> None:
    """flowlang: the business logic of data integrations, as text."""


# ------------------------------------------------------------------ check


@main.command()
@click.argument("paths", nargs=-1)
@click.option(FORMAT_OPTION, "fmt", type=click.Choice(FORMATS), default="text",
              show_default=True, help="How to print diagnostics.")
@click.option(STRICT_OPTION, is_flag=True, help="Warnings count as errors for the exit code.")
@guarded
def check(paths: tuple[str, ...], fmt: str, strict: bool) -> None:
    """Check .flow files (or directories of them; default: the current directory) without running anything.

    Exit status: 0 no errors, 1 errors (or warnings with --strict), 2 a file could not be read.
    """
    run_check(paths, fmt, strict, click.echo)


def write_output(text: str, output: str | None) -> None:
    """Print `text` to stdout, or write it to `output` and say so on stderr (exit 2 if it cannot be written)."""
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        click.echo(f"error: cannot write {output}: {exc.strerror}", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(f"wrote {output}", err=True)


def _load_checked(path: str) -> Project:
    """Load and check a flow file; print its errors and exit 1 (2 when it cannot be read) if it has any."""
    from flowlang.checker import check as check_project
    from flowlang.loader import load_project

    project = load_project(path)
    errors = [d for d in check_project(project) if d.is_error]
    if errors:
        click.echo(_render(errors, project.sources, "text"), err=True)
        sys.exit(EXIT_USAGE if any(d.code in IO_CODES for d in errors) else EXIT_ERRORS)
    return project


# ------------------------------------------------------------------ run


@main.command()
@click.argument("file")
@click.option("--flow", "flow_name", help="Which flow of the file to run (needed when it has several).")
@click.option("--input", "input_path", metavar="FILE|-", help="JSON payload for `source` (- for stdin).")
@click.option("--state", "state_path", metavar="PATH", help="SQLite state database [.flowlang/state.db].")
@click.option("--env-file", metavar="FILE", help="KEY=VALUE lines added to the environment.")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--log-level", type=click.Choice(["debug", "info", "warn", "error"]), default="debug",
              show_default=True, help="The lowest level of log line shown.")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors, no progress.")
@click.option("--max-steps", type=click.IntRange(min=1), default=None, metavar="N",
              help="Loop iterations and func calls before the run fails (kind limit) [10,000,000].")
@click.option("--wait-lock", is_flag=True,
              help="If another run of this flow holds the state, wait for it to end instead of failing.")
@click.option("--force", is_flag=True, help="Run the flow even if it says enabled: false.")
@click.option("--plan", is_flag=True,
              help="Send the reads, not the writes; print the writes the run would make. Commits no state.")
@click.option("--format", "plan_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="How --plan prints the planned writes.")
@click.option("--record", "record_path", metavar="CASSETTE.json",
              help="Write every exchange with the systems to a cassette (secrets replaced) for tests to replay.")
@guarded
def run(file: str, flow_name: str | None, input_path: str | None, state_path: str | None,
        env_file: str | None, log_format: str, log_level: str, quiet: bool, max_steps: int | None,
        wait_lock: bool, force: bool, plan: bool, plan_format: str, record_path: str | None) -> None:
    """Run a flow: the result goes to stdout as JSON, logs to stderr.

    Exit status: 0 ok (or planned), 1 check errors, 2 usage or I/O errors (another run holds the state, the
    flow is disabled), 3 the flow failed.
    """
    recorder = None
    if record_path is not None:  # checked before anything runs: the writes would be done, the cassette lost
        from flowlang.testing.cassettes import CassetteError, ensure_writable, recording

        try:
            ensure_writable(record_path)
        except CassetteError as exc:
            click.echo(str(exc), err=True)
            sys.exit(EXIT_USAGE)
        recorder, make_http = recording()
    project = _load_checked(file)
    from flowlang.interpreter import run_project

    code = run_project(project, flow_name, input_path=input_path, state_path=state_path,
                       env_file=env_file, log_format=log_format, max_steps=max_steps, log_level=log_level,
                       quiet=quiet, wait_lock=wait_lock, force=force, plan=plan, plan_format=plan_format,
                       make_http=None if recorder is None else make_http)
    if recorder is not None and record_path is not None and recorder.started:
        try:
            recorder.save(record_path, flow_name or file)
        except CassetteError as exc:
            click.echo(str(exc), err=True)
            sys.exit(EXIT_USAGE)
        count = len(recorder.answered)
        click.echo(f"recorded {plural(count, 'exchange')} in {record_path}", err=True)
    sys.exit(code)


# ------------------------------------------------------------------ compile


@main.command(name="compile")
@click.argument("file")
@click.option("-o", "--output", metavar="OUT.py", help="Where to write the module (default: stdout).")
@click.option("--flow", "flow_name", help="Which flow of the file to compile.")
@guarded
def compile_command(file: str, output: str | None, flow_name: str | None) -> None:
    """Compile a flow into one standalone Python module (needs only Python 3.11+ and httpx)."""
    project = _load_checked(file)
    from flowlang.codegen import CodegenError, compile_project

    try:
        source = compile_project(project, flow_name)
    except CodegenError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    write_output(source, output)
