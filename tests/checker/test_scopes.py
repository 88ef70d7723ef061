"""Names and control flow: undefined names, names set on some paths, unused variables, loops, reachability."""

from __future__ import annotations

from .conftest import CheckText, codes, only


def test_undefined_name_is_reported_at_its_position_with_a_hint(check_text: CheckText) -> None:
    diags = check_text("""\
        flow sync {
          customers = []
          return custmers
        }
        """)
    diag = only(diags, "E101")
    assert (diag.span.line, diag.span.column, diag.span.end_column) == (3, 10, 18)
    assert diag.message == "undefined variable 'custmers'"
    assert diag.hint == "did you mean 'customers'?"


def test_bare_builtin_name_hints_at_calling_it(check_text: CheckText) -> None:
    diag = only(check_text("flow sync {\n  return now\n}\n"), "E101")
    assert diag.hint == "'now' is a function: call it as now(…)"


def test_name_assigned_in_if_without_else_may_be_undefined(check_text: CheckText) -> None:
    diags = check_text("""\
        flow sync {
          if source {
            label = "x"
          }
          return label
        }
        """)
    assert only(diags, "E102").span.line == 5


def test_name_assigned_in_both_branches_is_defined(check_text: CheckText) -> None:
    diags = check_text("""\
        flow sync {
          if source {
            label = "x"
          } else if source == 1 {
            label = "y"
          } else {
            label = "z"
          }
          return label
        }
        """)
    assert diags == []


def test_branch_that_ends_the_flow_does_not_count_as_a_path(check_text: CheckText) -> None:
    diags = check_text("""\
        flow sync {
          if not source {
            fail "no input"
          } else {
            order = source.order
          }
          return order
        }
        """)
    assert diags == []


def test_name_assigned_in_try_body_only_may_be_undefined_after(check_text: CheckText) -> None:
    diags = check_text("""\
        flow sync {
          try {
            x = parse_json("1")
          } catch err {
            log error err.message
          }
          return x
        }
        """)
    assert codes(diags) == ["E102"]


def test_name_assigned_in_try_and_catch_is_defined(check_text: CheckText) -> None:
    diags = check_text("""\
        flow sync {
          try {
            x = parse_json("1")
          } catch {
            x = null
          }
          return x
        }
        """)
    assert diags == []


def test_loop_variable_read_after_the_loop_may_be_undefined(check_text: CheckText) -> None:
    diags = check_text("""\
        flow sync {
          for x in [1] {
            log info x
          }
          return x
        }
        """)
    assert codes(diags) == ["E102"]


def test_while_true_with_break_defines_what_every_break_saw(check_text: CheckText) -> None:
    diags = check_text("""\
        flow sync {
          n = 0
          while true {
            n += 1
            found = n
            if n > 3 {
              break
            }
          }
          return found
        }
        """)
    assert diags == []


def test_read_before_assignment_later_in_a_loop_body_may_be_undefined(check_text: CheckText) -> None:
    diags = check_text("""\
        flow sync {
          for x in [1, 2] {
            log info "{previous}"
            previous = x
          }
        }
        """)
    assert codes(diags) == ["E102"]


def test_lambda_parameters_are_names_inside_the_lambda(check_text: CheckText) -> None:
    diags = check_text("flow sync {\n  return map([1], v => v + 1)\n}\n")
    assert diags == []


def test_break_and_continue_outside_a_loop(check_text: CheckText) -> None:
    diags = check_text("flow sync {\n  break\n}\nfunc f() {\n  continue\n}\n")
    assert [(d.code, d.span.line) for d in diags] == [("E103", 2), ("E103", 5)]


def test_break_in_an_inner_loop_of_a_parallel_loop_is_allowed(check_text: CheckText) -> None:
    diags = check_text("""\
        flow sync {
          for x in [1] parallel 2 {
            for _y in [x] {
              break
            }
          }
        }
        """)
    assert diags == []


def test_return_anywhere_inside_a_parallel_loop_is_an_error(check_text: CheckText) -> None:
    diags = check_text("""\
        flow sync {
          for x in [1] parallel 2 {
            for y in [x] {
              return y
            }
          }
        }
        """)
    assert only(diags, "E104").span.line == 4


