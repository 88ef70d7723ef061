"""Property: on any JSON values, every operator either gives a value or a located FlowError — never a crash."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from flowlang.interpreter import eval_expression
from flowlang.runtime.errors import FlowError

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3),
    max_leaves=6,
)

EXPRESSIONS = [
    "a + b", "a - b", "a * b", "a / b", "a % b", "a == b", "a != b", "a < b", "a <= b", "a > b", "a >= b",
    "a in b", "a not in b", "a and b", "a or b", "a ?? b", "not a", "-a", "a[b]", "a.x", "a?.x", "a.x.y",
    "a[0]", "\"{a}-{b}\"", "if a then b else a", "length(a)", "upper(trim(a))", "[a, b][0]", "{k: a}.k",
]


def outcome(text: str, a: Any, b: Any) -> None:
    try:
        eval_expression(text, {"a": a, "b": b})
    except FlowError as err:
        assert err.where is not None and err.where[0] == "<expr>", (text, err.message)


@settings(max_examples=150, deadline=None)
@given(a=json_values, b=json_values, text=st.sampled_from(EXPRESSIONS))
def test_operators_on_any_values_give_a_value_or_a_located_error(a: Any, b: Any, text: str) -> None:
    outcome(text, a, b)
