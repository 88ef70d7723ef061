"""The engine against a `Run` built by hand: limits, parallel loops, state, errors, progress, registry."""

from __future__ import annotations

import io
from textwrap import dedent
from types import SimpleNamespace
from typing import Any

import pytest
from flowlang.stdlib.registry import Builtin, BuiltinParam

from flowlang import nodes
from flowlang.interpreter import compile_project
from flowlang.interpreter.core import COMPILERS, Ctx, compile_node, compiles, node_classes
from flowlang.runtime.context import Run
from flowlang.runtime.errors import FlowError
from flowlang.runtime.runlog import RunLog
from flowlang.syntax.parser import parse, parse_expression


def run_text(text: str, *, interactive: bool = False, **options: Any) -> tuple[Any, Run, io.StringIO]:
    """Compile `text` as t.flow and run its only flow against a fresh Run; (result, run, log stream)."""
    program = parse(dedent(text), "t.flow")
    compiled = compile_project(SimpleNamespace(root="t.flow", programs={"t.flow": program}))
    stream = io.StringIO()
    run = Run(flow="t", log=RunLog(stream, interactive=interactive), **options)
    return compiled.select_flow(None).run(run), run, stream


def failure(text: str, **options: Any) -> FlowError:
    with pytest.raises(FlowError) as caught:
        run_text(text, **options)
    return caught.value


# ---------------------------------------------------------------- the compiler registry


def test_every_node_class_has_a_compiler() -> None:
    classes = node_classes()
    assert len(classes) > 30
    assert [c.__name__ for c in classes if c not in COMPILERS] == []


def test_every_compiler_quotes_the_grammar_form_it_handles() -> None:
    undocumented = [fn.__name__ for fn in COMPILERS.values() if ":" not in (fn.__doc__ or "")]
    assert undocumented == []


def test_a_compiler_must_be_named_after_a_node_class() -> None:
    def compile_Nothing(node: Any, ctx: Ctx) -> None:
        """nothing: -"""

    with pytest.raises(TypeError, match="no node class"):
        compiles(compile_Nothing)


# ---------------------------------------------------------------- limits


def test_the_step_limit_ends_an_endless_loop() -> None:
    err = failure(
        """
        flow t {
          while true {
            wait 0s
          }
        }
        """,
        step_limit=50,
    )
    assert (err.kind, err.where) == ("limit", ("t.flow", 3, 3))


def test_a_limit_error_is_not_caught_by_try() -> None:
    err = failure(
        """
        flow t {
          try {
            for n in range(0, 1000) {
              wait 0s
            }
          } catch err {
            return "caught"
          }
        }
        """,
        step_limit=10,
    )
    assert err.kind == "limit"


def test_the_recursion_limit_ends_endless_recursion_and_is_not_caught() -> None:
    err = failure(
        """
        flow t {
          try {
            return down(0)
          } catch err {
            return "caught"
          }
        }

        func down(n) {
          return down(n + 1)
        }
        """,
        recursion_limit=25,
    )
    assert (err.kind, err.where) == ("limit", ("t.flow", 11, 10))
    assert err.message.startswith("recursion limit reached") and "25 nested calls" in err.message


# ---------------------------------------------------------------- values and scopes


def test_plus_equals_appends_to_a_list_in_place() -> None:
    result, _, _ = run_text(
        """
        flow t {
          items = [1]
          alias = items
          items += [2, 3]
          items += 4
          return alias
        }
        """
    )
    assert result == [1, 2, 3, 4]


def test_a_flow_without_return_gives_null() -> None:
    assert run_text("flow t {\n  x = 1\n}\n")[0] is None


def test_assignment_in_a_loop_creates_the_name_in_the_flow_scope() -> None:
    result, _, _ = run_text(
        """
        flow t {
          for n in [1, 2, 3] {
            last = n
          }
          return last
        }
        """
    )
    assert result == 3


def test_funcs_do_not_see_the_callers_variables() -> None:
    err = failure(
        """
        flow t {
          secret_value = 1
          return peek()
        }

        func peek() {
          return secret_value
        }
        """
    )
    assert (err.message, err.where) == ("'secret_value' is not defined here", ("t.flow", 8, 10))


def test_state_reads_null_for_a_key_never_written_and_keeps_writes() -> None:
    result, run, _ = run_text(
        """
        flow t {
          before = state.count
          state.count = (state.count ?? 0) + 1
          state.count += 10
          return before
        }
        """,
        state={"other": True},
    )
    assert result is None
    assert run.state == {"other": True, "count": 11}


def test_source_is_the_runs_input() -> None:
    assert run_text("flow t {\n  return source.id\n}\n", source={"id": 9})[0] == 9


# ---------------------------------------------------------------- parallel loops


def test_parallel_plus_equals_on_outer_variables_loses_no_update() -> None:
    result, _, _ = run_text(
        """
        flow t {
          count = 0
          seen = []
          for n in range(0, 400) parallel 16 {
            count += 1
            seen += [n]
          }
          return {count: count, seen: length(unique(seen))}
        }
        """
    )
    assert result == {"count": 400, "seen": 400}