def test_parallel_loop_may_add_to_outer_variables_and_make_local_ones(check_text: CheckText) -> None:
    diags = check_text("""\
        flow sync {
          total = 0
          seen = []
          for x in [1, 2] parallel 4 {
            doubled = x * 2
            total += doubled
            seen += [x]
          }
          return [total, seen]
        }
        """)
    assert diags == []


def test_parallel_loop_may_not_set_an_outer_variable_or_its_fields(check_text: CheckText) -> None:
    diags = check_text("""\
        flow sync {
          last = null
          summary = {}
          for x in [1, 2] parallel 4 {
            last = x
            summary.last = x
          }
          return [last, summary]
        }
        """)
    assert [(d.code, d.span.line, d.span.column) for d in diags] == [("E105", 5, 5), ("E105", 6, 5)]


def test_unused_loop_and_catch_variables_warn_unless_underscored(check_text: CheckText) -> None:
    diags = check_text("""\
        flow sync {
          for i, x in [1] {
            log info x
          }
          for _k, y in [1] {
            log info y
          }
          try {
            fail "x"
          } catch err {
            log info "failed"
          }
        }
        """)
    assert [(d.code, d.span.line, d.span.column) for d in diags] == [("W101", 2, 7), ("W101", 10, 11)]


def test_variable_only_incremented_is_assigned_but_never_read(check_text: CheckText) -> None:
    diags = check_text("flow sync {\n  n = 0\n  n += 1\n}\n")
    diag = only(diags, "W102")
    assert (diag.span.line, diag.span.column) == (2, 3)


def test_field_assignment_counts_as_use(check_text: CheckText) -> None:
    diags = check_text("flow sync {\n  out = {}\n  out.a = 1\n}\n")
    assert diags == []


def test_unreachable_code_after_return_is_one_warning_over_the_rest_of_the_block(check_text: CheckText) -> None:
    diags = check_text("flow sync {\n  return 1\n  log info \"a\"\n  log info \"b\"\n}\n")
    diag = only(diags, "W103")
    assert (diag.span.line, diag.span.end_line) == (3, 4)


def test_names_used_only_in_unreachable_code_still_count_as_read(check_text: CheckText) -> None:
    diags = check_text("flow sync {\n  x = 1\n  return 2\n  log info x\n}\n")
    assert codes(diags) == ["W103"]


def test_state_and_source_belong_to_flows(check_text: CheckText) -> None:
    diags = check_text("""\
        func f(x) {
          return [state.a, source, x]
        }
        func g(source) {
          return source
        }
        flow sync {
          state.a = source
          return f(1)
        }
        """)
    assert [(d.code, d.span.line, d.span.column) for d in diags] == [("E107", 2, 11), ("E107", 2, 20)]


def test_source_and_state_cannot_be_reassigned(check_text: CheckText) -> None:
    diags = check_text("flow sync {\n  state = 1\n}\n")
    assert codes(diags) == ["E108"]


def test_variables_of_one_parallel_loop_are_not_outer_variables_of_the_next(check_text: CheckText) -> None:
    diags = check_text("""\
        flow sync {
          total = 0
          for x in [1] parallel 2 {
            tmp = x * 2
            total += tmp
          }
          for y in [2] parallel 2 {
            tmp = y * 3
            total += tmp
          }
          return total
        }
        """)
    assert diags == []


def test_what_a_parallel_body_assigns_is_not_visible_after_the_loop(check_text: CheckText) -> None:
    diags = check_text("flow sync {\n  for x in [1] parallel 2 {\n    last = x\n  }\n  return last\n}\n")
    assert [(d.code, d.span.line) for d in diags] == [("E101", 5)]


def test_loop_and_catch_variables_cannot_be_named_source_or_state(check_text: CheckText) -> None:
    diags = check_text("""\
        flow sync {
          for source in [1] {
            log info "x"
          }
          try {
            fail "x"
          } catch state {
            log info "y"
          }
        }
        """)
    assert [(d.code, d.span.line, d.span.column) for d in diags] == [("E108", 2, 7), ("E108", 7, 11)]
