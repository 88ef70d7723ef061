"""The whole life of a run, shared by `flowlang run` and compiled modules: env, input, state, result, exit codes.

Exit codes: 0 the flow succeeded; 2 a usage or I/O problem before the run started (missing or bad input,
bad env file, unusable state database); 3 the flow failed (an uncaught error, or an internal error);
130 interrupted by Ctrl-C, 143 by SIGTERM. The result goes to stdout as JSON (`null` when the flow
returns nothing); everything else goes to stderr through the run log.
"""

from __future__ import annotations

import gc
import json
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TextIO

from flowlang.runtime.ambient import Ambient, activate, deactivate
from flowlang.runtime.context import DEFAULT_STEP_LIMIT, HttpLike, Run, RunCancelled
from flowlang.runtime.errors import FlowError
from flowlang.runtime.idempotency import run_scope
from flowlang.runtime.locks import RunLock, describe_holder
from flowlang.runtime.masking import mask_secrets
from flowlang.runtime.plan import Plan
from flowlang.runtime.runlog import KEEP_LINES, LOG_FORMATS, SHOWN_LEVELS, RunLog
from flowlang.runtime.state import DEFAULT_STATE_PATH, RunStore, StateStore, new_run_id, utc_now
from flowlang.runtime.values import parse_json, to_json

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_FAILED = 3
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143
MAX_INT_DIGITS = 4300  # Python's own limit for converting between whole numbers and text
MAX_INPUT_CHARS = 1 << 30  # `--input` larger than this (1 GiB of text) is refused, not read until memory runs out
PYTHON_RECURSION_LIMIT = 10_000  # room for 200 nested flowlang calls, each many Python frames deep

Body = Callable[[Run], Any]
SystemsBuilder = Callable[[], dict[str, Any]]
HttpFactory = Callable[..., HttpLike]


class LaunchError(Exception):
    """A usage or I/O problem found before the run starts (exit code 2); the message is ready to print."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, turned into an exception so the run is recorded as interrupted."""


# ------------------------------------------------------------------ env files

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "$": "$"}


def _env_value(text: str) -> str:
    """The value of one `KEY=VALUE` line: 'single' literal, "double" with escapes, or bare (# comments)."""
    if text[:1] == "'":
        end = text.find("'", 1)
        if end < 0:
            raise ValueError("unterminated ' quote")
        rest, value = text[end + 1 :].strip(), text[1:end]
    elif text[:1] == '"':
        chars: list[str] = []
        i = 1
        while i < len(text) and text[i] != '"':
            if text[i] == "\\" and i + 1 < len(text):
                i += 1
                chars.append(_ESCAPES.get(text[i], "\\" + text[i]))
            else:
                chars.append(text[i])
            i += 1
        if i >= len(text):
            raise ValueError('unterminated " quote')
        rest, value = text[i + 1 :].strip(), "".join(chars)
    else:
        return re.split(r"\s+#", text, maxsplit=1)[0].strip()
    if rest and not rest.startswith("#"):
        raise ValueError("unexpected text after the quoted value (a # comment may follow it)")
    return value


def _bad_name(name: str) -> str:
    """Why `name` is no variable name, without quoting it (a mistyped line may hold a secret)."""
    if not name:
        return "the line has no name before '='"
    if name[0].isdigit():
        return "the name before '=' starts with a digit: names are letters, digits and _"
    column, char = next((i, c) for i, c in enumerate(name, 1) if not (c.isascii() and (c.isalnum() or c == "_")))
    shown = repr(char) if char.isascii() and char.isprintable() else f"U+{ord(char):04X}"
    return f"the name before '=' has {shown} at column {column}: names are letters, digits and _"


def parse_env_file(text: str, path: str) -> dict[str, str]:
    """`KEY=VALUE` lines, `#` comments, optional quotes and `export ` prefix; a bad line names file:line.

    Errors never quote the line: it may hold a secret (a value pasted without its name).
    """
    env: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export ") or line.startswith("export\t"):
            line = line[len("export") :].lstrip()
        name, equals, value = line.partition("=")
        name = name.strip()
        if not equals:
            raise LaunchError(f"{path}:{number}: error: expected NAME=VALUE (the line has no '=')")
        if not _ENV_NAME.fullmatch(name):
            raise LaunchError(f"{path}:{number}: error: {_bad_name(name)}")
        try:
            env[name] = _env_value(value.strip())
        except ValueError as exc:
            raise LaunchError(f"{path}:{number}: error: {exc}") from None
    return env


