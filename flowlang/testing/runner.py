"""`flowlang test`: find test blocks, run each on every engine, compare the engines, report like pytest."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from flowlang import nodes
from flowlang.diagnostics import Diagnostic
from flowlang.testing.cases import CaseResult, Evaluator, Failure, TestCase, show
from flowlang.testing.engines import ENGINES, Engines

# What the engines' runs of one test must agree on, and how a difference is named.
COMPARED = (("ok", "the run ended differently"), ("result", "the results differ"),
            ("state", "the states differ"), ("logs", "the log lines differ"), ("calls", "the requests differ"))
SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".flowlang"}
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


@dataclass
class Outcome:
    """One test on every engine it ran on."""

    case: TestCase
    results: list[CaseResult]
    seconds: float
    disagreement: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.disagreement and all(not r.failures for r in self.results)


@dataclass
class Session:
    """Everything one `flowlang test` found and ran."""

    files: list[str] = field(default_factory=list)
    errors: list[tuple[str, list[Diagnostic], dict[str, str]]] = field(default_factory=list)  # files that do not check
    outcomes: list[Outcome] = field(default_factory=list)
    engines: tuple[str, ...] = ENGINES
    seconds: float = 0.0
    reached: dict[str, set[int]] = field(default_factory=dict)  # --coverage: file -> statement lines reached

    @property
    def failed(self) -> int:
        return sum(1 for o in self.outcomes if not o.passed) + len(self.errors)

    @property
    def passed(self) -> int:
        return sum(1 for o in self.outcomes if o.passed)


def test_files(paths: list[str]) -> list[str]:
    """The `.flow` files named, and those under the directories named, that hold a `test` block."""
    found: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
                for name in sorted(files):
                    full = os.path.join(root, name)
                    if name.endswith(".flow") and _has_tests(full):
                        found.append(os.path.normpath(full))
        else:
            found.append(os.path.normpath(path))
    return list(dict.fromkeys(found))


def _has_tests(path: str) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return any(line.lstrip().startswith("test ") for line in handle)
    except OSError:
        return False


class Runner:
    """Loads and checks each test file, then runs its tests; projects of the flows run are loaded once."""

    def __init__(self, engines: tuple[str, ...], pattern: str | None = None) -> None:
        self.engines = Engines()
        self.engine_names = engines
        self.pattern = pattern.lower() if pattern else None
        self._projects: dict[str, Any] = {}

    def project(self, path: str) -> Any:
        from flowlang.loader import load_project

        if path not in self._projects:
            self._projects[path] = load_project(path)
        return self._projects[path]

    def collect(self, file: str, session: Session) -> list[TestCase]:
        from flowlang.checker import check
        from flowlang.loader import load_project

        project = load_project(file)
        errors = [d for d in check(project) if d.is_error]
        if errors:
            session.errors.append((file, errors, dict(project.sources)))
            return []
        program = project.programs.get(project.root)
        if program is None:
            return []
        declared = {f.name: path for path, p in project.programs.items() for f in p.flows}
        cases = []
        evaluate = Evaluator()
        for test in program.tests:
            if self.pattern and self.pattern not in test.name.lower():
                continue
            flows = {item.flow for item in test.items if isinstance(item, nodes.RunFlow)}
            projects = {name: self.project(declared[name]) for name in flows}
            cases.append(TestCase(test, file, project.sources[project.root], projects,
                                  os.path.dirname(project.root), evaluate, _cassettes_module()))
        return cases

    def run(self, case: TestCase) -> Outcome:
        started = time.perf_counter()
        results = [case.run(self.engines, engine) for engine in self.engine_names]
        return Outcome(case, results, time.perf_counter() - started, disagreement(results))


def _cassettes_module() -> Any:
    from flowlang.testing import cassettes

    return cassettes


def disagreement(results: list[CaseResult]) -> list[str]:
    """How the engines' runs differ (result, state, logs, requests, what each expectation saw)."""
    if len(results) < 2 or any(r.failures for r in results):
        return []
    first, *others = results
    found: list[str] = []
    for other in others:
        for index, (a, b) in enumerate(zip(first.runs, other.runs, strict=False)):
            for what, label in COMPARED:
                left, right = getattr(a, what), getattr(b, what)
                if what == "logs":  # in any order: the iterations of a parallel loop log as they finish
                    left = sorted([r["level"], r["message"]] for r in left)
                    right = sorted([r["level"], r["message"]] for r in right)
                if what == "calls":
                    left, right = _comparable_calls(left), _comparable_calls(right)
                if left != right:
                    found.append(f"run {index + 1}: {label}: {first.engine} {show(left)[:300]} "
                                 f"vs {other.engine} {show(right)[:300]}")
        if not found and first.observed != other.observed:
            found.append(f"the expectations saw different values: {first.engine} {show(first.observed)[:300]} "
                         f"vs {other.engine} {show(other.observed)[:300]}")
    return found


