"""`test "…" { given …; result = run FLOW …; expect … }` blocks parse into Test nodes."""

from __future__ import annotations

from textwrap import dedent

import pytest

from flowlang import nodes
from flowlang.diagnostics import FlowSyntaxError
from flowlang.syntax import parse

FLOW = dedent("""\
    flow sync {
      return 1
    }

    test "sync works" {
      given shop.get_order(id: "A1") returns {status: 503} then {status: 200, body: {id: "A1"}}
      given shop.list_orders fails timeout
      given state {
        since: "2025-01-01",
      }
      given env {SHOP_URL: "http://127.0.0.1:1"}
      given secret TOKEN = "s3cret"
      given now "2025-01-15T12:00:00Z"
      given cassette "sync.cassette.json"
      result = run sync with source: {id: 1}
      run sync
      n = length(calls(shop.get_order))
      expect result == 1, "the flow returns 1"
      expect n == 2
    }
    """)


def items() -> tuple[nodes.Node, ...]:
    program = parse(FLOW, "t.flow")
    assert [t.name for t in program.tests] == ["sync works"]
    return program.tests[0].items


def test_given_call_with_arguments_and_responses_in_order() -> None:
    given = items()[0]
    assert isinstance(given, nodes.Given)
    assert (given.system, given.operation, given.fault) == ("shop", "get_order", None)
    assert [a.name for a in given.args] == ["id"]
    assert len(given.responses) == 2


def test_given_fault() -> None:
    given = items()[1]
    assert isinstance(given, nodes.Given)
    assert (given.args, given.responses, given.fault) == ((), (), "timeout")


def test_given_values_and_secret() -> None:
    values = [i for i in items() if isinstance(i, nodes.GivenValue)]
    assert [(v.kind, v.name) for v in values] == [
        ("state", None), ("env", None), ("secret", "TOKEN"), ("now", None), ("cassette", None)]


def test_run_with_and_without_target_and_source() -> None:
    runs = [i for i in items() if isinstance(i, nodes.RunFlow)]
    assert [(r.flow, r.target is not None, r.source is not None) for r in runs] == [
        ("sync", True, True), ("sync", False, False)]


def test_expect_with_and_without_message() -> None:
    expects = [i for i in items() if isinstance(i, nodes.Expect)]
    assert [e.message is not None for e in expects] == [True, False]


def test_test_words_stay_usable_as_keys_and_fields() -> None:
    program = parse('flow f {\n  x = {test: 1, given: 2, expect: 3}\n  return x.test + x.given\n}\n', "t.flow")
    assert program.flows[0].name == "f"


@pytest.mark.parametrize("line, message", [
    ("given shop.list gives {status: 200}", "expected `returns` or `fails` after `given shop.list`, found `gives`"),
    ("given shop.list fails slowly", "`fails` takes a transport fault: timeout or reset"),
    ("given weather {a: 1}", "unknown `given weather`"),
    ("given token X = 1", "unknown `given token X = …`"),
    ("go sync", "unexpected `go` in a test; expected `run`, `given` or `expect`"),
    ("run sync using source: 1", "expected `with source: …` after `run sync`"),
])
def test_misspelt_test_lines_are_E028(line: str, message: str) -> None:
    with pytest.raises(FlowSyntaxError) as caught:
        parse(f'test "t" {{\n  {line}\n}}\n', "t.flow")
    diag = caught.value.diagnostics[0]
    assert (diag.code, diag.message, diag.span.line) == ("E028", message, 2)
