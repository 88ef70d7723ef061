"""Expressions through `eval_expression`: values, short-circuits, lambdas, and located errors."""

from __future__ import annotations

from typing import Any

import pytest

from flowlang.interpreter import eval_expression
from flowlang.runtime.errors import FlowError


def error_of(text: str, variables: dict[str, Any] | None = None) -> FlowError:
    with pytest.raises(FlowError) as caught:
        eval_expression(text, variables)
    return caught.value


def test_precedence_puts_multiplication_before_addition() -> None:
    assert eval_expression("1 + 2 * 3 - 4 / 2") == 5


def test_division_is_exact_when_it_can_be() -> None:
    assert eval_expression("6 / 3") == 2
    assert isinstance(eval_expression("6 / 3"), int)
    assert eval_expression("7 / 2") == 3.5


def test_durations_are_seconds() -> None:
    assert eval_expression("1m + 500ms") == 60.5
    assert eval_expression("2s") == 2


def test_and_or_give_booleans_by_truthiness() -> None:
    assert eval_expression("1 and \"x\"") is True
    assert eval_expression("[] or {}") is False
    assert eval_expression("not \"\"") is True


def test_and_does_not_evaluate_its_right_side_when_the_left_is_falsy() -> None:
    assert eval_expression("false and items[9]", {"items": []}) is False


def test_or_does_not_evaluate_its_right_side_when_the_left_is_truthy() -> None:
    assert eval_expression("true or items[9]", {"items": []}) is True


def test_coalesce_evaluates_its_right_side_only_for_null() -> None:
    assert eval_expression("0 ?? items[9]", {"items": []}) == 0
    assert eval_expression("null ?? \"fallback\"") == "fallback"


def test_conditional_evaluates_only_the_chosen_branch() -> None:
    assert eval_expression("if n > 1 then \"many\" else items[9]", {"n": 2, "items": []}) == "many"


def test_optional_access_is_null_for_null_missing_or_non_objects() -> None:
    assert eval_expression("a?.b", {"a": None}) is None
    assert eval_expression("a?.b?.c", {"a": {}}) is None
    assert eval_expression("a?.b", {"a": 5}) is None
    assert eval_expression("a?.b", {"a": {"b": 1}}) == 1


def test_equality_is_deep_and_never_mixes_booleans_and_numbers() -> None:
    assert eval_expression("[1, {a: 2.0}] == [1.0, {a: 2}]") is True
    assert eval_expression("true == 1") is False
    assert eval_expression("{a: 1} != {a: 1}") is False


def test_in_looks_into_lists_objects_and_strings() -> None:
    assert eval_expression("{a: 1} in [{a: 1}]") is True
    assert eval_expression("\"k\" in {k: null}") is True
    assert eval_expression("\"ell\" not in \"hello\"") is False


def test_interpolation_uses_the_text_of_each_value() -> None:
    values = {"n": None, "f": 2.0, "xs": [1, "a"]}
    assert eval_expression("\"{n}|{f}|{xs}|{true}\"", values) == 'null|2|[1, "a"]|true'


def test_list_and_object_literals_are_new_values_every_time() -> None:
    first = eval_expression("[[], {}]")
    first[0].append(1)
    assert eval_expression("[[], {}]") == [[], {}]


def test_negative_index_counts_from_the_end() -> None:
    assert eval_expression("xs[-1]", {"xs": [1, 2, 3]}) == 3


def test_lambdas_read_the_names_around_them() -> None:
    assert eval_expression("map(xs, x => x * k)", {"xs": [1, 2], "k": 3}) == [3, 6]


def test_nested_lambdas_see_every_enclosing_parameter() -> None:
    result = eval_expression("map(rows, r => map(r, c => c + r[0] + k))", {"rows": [[1, 2]], "k": 10})
    assert result == [[12, 13]]


def test_a_lambda_parameter_shadows_an_outer_name() -> None:
    assert eval_expression("map([1], x => x)", {"x": "outer"}) == [1]


def test_source_and_state_variables_are_the_runs_input_and_state() -> None:
    assert eval_expression("source.id + state.n", {"source": {"id": 1}, "state": {"n": 2}}) == 3
    assert eval_expression("state.missing", {"state": {}}) is None