def load_env_file(path: str) -> dict[str, str]:
    try:
        with open(path, encoding="utf-8-sig") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise LaunchError(f"error: cannot read env file '{path}': {_reason(exc)}") from None
    return parse_env_file(text, path)


# ---------------------------------------------------------------------- input


def read_input(path: str | None, stdin: TextIO) -> Any:
    """The input payload: None without `--input`, JSON from a file or from stdin (`-`)."""
    if path is None:
        return None
    name = "<stdin>" if path == "-" else path
    try:
        if path == "-":
            text = stdin.read(MAX_INPUT_CHARS + 1)
        else:
            with open(path, encoding="utf-8-sig") as f:
                text = f.read(MAX_INPUT_CHARS + 1)
    except (OSError, UnicodeDecodeError) as exc:
        raise LaunchError(f"error: cannot read input file '{name}': {_reason(exc)}") from None
    if len(text) > MAX_INPUT_CHARS:
        raise LaunchError(f"error: input '{name}' is larger than {MAX_INPUT_CHARS:,} characters: "
                          "split it, or let the flow read it page by page from an API")
    try:
        return parse_json(text.lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        raise LaunchError(f"{name}:{exc.lineno}:{exc.colno}: error: input is not valid JSON: {exc.msg}") from None
    except RecursionError:
        raise LaunchError(f"{name}: error: input is nested too deeply") from None
    except ValueError as exc:  # NaN, Infinity, or a whole number too long for Python to read
        reason = str(exc)
        if "integer string conversion" in reason:
            reason = f"a whole number has more than {MAX_INT_DIGITS:,} digits"
        raise LaunchError(f"{name}: error: input is not valid JSON: {reason}") from None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text"
    return str(exc)


def default_state_path() -> str:
    """`.flowlang/state.db` under the working directory."""
    return os.path.join(os.getcwd(), DEFAULT_STATE_PATH)


class _NoSystems:
    """The HTTP client of a flow without systems: it has nothing to call (the checker made sure)."""

    def request(self, system: str, operation: str, args: dict[str, Any], where: Any) -> dict[str, Any]:
        raise FlowError("internal", f"no system '{system}' is declared", where)

    def records(self, system: str, operation: str, args: dict[str, Any], where: Any) -> Iterator[Any]:
        raise FlowError("internal", f"no system '{system}' is declared", where)

    def close(self) -> None:
        pass


def _default_http(systems: dict[str, Any], **options: Any) -> HttpLike:
    """The run's HTTP client; httpx and asyncio (~0.1 s to import) are loaded only for a flow with systems."""
    if not systems:
        return _NoSystems()
    from flowlang.runtime.http import HttpClient

    client: HttpLike = HttpClient(systems, **options)
    return client


# ------------------------------------------------------------------ the run


@dataclass
class Outcome:
    """How a run ended: its status, exit code, result (JSON text) and the error that ended it."""

    status: str  # ok failed interrupted
    exit_code: int
    result_json: str | None = None
    error: BaseException | None = None

    @property
    def result(self) -> Any:
        """The result as a value, parsed from its JSON text when asked for (`flowlang run` never asks)."""
        return None if self.result_json is None else json.loads(self.result_json)


def execute(
    *,
    flow_name: str,
    slug: str,
    build_systems: SystemsBuilder,
    body: Body,
    source: Any,
    store: RunStore,
    ambient: Ambient,
    log: RunLog,
    make_http: HttpFactory = _default_http,
    stdout: TextIO | None = None,
    max_steps: int | None = None,
    wait_lock: bool = False,
    plan: Plan | None = None,
    count_locations: bool = False,
) -> Outcome:
    """Take the flow's lock, record the run, call `body(run)`, commit state on success, report, summarise.

    Another live run of the flow on this state database, an unreadable state or an unrecordable run raise
    FlowError: nothing has run yet then. With `wait_lock`, wait for the other run to end instead.
    With a `plan`, writes are not sent (runtime/plan.py), no state is committed, and a run that ends well
    is "planned", not "ok". With `count_locations`, the Run counts how often each place ran (`run.counts`).
    """
    run_id, started_at = new_run_id(), utc_now()
    lock = RunLock(store.path, slug, flow_name)
    if store.path != ":memory:":
        lock.acquire({"run": run_id, "pid": os.getpid(), "started": started_at}, wait=wait_lock,
                     on_wait=lambda holder: log.write("info", f"waiting for {describe_holder(holder)} to end"))
    try:
        return _execute_locked(flow_name, slug, build_systems, body, source, store, ambient, log, make_http,
                               stdout, max_steps, run_id, started_at, plan, count_locations)
    finally:
        lock.release()


def _execute_locked(
    flow_name: str, slug: str, build_systems: SystemsBuilder, body: Body, source: Any, store: RunStore,
    ambient: Ambient, log: RunLog, make_http: HttpFactory, stdout: TextIO | None, max_steps: int | None,
    run_id: str, started_at: str, plan: Plan | None = None, count_locations: bool = False,
) -> Outcome:
    """`execute()` once the flow's lock is held."""
    started = time.monotonic()
    for orphan in store.interrupt_orphans(slug):
        earlier = describe_holder({"run": orphan.id, "pid": orphan.pid, "started": orphan.started})
        log.write("warn", f"an earlier run of this flow, {earlier}, was still recorded as running but its "
                  "process is gone: it is now recorded as interrupted")
    state = store.load(slug)
    ambient.run_scope = run_scope(slug, store.succeeded_runs(slug))  # before this run is recorded
    store.start_run(slug, run_id, started_at)
    run = Run(flow=slug, state=state, source=source, log=log, store=store,
              step_limit=DEFAULT_STEP_LIMIT if max_steps is None else max_steps, clock=ambient.clock,
              count_locations=count_locations)
    http: HttpLike | None = None
    error_text: str | None = None
    try:
        run.enter_flow(flow_name)
        try:
            planning = {} if plan is None else {"plan": plan}
            http = make_http(build_systems(), secrets=ambient.secrets, on_request=run.count_request, **planning)
            run.http = http
            result = body(run)
            result_json = _result_json(result)
        finally:
            run.exit_call()
        if plan is None:
            store.save(slug, run.state)
        outcome = Outcome("ok" if plan is None else "planned", EXIT_OK, result_json)
    except FlowError as err:
        run.count_failure(err)
        log.error_report(err)
        error_text = err.render()
        outcome = Outcome("failed", EXIT_FAILED, error=err)
    except RecursionError as exc:
        too_deep = FlowError("limit", "recursion limit reached (the Python stack is exhausted)",
                             hint="does a func call itself without end, or is a value nested thousands of levels deep?")
        log.error_report(too_deep)
        error_text = too_deep.render()
        outcome = Outcome("failed", EXIT_FAILED, error=exc)
    except (KeyboardInterrupt, RunCancelled) as exc:
        run.cancel()
        error_text = "interrupted"
        code = EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED
        outcome = Outcome("interrupted", code, error=exc)
    except Exception as exc:
        limit = _limit_error(exc)
        if limit is not None:
            log.error_report(limit)
            error_text = limit.render()
        else:
            error_text = f"internal error: {type(exc).__name__}: {exc}"
            if ambient.env.get("FLOWLANG_DEBUG") == "1":
                import traceback  # here: only an internal error needs it

                log.plain(traceback.format_exc().rstrip())
            log.plain(f"{error_text} (a bug in flowlang; FLOWLANG_DEBUG=1 shows the traceback)")
        outcome = Outcome("failed", EXIT_FAILED, error=exc)
    finally:
        if http is not None:
            http.close()
    log.close()
    _store_log(store, run_id, log)
    try:
        store.finish_run(
            run_id,
            outcome.status,
            run.succeeded,
            run.failed,
            run.requests,
            mask_secrets(error_text, ambient.secrets) if error_text else None,
        )
    except FlowError as err:  # the result stands; say that the history could not record it
        log.write("warn", err.render())
    if outcome.result_json is not None and stdout is not None:
        try:
            stdout.write(outcome.result_json)  # not `+ "\n"`: that would copy a large result once more
            stdout.write("\n")
            stdout.flush()
        except (OSError, ValueError):
            pass
    log.summary(outcome.status, run.requests, time.monotonic() - started)
    return outcome


def _store_log(store: RunStore, run_id: str, log: RunLog) -> None:
    """Keep the run's log lines in its record (`flowlang runs show`); a failure to do so is only a warning."""
    lines = list(log.kept)
    if log.not_kept:
        lines.append((utc_now(), "warn", None, f"{log.not_kept:,} more log lines were not stored"))
    if not lines:
        return
    try:
        store.add_logs(run_id, lines, 0)
    except FlowError as err:
        log.write("warn", err.render())


def _limit_error(exc: Exception) -> FlowError | None:
    """Python's own limits a flow can reach (memory, digits of a whole number) as flow errors."""
    if isinstance(exc, MemoryError):
        return FlowError("limit", "the flow ran out of memory",
                         hint="does a loop make a list or a text grow without end?")
    if isinstance(exc, ValueError) and "integer string conversion" in str(exc):
        return FlowError("limit", f"a whole number grew beyond {MAX_INT_DIGITS:,} digits, too long to write out",
                         hint="does a loop multiply a number without end?")
    return None


def _result_json(result: Any) -> str:
    try:
        text = to_json(result, indent=2)
        if "NaN" in text or "Infinity" in text:  # maybe a float JSON cannot hold, maybe only text
            parse_json(text)
        return text
    except (TypeError, ValueError) as exc:
        if "integer string conversion" in str(exc):
            raise  # reported as a limit by execute()
        raise FlowError("data", f"the flow's result is not a JSON value: {exc}",
                        hint="a calculation went beyond the largest number, about 1.8e308"
                        if "JSON number" in str(exc) else None) from None


@contextmanager
def _run_environment(ambient: Ambient) -> Iterator[None]:
    """Activate the ambient, make room on the Python stack, and turn SIGTERM into an interrupt."""
    token = activate(ambient)
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, PYTHON_RECURSION_LIMIT))
    old_handler: Any = None
    in_main = threading.current_thread() is threading.main_thread()
    if in_main:
        old_handler = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, old_handler)
        sys.setrecursionlimit(old_limit)
        deactivate(token)


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated()


