"""Where lambda defs go: once at module level when they close over nothing, else inside their func."""

from __future__ import annotations

import ast
from pathlib import Path

from .conftest import CompileFlow, RunBoth


def module_level_defs(source: str) -> set[str]:
    return {node.name for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)}


def test_a_lambda_using_only_its_parameter_is_defined_once_at_module_level(
    compile_flow: CompileFlow,
) -> None:
    compiled = compile_flow(
        """
        func totals(order, rate) {
          plain = map(order.lines, l => l.qty * l.price)
          taxed = map(order.lines, l => l.qty * l.price * rate)
          return {plain: plain, taxed: taxed}
        }

        flow f {
          return totals({lines: [{qty: 2, price: 5}]}, 2)
        }
        """
    )
    defs = module_level_defs(compiled.source)
    assert "_lambda_3_28" in defs  # l => l.qty * l.price
    assert "_lambda_4_28" not in defs  # reads `rate`, a parameter of the func: a closure, nested
    assert "def _lambda_4_28(" in compiled.source


def test_closures_and_module_level_lambdas_give_the_interpreters_results(run_both: RunBoth) -> None:
    ran = run_both(
        """
        func totals(order, rate) {
          plain = map(order.lines, l => l.qty * l.price)
          taxed = map(order.lines, l => l.qty * l.price * rate)
          nested = map(order.lines, l => map(l.tags, t => "{t}:{l.qty}"))
          return {plain: plain, taxed: taxed, nested: nested}
        }

        flow f {
          first = totals({lines: [{qty: 2, price: 5, tags: ["a"]}]}, 2)
          second = totals({lines: [{qty: 1, price: 7, tags: ["b", "c"]}, {qty: 3, price: 1, tags: []}]}, 10)
          broken = totals({lines: [{qty: 1}]}, 1)
          return [first, second, broken]
        }
        """
    )
    assert ran.compiled == ran.interpreted
    code, result, log = ran.compiled
    assert (code, result) == (3, None)
    assert log[0] == "main.flow:3:41: error: l has no field 'price'"


# A lambda at line 4, column 18 in both lib.flow and main.flow (main's text starts with an empty line).
LIB = "# the same lambda position\n# as in main.flow\nfunc twice(xs) {\n  return map(xs, x => x.n * 2)\n}\n"
MAIN = """
import "lib.flow"
func add(xs) {
  return map(xs, x => x.n + 1)
}

flow f {
  return {twice: twice([{n: 1}]), add: add([{n: 1}])}
}
"""


def test_lambdas_at_the_same_position_in_two_files_get_their_own_defs(
    compile_flow: CompileFlow, tmp_path: Path
) -> None:
    (tmp_path / "lib.flow").write_text(LIB, encoding="utf-8")
    compiled = compile_flow(MAIN)
    assert {"_lambda_4_18", "_lambda_4_18_1"} <= module_level_defs(compiled.source)


def test_two_files_with_lambdas_at_the_same_position_run_as_in_the_interpreter(
    run_both: RunBoth, tmp_path: Path
) -> None:
    (tmp_path / "lib.flow").write_text(LIB, encoding="utf-8")
    ran = run_both(MAIN)
    assert ran.compiled == ran.interpreted
    assert ran.compiled[1] == {"twice": [2], "add": [2]}


def test_map_and_filter_in_fast_copies_run_as_in_the_interpreter(run_both: RunBoth) -> None:
    # `map`/`filter` with a lambda become comprehensions in fast copies; over `a ?? b` (a walrus,
    # not allowed in a comprehension's iterable) and over a stream they stay builtin calls
    ran = run_both(
        """
        flow f {
          order = {lines: [{sku: " a ", qty: 2}, {sku: "b", qty: 0}], extra: null}
          skus = map(order.lines, l => upper(trim(l.sku)))
          kept = filter(order.lines, l => l.qty > 0)
          fallback = map(order.extra ?? order.lines, l => l.qty)
          words = map(order.lines, l => l.sku + l.qty)
          return {skus: skus, kept: kept, fallback: fallback, words: words}
        }
        """
    )
    assert ran.compiled == ran.interpreted
    code, _, log = ran.compiled
    assert code == 3
    assert log[0] == "main.flow:7:33: error: cannot add string and number"
