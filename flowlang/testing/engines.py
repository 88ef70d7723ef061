"""One flow run for a test, on the interpreter or on the compiled module, with mocks, a virtual clock and no disk.

Both engines go through their own runtime's `launcher.execute` (the compiled module's inlined copy for
`compiled`), given an in-memory state store, a JSON run log that is read back, an Ambient with the test's
env, secrets and clock, and an HttpClient whose transport is the test's mock (or a cassette).
"""

from __future__ import annotations

import io
import itertools
import json
import random
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from flowlang.testing.clock import DEFAULT_START, VirtualClock
from flowlang.testing.mocks import Canned, MockTransport

ENGINES = ("interpreter", "compiled")
STACK_LIMIT = 10_000  # as the launcher sets for a run
TransportFactory = Callable[[list[Canned], set[str]], MockTransport]


@dataclass
class Setup:
    """What the `given` lines before a `run` set up."""

    canned: list[Canned] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    now: datetime | None = None
    cassette: Any = None  # a cassettes.Replay when `given cassette` was written


@dataclass
class FlowRun:
    """How one run of a flow ended, as a test sees it."""

    engine: str
    ok: bool
    result: Any  # the flow's result, or the error value (`catch err` sees the same) when it failed
    error: str | None  # the rendered error when it failed
    state: dict[str, Any]
    logs: list[dict[str, Any]]  # {level, message}
    calls: dict[str, list[dict[str, Any]]]
    problems: list[str]  # unmocked requests, cassette mismatches, internal errors: the test fails
    waited: float  # virtual seconds the run waited


_counter = itertools.count(1)


class Engines:
    """Builds each engine's view of a flow once per test session (compiling a module is the slow part)."""

    def __init__(self) -> None:
        self._interpreted: dict[str, Any] = {}
        self._modules: dict[tuple[str, str], dict[str, Any]] = {}

    def parts(self, engine: str, project: Any, flow: str) -> dict[str, Any]:
        return self._interpreter_parts(project, flow) if engine == "interpreter" else self._compiled_parts(project, flow)

    def _interpreter_parts(self, project: Any, flow: str) -> dict[str, Any]:
        from flowlang.interpreter import compile_project
        from flowlang.runtime import ambient, http, launcher, runlog, state

        compiled = self._interpreted.get(project.root)
        if compiled is None:
            compiled = self._interpreted[project.root] = compile_project(project)
        chosen = compiled.select_flow(flow)
        return {
            "flow_name": chosen.name, "slug": chosen.slug, "build_systems": compiled.build_systems,
            "body": chosen.run, "execute": launcher.execute, "Ambient": ambient.Ambient,
            "activate": ambient.activate, "deactivate": ambient.deactivate, "RunLog": runlog.RunLog,
            "StateStore": state.StateStore, "HttpClient": http.HttpClient,
        }

    def _compiled_parts(self, project: Any, flow: str) -> dict[str, Any]:
        from flowlang.codegen import compile_project

        key = (project.root, flow)
        parts = self._modules.get(key)
        if parts is None:
            from flowlang.testing.coverage import remember

            source = compile_project(project, flow)
            name = f"flowlang_test_module_{next(_counter)}"
            module = types.ModuleType(name)
            sys.modules[name] = module  # dataclasses look their module up
            filename = f"<compiled {project.root} {flow}>"
            remember(filename, source)
            exec(compile(source, filename, "exec"), module.__dict__)
            parts = self._modules[key] = module.harness_parts()
        return parts


def run_flow(engines: Engines, engine: str, project: Any, flow: str, setup: Setup, source: Any,
             transport: httpx.AsyncBaseTransport | None = None) -> FlowRun:
    """Run `flow` of `project` once on `engine` as `setup` says; never raises for what the flow does."""
    parts = engines.parts(engine, project, flow)
    clock = VirtualClock(setup.now or DEFAULT_START)
    secrets = {value for value in setup.secrets.values() if value}
    mock = transport if transport is not None else MockTransport(list(setup.canned))
    env = {**setup.env, **setup.secrets}
    ambient = parts["Ambient"](env=env, secrets=set(secrets), fixed_now=None, rng=random.Random(0), seeded=True,
                               clock=clock)
    if hasattr(mock, "secrets"):
        mock.secrets = ambient.secrets

    def make_http(systems: dict[str, Any], **options: Any) -> Any:
        if isinstance(mock, MockTransport):
            mock.systems = systems
        return parts["HttpClient"](systems, clock=clock, transport=mock, **options)

    stream = io.StringIO()
    log = parts["RunLog"](stream, fmt="json", secrets=ambient.secrets, interactive=False)
    store = parts["StateStore"](":memory:")
    slug = parts["slug"]
    if setup.state:
        store.save(slug, setup.state)
    token = parts["activate"](ambient)
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, STACK_LIMIT))
    try:
        outcome = parts["execute"](
            flow_name=parts["flow_name"], slug=slug, build_systems=parts["build_systems"], body=parts["body"],
            source=source, store=store, ambient=ambient, log=log, make_http=make_http,
        )
        after = store.load(slug)
    finally:
        sys.setrecursionlimit(old_limit)
        parts["deactivate"](token)
        store.close()
    problems = list(getattr(mock, "problems", []))
    if isinstance(mock, MockTransport):
        problems += [f"unmocked call {call}" for call in mock.unmocked]
    calls = getattr(mock, "calls", {})
    error = outcome.error
    result: Any = outcome.result
    rendered = None
    if outcome.status != "ok":
        if hasattr(error, "to_value") and hasattr(error, "render"):
            result, rendered = error.to_value(), error.render()
        elif not problems:
            problems.append(f"internal error: {type(error).__name__}: {error}")
    return FlowRun(engine, outcome.status == "ok", result, rendered, after, _log_records(stream.getvalue()),
                   calls, problems, clock.elapsed)


def _log_records(text: str) -> list[dict[str, Any]]:
    """The `log` lines of a run (not its closing summary or the report of the error that ended it)."""
    records = []
    for line in text.splitlines():
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict) and "status" not in obj and "kind" not in obj:
            records.append({"level": obj.get("level"), "message": obj.get("message"), "line": obj.get("line")})
    return records
