"""--input JSON that Python reads but JSON forbids (NaN, Infinity, overlong numbers) is a usage error."""

from __future__ import annotations

import pytest

from e2e.harness import Write, run_both

ECHO = "flow a {\n  return source\n}\n"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ('{"price": NaN}', "input is not valid JSON: NaN is not a JSON number"),
        ('[-Infinity]', "input is not valid JSON: -Infinity is not a JSON number"),
        ('{"n": 1e400}', "input is not valid JSON: the number 1e400 is too large"),
        ("1" * 5000, "input is not valid JSON: a whole number has more than 4,300 digits"),
    ],
    ids=["nan", "infinity", "float-overflow", "long-int"],
)
def test_input_json_that_is_not_json_is_a_usage_error(write: Write, payload: str, message: str) -> None:
    flow = write("echo.flow", ECHO)
    write("in.json", payload)
    result = run_both(flow, "--input", "in.json")
    assert result.code == 2
    assert result.err == f"in.json: error: {message}\n"
    assert result.out == ""


def test_the_same_checks_apply_to_input_from_stdin(write: Write) -> None:
    flow = write("echo.flow", ECHO)
    result = run_both(flow, "--input", "-", stdin="[NaN]")
    assert (result.code, result.err) == (2, "<stdin>: error: input is not valid JSON: NaN is not a JSON number\n")