def _prepare(
    input_path: str | None, state_path: str | None, env_file: str | None, log_format: str, stdin: TextIO,
    plan_slug: str | None = None,
) -> tuple[Ambient, Any, StateStore]:
    """Everything before the run: env, ambient, input and state store; problems raise LaunchError.

    For a plan of flow `plan_slug`, the store is one in memory holding that flow's state as the database
    has it: the plan commits nothing, records no run, and creates no database where there is none.
    """
    if log_format not in LOG_FORMATS:
        raise LaunchError(f"error: unknown log format '{log_format}' (use text or json)")
    env = dict(os.environ)
    if env_file is not None:
        env.update(load_env_file(env_file))
    try:
        ambient = Ambient.from_env(env)
    except ValueError as exc:
        raise LaunchError(f"error: bad FLOWLANG_NOW or FLOWLANG_SEED: {exc}") from None
    source = read_input(input_path, stdin)
    path = state_path or default_state_path()
    try:
        if plan_slug is None:
            return ambient, source, StateStore(path)
        store = StateStore(":memory:")
        if os.path.exists(path):
            with StateStore(path) as real:
                store.save(plan_slug, real.load(plan_slug))
    except FlowError as err:
        raise LaunchError(err.render()) from None
    return ambient, source, store


def launch(
    *,
    file: str,
    flow_name: str,
    slug: str,
    build_systems: SystemsBuilder,
    body: Body,
    input_path: str | None = None,
    state_path: str | None = None,
    env_file: str | None = None,
    log_format: str = "text",
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    make_http: HttpFactory = _default_http,
    max_steps: int | None = None,
    log_level: str = "debug",
    quiet: bool = False,
    wait_lock: bool = False,
    enabled: bool = True,
    force: bool = False,
    plan: bool = False,
    plan_format: str = "text",
) -> int:
    """Run one flow from the command line (of `flowlang run` or a compiled module); returns the exit code.

    `max_steps`: loop iterations and func calls before the run fails with kind `limit` (`--max-steps`;
    None: DEFAULT_STEP_LIMIT). `log_level`: the lowest level shown; `quiet`: warnings and errors only, no
    progress. `wait_lock`: wait for another run of the flow on the same state to end instead of failing.
    A flow with `enabled: false` runs only with `force`. With `plan`, reads are sent and writes are not: the
    planned writes go to stdout (`plan_format` "text" or "json") instead of the result, and nothing is written
    to the state database (see runtime/plan.py).
    """
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    if not enabled and not force:
        _print(stderr, f"{file}: error: flow '{flow_name}' is disabled (enabled: false)\n"
                       "  hint: set enabled: true, or pass --force to run it once anyway")
        return EXIT_USAGE
    try:
        if log_level not in SHOWN_LEVELS:
            raise LaunchError(f"error: unknown log level '{log_level}' (use {', '.join(SHOWN_LEVELS)})")
        with _input_frozen():
            ambient, source, store = _prepare(input_path, state_path, env_file, log_format, stdin,
                                              slug if plan else None)
        return _launch_prepared(flow_name, slug, build_systems, body, ambient, source, store, log_format,
                                stderr, stdout, make_http, max_steps, log_level, quiet, wait_lock, plan,
                                plan_format)
    except LaunchError as exc:
        _print(stderr, str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    finally:
        gc.unfreeze()  # a caller that lives on (a test) gets the objects back into the collector's care


@contextmanager
def _input_frozen() -> Iterator[None]:
    """Pause the cyclic GC while `--input` is parsed, then freeze what exists (modules, tree, input).

    Parsing a large input creates millions of containers that all survive: every collection in the
    middle of it would walk them all again, and so would every full collection during the run. Frozen
    objects are still freed by reference counting; `launch()` unfreezes them when the run is over.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _launch_prepared(
    flow_name: str, slug: str, build_systems: SystemsBuilder, body: Body, ambient: Ambient, source: Any,
    store: StateStore, log_format: str, stderr: TextIO, stdout: TextIO, make_http: HttpFactory,
    max_steps: int | None, log_level: str, quiet: bool, wait_lock: bool, plan: bool, plan_format: str,
) -> int:
    """`launch()` once the input is read and the state store is open."""
    log = _make_log(stderr, log_format, ambient, "warn" if quiet else log_level, quiet)
    planned = Plan(warn=lambda message, where: log.write("warn", message, where)) if plan else None
    try:
        with store, _run_environment(ambient):
            outcome = execute(
                flow_name=flow_name, slug=slug, build_systems=build_systems, body=body, source=source,
                store=store, ambient=ambient, log=log, make_http=make_http,
                stdout=stdout if planned is None else None, max_steps=max_steps, wait_lock=wait_lock,
                plan=planned,
            )
    except FlowError as err:  # the state database could not be read, or the run not recorded
        _print(stderr, mask_secrets(err.render(), ambient.secrets))
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    if planned is not None and outcome.status != "interrupted":
        shown = (planned.as_json(flow_name, outcome.status, outcome.result, ambient.secrets) if plan_format == "json"
                 else planned.as_table(flow_name, outcome.status, ambient.secrets))
        _print(stdout, shown.rstrip("\n"))
    return outcome.exit_code


def run_flow(
    *,
    flow_name: str,
    slug: str,
    build_systems: SystemsBuilder,
    body: Body,
    source: Any = None,
    state_path: str | None = None,
    env_file: str | None = None,
    log_format: str = "text",
    stderr: TextIO | None = None,
    make_http: HttpFactory = _default_http,
) -> Any:
    """Run one flow from Python code: returns its result, raises the FlowError that ended it.

    Setup problems raise LaunchError; the run is recorded in the history like any other.
    """
    stderr = stderr or sys.stderr
    ambient, _, store = _prepare(None, state_path, env_file, log_format, sys.stdin)
    log = _make_log(stderr, log_format, ambient, "debug", False)
    with store, _run_environment(ambient):
        outcome = execute(
            flow_name=flow_name, slug=slug, build_systems=build_systems, body=body, source=source,
            store=store, ambient=ambient, log=log, make_http=make_http,
        )
    if outcome.error is not None:
        raise outcome.error
    return outcome.result


def _make_log(stream: TextIO, log_format: str, ambient: Ambient, level: str, quiet: bool) -> RunLog:
    """The run's log: colours only on a terminal and without NO_COLOR; no progress when quiet."""
    isatty = getattr(stream, "isatty", None)
    terminal = bool(isatty and isatty()) and not quiet
    colour = terminal and not ambient.env.get("NO_COLOR")
    return RunLog(stream, fmt=log_format, secrets=ambient.secrets, interactive=terminal, level=level,
                  colour=colour, keep=KEEP_LINES)


def _print(stream: TextIO, text: str) -> None:
    try:
        stream.write(text + "\n")
        stream.flush()
    except (OSError, ValueError):
        pass
