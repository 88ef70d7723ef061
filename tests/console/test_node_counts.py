"""Per-location counts of a run (runtime/counts.py) on both engines: statements, iterations, calls, funcs,
catches and failures, the same on the interpreter and on the compiled module; none without counting."""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from flowlang.loader import load_project
from flowlang.testing.engines import ENGINES, Engines, Setup, run_flow
from flowlang.testing.mocks import Canned

FLOW = """\
system erp {
  base_url: "http://erp.test"

  POST create_order "/orders"
  GET list_orders "/orders"
}

func label(o) {
  return "order {o.id}"
}

flow sync {
  orders = [{id: 1}, {id: 2}, {id: 3}, {id: 4}]
  sent = 0
  for o in orders {
    if o.id == 2 {
      log info "skip {label(o)}"
    } else if o.id >= 3 {
      try {
        call erp.create_order(body: {id: o.id, bad: true})
      } catch err {
        log failure "refused {label(o)}"
      }
    } else {
      call erp.create_order(body: {id: o.id})
      sent += 1
    }
  }
  for o in orders parallel 2 {
    sent += 0
  }
  n = 0
  while n < 2 {
    n += 1
  }
  total = call erp.list_orders()
  return {sent: sent, n: n, total: total.body.count}
}
"""

# Line numbers of FLOW (1-based), named for the assertions below.
L = {line.strip(): n for n, line in enumerate(FLOW.splitlines(), 1)}


def _line(start: str) -> int:
    return next(n for text, n in L.items() if text.startswith(start))


CANNED = [
    Canned("erp", "create_order", {"body": {"bad": True}}, [{"status": 422, "body": {"error": "refused"}}]),
    Canned("erp", "create_order", {}, [{"status": 201, "body": {"id": "E1"}}]),
    Canned("erp", "list_orders", {}, [{"status": 200, "body": {"count": 4}}]),
]


class CountingEngines(Engines):
    """Both engines compiled for counting, each run made with `count_locations` and its Run kept."""

    def __init__(self, counting: bool = True) -> None:
        super().__init__()
        self.counting = counting
        self.runs: list[Any] = []

    def parts(self, engine: str, project: Any, flow: str) -> dict[str, Any]:
        if engine == "interpreter":
            from flowlang.interpreter import compile_project as interpret

            parts = dict(super().parts(engine, project, flow))
            compiled = interpret(project, counting=self.counting)
            chosen = compiled.select_flow(flow)
            parts.update(body=chosen.run, build_systems=compiled.build_systems)
        else:
            from flowlang.codegen import compile_project as generate

            module = types.ModuleType(f"counting_module_{len(self.runs)}_{self.counting}")
            sys.modules[module.__name__] = module
            exec(compile(generate(project, flow, counting=self.counting), "<compiled counts>", "exec"),
                 module.__dict__)
            parts = dict(module.harness_parts())
        body, execute = parts["body"], parts["execute"]

        def kept(run: Any) -> Any:
            self.runs.append(run)
            return body(run)

        def counting_execute(**kwargs: Any) -> Any:
            return execute(**kwargs, count_locations=True)

        parts.update(body=kept, execute=counting_execute)
        return parts


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = Path(tmp_path_factory.mktemp("counts")) / "sync.flow"
    path.write_text(FLOW, encoding="utf-8")
    loaded = load_project(str(path))
    assert not [d for d in loaded.diagnostics if d.is_error], loaded.diagnostics
    return loaded


def _counts(project: Any, engine: str, counting: bool = True) -> dict[tuple[str, int], int]:
    engines = CountingEngines(counting)
    outcome = run_flow(engines, engine, project, "sync", Setup(canned=[Canned(c.system, c.operation, c.args,
                                                                               c.responses) for c in CANNED]), None)
    assert outcome.ok, (outcome.error, outcome.problems)
    assert outcome.result == {"sent": 1, "n": 2, "total": 4}
    (run,) = engines.runs
    return _records(run)


def _records(run: Any) -> dict[tuple[str, int], int]:
    return {(r["kind"], r["line"]): r["count"] for r in run.counts.records()}