def test_parallel_iterations_keep_their_own_variables() -> None:
    result, _, _ = run_text(
        """
        flow t {
          pairs = []
          for n in range(0, 40) parallel 8 {
            doubled = n * 2
            wait 1ms
            pairs += [[n, doubled]]
          }
          return filter(pairs, p => p[1] != p[0] * 2)
        }
        """
    )
    assert result == []


def test_an_error_in_a_parallel_iteration_ends_the_loop_with_that_error() -> None:
    err = failure(
        """
        flow t {
          for n in range(0, 20) parallel 4 {
            if n == 5 {
              fail "item {n} is bad"
            }
          }
        }
        """
    )
    assert (err.kind, err.message, err.where) == ("user", "item 5 is bad", ("t.flow", 5, 7))


# ---------------------------------------------------------------- errors


def test_catch_binds_the_error_fields() -> None:
    result, _, _ = run_text(
        """
        flow t {
          try {
            fail "no"
          } catch err {
            return err
          }
        }
        """
    )
    assert result == {
        "kind": "user", "message": "no", "status": None, "body": None, "system": None,
        "operation": None, "line": 4,
    }


def _builtins(**fns: Any) -> dict[str, Builtin]:
    return {name: Builtin(name, fn, (BuiltinParam("x", True),), "tests") for name, fn in fns.items()}


def test_a_python_exception_in_a_builtin_becomes_a_located_data_error() -> None:
    def broken(x: Any) -> Any:
        return x["missing"]

    fn = compile_node(parse_expression("  broken({})"), Ctx(funcs={}, builtins=_builtins(broken=broken)))
    with pytest.raises(FlowError) as caught:
        fn({" run": None})
    assert (caught.value.kind, caught.value.message) == ("data", "broken(): 'missing'")
    assert caught.value.where == ("<expr>", 1, 3)


def test_a_builtins_own_location_wins_over_the_call() -> None:
    def located(x: Any) -> Any:
        raise FlowError("data", "inner", ("lib.flow", 1, 1))

    fn = compile_node(parse_expression("located(1)"), Ctx(funcs={}, builtins=_builtins(located=located)))
    with pytest.raises(FlowError) as caught:
        fn({" run": None})
    assert caught.value.where == ("lib.flow", 1, 1)


# ---------------------------------------------------------------- logs and progress


def test_log_lines_name_the_flow_file_and_line() -> None:
    _, run, stream = run_text('flow t {\n  log success "done {1 + 1}"\n}\n')
    assert stream.getvalue().split(" ", 1)[1] == "SUCCESS t.flow:2 done 2\n"
    assert run.succeeded == 1


def test_an_outermost_loop_over_a_list_draws_progress_on_a_terminal() -> None:
    _, _, stream = run_text("flow t {\n  for n in [1, 2, 3] {\n    x = n\n  }\n}\n", interactive=True)
    assert "0/3" in stream.getvalue()


def test_no_progress_is_drawn_when_the_log_is_not_a_terminal() -> None:
    _, _, stream = run_text("flow t {\n  for n in [1, 2, 3] {\n    x = n\n  }\n}\n")
    assert stream.getvalue() == ""


def test_node_classes_come_from_the_ast_module() -> None:
    assert nodes.Flow in node_classes() and nodes.Node not in node_classes()


def test_plus_equals_on_a_field_inside_a_parallel_loop_loses_no_update() -> None:
    result, _, _ = run_text(
        """
        flow t {
          totals = {count: 0, names: ""}
          for n in range(0, 300) parallel 12 {
            totals.count += 2
            totals.names += "x"
          }
          return [totals.count, length(totals.names)]
        }
        """
    )
    assert result == [600, 300]


def test_defaults_may_use_earlier_parameters() -> None:
    result, _, _ = run_text(
        """
        flow t {
          return [scaled(2), scaled(2, factor: 10)]
        }

        func scaled(n, factor = n * 2) {
          return n * factor
        }
        """
    )
    assert result == [8, 20]


def test_fail_turns_any_value_into_its_text() -> None:
    err = failure('flow t {\n  fail {code: 7}\n}\n')
    assert (err.kind, err.message) == ("user", '{"code": 7}')


def test_return_inside_nested_loops_leaves_the_func_at_once() -> None:
    result, _, _ = run_text(
        """
        flow t {
          return find_pair([[1, 2], [3, 4]], 3)
        }

        func find_pair(rows, wanted) {
          for i, row in rows {
            for j, value in row {
              if value == wanted {
                return [i, j]
              }
            }
          }
          return null
        }
        """
    )
    assert result == [1, 0]


def test_a_lambda_with_several_parameters_takes_them_in_order_and_null_for_missing_ones() -> None:
    def both(fn: Any) -> Any:
        return [fn(1, 2), fn(3)]

    fn = compile_node(parse_expression("both((a, b) => [a, b])"), Ctx(funcs={}, builtins=_builtins(both=both)))
    assert fn({" run": None}) == [[1, 2], [3, None]]


def test_an_outermost_parallel_loop_over_a_list_draws_progress_on_a_terminal() -> None:
    text = "flow t {\n  n = 0\n  for x in [1, 2, 3] parallel 2 {\n    n += x\n  }\n  return n\n}\n"
    result, _, stream = run_text(text, interactive=True)
    assert result == 6 and "0/3" in stream.getvalue()