def _comparable_calls(calls: dict[str, list[dict[str, Any]]]) -> dict[str, list[Any]]:
    """The requests per operation without headers, in any order (parallel loops send them as they go)."""
    return {op: sorted(({k: v for k, v in c.items() if k != "headers"} for c in items), key=show)
            for op, items in calls.items()}


def run_session(paths: list[str], *, engines: tuple[str, ...] = ENGINES, pattern: str | None = None,
                out: TextIO, coverage: bool = False) -> Session:
    """Collect and run every test under `paths`, printing progress (a dot per test) to `out`."""
    from flowlang.testing import report

    started = time.perf_counter()
    session = Session(files=test_files(paths), engines=engines)
    runner = Runner(engines, pattern)
    tracker = None
    if coverage:
        from flowlang.testing.coverage import Tracker

        tracker = Tracker()
    report.header(session, out)
    for file in session.files:
        errors = len(session.errors)
        cases = runner.collect(file, session)
        if len(session.errors) > errors:
            out.write(f"{file} E\n")  # it does not check: its report comes with the failures
        if not cases:
            continue
        out.write(f"{file} ")
        for case in cases:
            if tracker is not None:
                with tracker:
                    outcome = runner.run(case)
            else:
                outcome = runner.run(case)
            session.outcomes.append(outcome)
            out.write("." if outcome.passed else "F")
            out.flush()
        out.write("\n")
    if tracker is not None:
        session.reached = tracker.reached
    session.seconds = time.perf_counter() - started
    return session


def main(paths: list[str], *, engine: str = "both", pattern: str | None = None, junit: str | None = None,
         coverage: bool = False, out: TextIO) -> int:
    """The whole command: run, print failures and the closing line, write the JUnit file; the exit code."""
    from flowlang.testing import report
    from flowlang.testing.cassettes import unwritable

    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        out.write(f"error: no such file or directory: {missing[0]}\n")
        return EXIT_USAGE
    problem = None if junit is None else unwritable(junit)
    if problem is not None:  # said before the tests run, not after
        out.write(f"error: cannot write {junit}: {problem}\n")
        return EXIT_USAGE
    engines = ENGINES if engine == "both" else (engine,)
    if coverage and "compiled" not in engines:  # statements are traced in compiled modules only
        out.write("error: --coverage is measured on the compiled engine: use --engine compiled or both (the default)\n")
        return EXIT_USAGE
    session = run_session(paths, engines=engines, pattern=pattern, out=out, coverage=coverage)
    report.failures(session, out)
    if coverage:
        report.coverage(session, out)
    if junit:
        try:
            Path(junit).write_text(report.junit(session), encoding="utf-8")
        except OSError as exc:
            out.write(f"error: cannot write {junit}: {exc.strerror}\n")
            return EXIT_USAGE
    report.closing(session, out)
    if not session.outcomes and not session.errors:
        return EXIT_FAILED  # no test ran: nothing was shown to work
    return EXIT_OK if session.failed == 0 else EXIT_FAILED


__all__ = ["Failure", "Outcome", "Runner", "Session", "main", "run_session", "test_files"]