def _run_source(tmp_path: Path, engine: str, flow: str, source: str) -> tuple[Any, dict[tuple[str, int], int]]:
    """Run flow `flow` of `source` (a file of its own) counting; its outcome and counts."""
    path = tmp_path / f"{flow}.flow"
    path.write_text(source, encoding="utf-8")
    engines = CountingEngines()
    outcome = run_flow(engines, engine, load_project(str(path)), flow, Setup(), None)
    (run,) = engines.runs
    return outcome, _records(run)


@pytest.mark.parametrize("engine", ENGINES)
def test_every_kind_of_place_is_counted(project: Any, engine: str) -> None:
    got = _counts(project, engine)
    expect: Callable[[str, str], int] = lambda kind, start: got.get((kind, _line(start)), 0)  # noqa: E731
    assert expect("statement", "orders = [") == 1
    assert expect("iteration", "for o in orders {") == 4
    assert expect("iteration", "for o in orders parallel 2") == 4
    assert expect("statement", "sent += 0") == 4
    assert expect("iteration", "while n < 2") == 2
    assert expect("statement", "if o.id == 2") == 4
    assert expect("statement", "} else if o.id >= 3") == 3  # reached when the first test was false
    assert expect("statement", "log info") == 1
    assert expect("statement", "try {") == 2
    assert expect("call", "call erp.create_order(body: {id: o.id, bad") == 2
    assert expect("failure", "call erp.create_order(body: {id: o.id, bad") == 2  # both refused, both caught
    assert expect("catch", "} catch err {") == 2
    assert expect("statement", "log failure") == 2
    assert expect("call", "call erp.create_order(body: {id: o.id})") == 1
    assert expect("failure", "call erp.create_order(body: {id: o.id})") == 0
    assert expect("func", "log info") == 1 and expect("func", "log failure") == 2
    assert expect("statement", 'return "order') == 3  # the func's own statement, three calls
    assert expect("call", "total = call") == 1
    assert expect("statement", "return {sent") == 1
    assert ("statement", _line("for o in orders {")) not in got  # a loop counts iterations only


def test_both_engines_count_the_same(project: Any) -> None:
    assert _counts(project, "interpreter") == _counts(project, "compiled")


@pytest.mark.parametrize("engine", ENGINES)
def test_without_counting_code_only_the_runtime_counts(project: Any, engine: str) -> None:
    """Code compiled without counting reports no statements (and the module holds no rt.hit at all)."""
    got = _counts(project, engine, counting=False)
    assert {kind for kind, _ in got} == {"iteration", "call", "func"}


def test_modules_without_counting_have_no_hooks(project: Any) -> None:
    from flowlang.codegen import compile_project as generate

    assert "rt.hit(" not in generate(project, "sync") and "rt.caught(" not in generate(project, "sync")
    assert generate(project, "sync", counting=True).count("rt.caught(") == 1


@pytest.mark.parametrize("engine", ENGINES)
def test_the_uncaught_error_is_counted_where_it_was_raised(tmp_path: Path, engine: str) -> None:
    outcome, records = _run_source(tmp_path, engine, "boom", 'flow boom {\n  items = [1, 2]\n  for i in items {\n'
                                   '    if i == 2 {\n      fail "item {i}"\n    }\n  }\n}\n')
    assert not outcome.ok and "item 2" in (outcome.error or "")
    assert records == {("statement", 2): 1, ("iteration", 3): 2, ("statement", 4): 2, ("statement", 5): 1,
                       ("failure", 5): 1}


@pytest.mark.parametrize("engine", ENGINES)
def test_parallel_iterations_lose_no_count(tmp_path: Path, engine: str) -> None:
    outcome, records = _run_source(tmp_path, engine, "wide", "flow wide {\n  n = 0\n  for i in range(3000) parallel 8 {\n"
                                   "    x = i * 2\n    n += 1\n  }\n  return n\n}\n")
    assert outcome.ok and outcome.result == 3000, outcome.error
    assert records == {("statement", 2): 1, ("iteration", 3): 3000, ("statement", 4): 3000,
                       ("statement", 5): 3000, ("statement", 7): 1}