def test_missing_field_names_the_data_path_and_suggests_a_close_key() -> None:
    err = error_of("order.lines[0].qty", {"order": {"lines": [{"quantity": 2, "sku": "A"}]}})
    assert (err.kind, err.message, err.hint) == (
        "data", "order.lines[0] has no field 'qty'", "did you mean 'quantity'?"
    )


def test_errors_carry_the_position_of_the_failing_expression() -> None:
    err = error_of("1 +\n  xs[5]", {"xs": []})
    assert err.where == ("<expr>", 2, 3)


def test_an_error_in_constant_operands_is_raised_when_evaluated_with_its_position() -> None:
    err = error_of("  1 / 0")
    assert (err.message, err.where) == ("division by zero", ("<expr>", 1, 3))


def test_mixed_types_cannot_be_added() -> None:
    assert error_of("\"a\" + 1").message == "cannot add string and number"


def test_builtin_errors_get_the_position_of_the_call() -> None:
    err = error_of("  upper(5)")
    assert (err.kind, err.where) == ("data", ("<expr>", 1, 3))


def test_an_undefined_name_is_a_located_error() -> None:
    err = error_of("nope + 1")
    assert (err.message, err.where) == ("'nope' is not defined here", ("<expr>", 1, 1))


def test_api_calls_need_a_running_flow() -> None:
    assert error_of("call shop.list()").message == "call shop.list needs a running flow"


def test_a_field_of_a_variable_that_is_not_an_object_is_a_located_error() -> None:
    err = error_of("  xs.name", {"xs": [1]})
    assert (err.message, err.where) == ("xs is list, not an object: cannot read '.name'", ("<expr>", 1, 3))


def test_a_field_of_an_undefined_variable_is_a_located_error() -> None:
    assert error_of("ghost.name").message == "'ghost' is not defined here"


def test_a_lambda_without_parameters_is_a_value() -> None:
    assert eval_expression("map([1, 2], () => 0)") == [0, 0]


def test_the_deepest_nesting_the_parser_accepts_evaluates() -> None:
    depth = 390
    value = eval_expression("[" * depth + "1" + "]" * depth)
    for _ in range(depth):
        value = value[0]
    assert value == 1


def test_interpolations_of_any_shape_keep_their_text_between_values() -> None:
    values = {"a": 1, "b": None}
    assert eval_expression('"{a}"', values) == "1"
    assert eval_expression('"<{a}|{b}>"', values) == "<1|null>"
    assert eval_expression('"{a}{b}{a} {b}!"', values) == "1null1 null!"


def test_a_chain_of_reads_reports_the_first_step_that_fails() -> None:
    data = {"o": {"a": "text", "items": [], "k": {"x": 1}}}
    assert error_of("o.a.b", data).message == "o.a is string, not an object: cannot read '.b'"
    assert error_of("o.items[0].x", data).message == "o.items[0] is out of range (o.items has 0 items)"
    assert error_of("o.one[3]", {"o": {"one": [1]}}).message == "o.one[3] is out of range (o.one has 1 item)"
    assert error_of("o.k.y.z", data).message == "o.k has no field 'y'"


def test_a_chain_of_constant_keys_reads_objects_lists_and_strings() -> None:
    data = {"o": {"k": {"x": [10, 20]}, "s": "hey"}}
    assert eval_expression('o["k"].x[-1]', data) == 20
    assert eval_expression("o.s[0]", data) == "h"


def test_a_builtin_of_a_missing_field_reports_the_field() -> None:
    err = error_of("upper(o.nme)", {"o": {"name": "x"}})
    assert (err.message, err.hint, err.where) == ("o has no field 'nme'", "did you mean 'name'?", ("<expr>", 1, 7))
    assert error_of("upper(o.a.b)", {"o": {"a": 1}}).message == "o.a is number, not an object: cannot read '.b'"


def test_nested_builtin_calls_report_the_call_that_failed() -> None:
    inner = error_of("upper(  trim(x))", {"x": 5})
    outer = error_of("  upper(length(x))", {"x": "abc"})
    assert inner.where == ("<expr>", 1, 9) and inner.message.startswith("trim()")
    assert outer.where == ("<expr>", 1, 3) and outer.message.startswith("upper()")
    assert eval_expression("upper(trim(o.a.b))", {"o": {"a": {"b": " x "}}}) == "X"
