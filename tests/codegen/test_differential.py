"""The compiled module behaves exactly like the interpreter: every example and every interpreter corpus flow.

Both engines run the same flow against the same real test server; stdout, exit code, log lines
(timestamps removed), the requests the server received and the saved state must be identical. New
flows are picked up by the globs below.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from flowlang.codegen.context import select_flow
from flowlang.loader import load_project

from .differential import Outcome, both, environment

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
CORPUS = ROOT / "tests" / "interpreter" / "flows"
FIXED = {"FLOWLANG_NOW": "2026-06-01T12:00:00Z", "FLOWLANG_SEED": "7"}


def example_flows() -> list[tuple[str, str]]:
    """(file, flow) for every flow of every example file."""
    found = []
    for path in sorted(EXAMPLES.glob("*.flow")):
        with environment(EXAMPLES, {}):
            project = load_project(path.name)
        for flow in project.programs[project.root].flows:
            found.append((path.name, flow.name))
    return found


def corpus_flows() -> list[str]:
    return sorted(p.name for p in CORPUS.glob("*.flow"))


def slug_of(cwd: Path, file: str, flow: str | None) -> str:
    with environment(cwd, {}):
        return select_flow(load_project(file), flow)[2]


def uses_parallel(cwd: Path, file: str) -> bool:
    return " parallel " in (cwd / file).read_text(encoding="utf-8")


def assert_same(compiled: Outcome, interpreted: Outcome, parallel: bool) -> None:
    """Equal outcomes; with parallel loops, log lines and requests may come in any order."""
    if parallel:
        for outcome in (compiled, interpreted):
            outcome.log.sort()
    assert compiled == interpreted


# ---------------------------------------------------------------- examples against the fake systems


@pytest.fixture(scope="module")
def fake_systems() -> Iterator[object]:
    sys.path.insert(0, str(EXAMPLES))
    import fake_systems as module

    with module.start() as server:
        yield server
    sys.path.remove(str(EXAMPLES))


@pytest.mark.parametrize(("file", "flow"), example_flows(), ids=lambda v: str(v))
def test_example_gives_the_same_outcome_in_both_engines(
    file: str, flow: str, fake_systems: object, tmp_path: Path
) -> None:
    server = fake_systems

    def take_requests() -> list[str]:
        requests = [json.dumps(r, sort_keys=True) for r in server.requests()]  # type: ignore[attr-defined]
        server.reset()  # type: ignore[attr-defined]
        return sorted(requests) if uses_parallel(EXAMPLES, file) else requests

    sample = EXAMPLES / "samples" / f"{Path(file).stem}.json"
    input_file = f"samples/{sample.name}" if sample.exists() else None
    env = {**server.env(), **FIXED}  # type: ignore[attr-defined]
    interpreted, compiled = both(
        EXAMPLES, file, flow, env, input_file, tmp_path, take_requests, slug_of(EXAMPLES, file, flow)
    )
    assert interpreted.requests, "the example should talk to the fake systems"
    assert_same(compiled, interpreted, uses_parallel(EXAMPLES, file))


# ---------------------------------------------------------------- the interpreter's corpus


@pytest.fixture(scope="module")
def corpus_server() -> Iterator[object]:
    from interpreter.flowcases import start_flow_server

    with start_flow_server() as server:
        yield server


@pytest.mark.parametrize("file", corpus_flows())
def test_corpus_flow_gives_the_same_outcome_in_both_engines(
    file: str, corpus_server: object, tmp_path: Path
) -> None:
    from interpreter.flowcases import environment as corpus_env

    server = corpus_server

    def take_requests() -> list[str]:
        with server._lock:  # type: ignore[attr-defined]
            lines = [f"{r.line()} {r.body.decode()}" for r in server.requests]  # type: ignore[attr-defined]
            server.requests.clear()  # type: ignore[attr-defined]
        return sorted(lines) if uses_parallel(CORPUS, file) else lines

    stem = file[: -len(".flow")]
    input_file = f"{stem}.input.json" if (CORPUS / f"{stem}.input.json").exists() else None
    env = corpus_env(server)  # type: ignore[arg-type]
    interpreted, compiled = both(
        CORPUS, file, None, env, input_file, tmp_path, take_requests, slug_of(CORPUS, file, None)
    )
    assert_same(compiled, interpreted, uses_parallel(CORPUS, file))
