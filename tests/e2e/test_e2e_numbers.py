"""Numbers too large for JSON or for Python's text conversion: located errors, never internal errors."""

from __future__ import annotations

from e2e.harness import Write, flowlang, run_both


def test_a_number_literal_with_thousands_of_digits_is_a_syntax_error(write: Write) -> None:
    flow = write("huge.flow", "flow a {\n  x = 1" + "0" * 5000 + "\n  return x\n}\n")
    result = flowlang("check", flow.name, cwd=flow.parent)
    assert result.code == 1
    assert "huge.flow:2:7: error[E022]: number `100000000000…` is too large" in result.out + result.err


def test_a_float_literal_beyond_the_largest_float_is_a_syntax_error(write: Write) -> None:
    flow = write("inf.flow", "flow a {\n  return 1e400\n}\n")
    result = flowlang("run", flow.name, cwd=flow.parent)
    assert result.code == 1
    assert "inf.flow:2:10: error[E022]: number `1e400` is too large" in result.err


def test_an_overflowing_multiplication_is_a_located_error(write: Write) -> None:
    flow = write("overflow.flow", "flow a {\n  x = 1e308\n  return x * 10\n}\n")
    result = run_both(flow)
    assert result.code == 3
    assert "overflow.flow:3:10: error: number too large" in result.err
    assert result.out == ""


def test_a_huge_whole_number_meeting_a_float_is_a_located_error(write: Write) -> None:
    flow = write("mixed.flow", "flow a {\n  x = 1" + "0" * 400 + "\n  return x / 3\n}\n")
    result = run_both(flow)
    assert result.code == 3
    assert "mixed.flow:3:10: error: number too large" in result.err


def test_a_result_holding_infinity_is_refused_instead_of_printing_invalid_json(write: Write) -> None:
    # float + float takes the engines' fast path; the result is checked when it leaves the flow
    flow = write("sum.flow", "flow a {\n  return {total: 1.5e308 + 1.5e308}\n}\n")
    result = run_both(flow)
    assert result.code == 3
    assert "error: the flow's result is not a JSON value: Infinity is not a JSON number" in result.err
    assert result.out == ""


def test_a_whole_number_grown_past_python_text_limit_is_a_limit_error(write: Write) -> None:
    flow = write("grow.flow", "flow a {\n  x = 1\n  n = 0\n  while n < 600 {\n    x = x * 1000000000\n"
                 "    n += 1\n  }\n  log info \"x is {x}\"\n}\n")
    result = run_both(flow)
    assert result.code == 3
    assert "error: a whole number grew beyond 4,300 digits" in result.err
