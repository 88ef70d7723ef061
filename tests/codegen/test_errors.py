"""Errors of compiled flows read exactly as the interpreter's: same message, same `.flow` line and column.

Builtins are called directly in compiled code; when one fails, the module finds the failing call from
the traceback. These flows make builtins fail in the places where that is hardest to get right.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from .conftest import FIXED, CompileFlow, RunBoth

FAILING_CALLS = {
    "a statement": """
        flow f {
          name = upper(42)
          return name
        }
    """,
    "the second call of the same builtin on one line": """
        flow f {
          names = [upper("a"), upper(2), upper("c")]
          return names
        }
    """,
    "a lambda inside map": """
        flow f {
          return map(["a", 3], x => upper(x))
        }
    """,
    "a nested lambda": """
        flow f {
          return map([[1], [2, "x"]], xs => map(xs, x => round(x, 1)))
        }
    """,
    "a func called from a lambda": """
        func shout(text) {
          return upper(text) + "!"
        }

        flow f {
          return map(["a", null], t => shout(t))
        }
    """,
    "a func default": """
        func pad(text, width = length(42)) {
          return text
        }

        flow f {
          return pad("x")
        }
    """,
    "a parallel loop": """
        flow f {
          total = 0
          for n in [1, 2, "3"] parallel 2 {
            total += abs(n)
          }
          return total
        }
    """,
    "an interpolation": """
        flow f {
          return "value: {lower(7)}"
        }
    """,
    "a field missing in one record of a map": """
        flow f {
          return map([{a: 1}, {b: 2}], r => r.a + 1)
        }
    """,
    "a field of a text in a nested map": """
        flow f {
          return map([{a: [{x: 1}]}, {a: ["s"]}], r => map(r.a, i => i.x))
        }
    """,
    "a system setting": """
        system api {
          base_url: env("NO_SUCH_VARIABLE_FOR_TESTS")
          GET ping "/ping"
        }

        flow f {
          r = call api.ping()
          return r.status
        }
    """,
}


@pytest.mark.parametrize("text", list(FAILING_CALLS.values()), ids=list(FAILING_CALLS))
def test_a_failing_builtin_is_reported_at_its_call(text: str, run_both: RunBoth) -> None:
    ran = run_both(text)
    assert ran.interpreted[0] == 3, ran.interpreted
    assert ran.compiled == ran.interpreted


def test_catch_sees_the_same_error_value(run_both: RunBoth) -> None:
    ran = run_both(
        """
        flow f {
          caught = []
          for value in ["a", 1, [2]] {
            try {
              caught += [upper(value)]
            } catch err {
              caught += [err]
            }
          }
          try {
            x = parse_json("\\{broken")
          } catch {
            caught += ["json failed"]
          }
          return caught
        }
        """
    )
    assert ran.interpreted[0] == 0, ran.interpreted
    assert ran.compiled == ran.interpreted
    assert ran.compiled[1][1]["line"] == 6


def test_limit_errors_are_not_caught(run_both: RunBoth) -> None:
    ran = run_both(
        """
        func forever(n) {
          return forever(n + 1)
        }

        flow f {
          try {
            forever(0)
          } catch {
            return "caught"
          }
          return "not reached"
        }
        """
    )
    assert ran.interpreted[0] == 3
    assert ran.compiled == ran.interpreted


def test_without_column_information_a_line_with_one_call_still_locates(
    compile_flow: CompileFlow,
) -> None:
    compiled = compile_flow(FAILING_CALLS["a statement"])
    done = subprocess.run(
        [sys.executable, "-X", "no_debug_ranges", str(compiled.module), "--state", "s.db"],
        cwd=compiled.folder, env={**os.environ, **FIXED}, capture_output=True, text=True,
        timeout=60, check=False,
    )
    assert done.returncode == 3
    assert done.stderr.startswith("main.flow:3:10: error: upper() expects a string, got number")


def test_a_lambda_with_effects_is_not_given_a_fast_path(compile_flow: CompileFlow) -> None:
    part = compile_flow(
        """
        flow f {
          ids = map([{n: 1}], r => {n: r.n, id: uuid()})
          names = map([{n: "a"}], r => upper(r.n))
          return [ids, names]
        }
        """
    ).flow_part()
    assert "lambda v_r=None, *_: {" in part  # evaluated once: uuid() must not run twice
    assert "def _lambda_4_27(v_r=None, *_):" in part  # pure: a fast path with a fallback


def test_mapping_with_and_without_missing_fields_matches_the_interpreter(run_both: RunBoth) -> None:
    ran = run_both(
        """
        flow f {
          rows = [{id: 1, tags: ["a"]}, {id: 2}, {id: 3, tags: "x"}, "text"]
          return map(rows, r => {id: r?.id, tags: length(r?.tags ?? []), first: r?.tags?.first})
        }
        """
    )
    assert ran.compiled == ran.interpreted


def test_a_lambda_inside_a_lambda_without_a_fast_path_still_sees_its_parameters(run_both: RunBoth) -> None:
    ran = run_both(
        """
        flow f {
          rows = [{base: 10, items: [{v: 1}, {v: 2}]}]
          return map(rows, r => {id: uuid(), sums: map(r.items, i => i.v + r.base)})
        }
        """
    )
    assert ran.interpreted[0] == 0, ran.interpreted
    assert ran.compiled == ran.interpreted
