"""`test`, `given` and `expect` are words of test blocks only: flows may still use them as names."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from flowlang.checker import check
from flowlang.diagnostics import FlowSyntaxError
from flowlang.loader import load_project
from flowlang.syntax import parse
from flowlang.testing.engines import Engines
from flowlang.tools.fmt import format_text

FLOW = dedent("""\
    system test {
      base_url: "http://127.0.0.1:9"
      GET expect "/expect"
    }

    flow given {
      test = 2
      given = [test, 3]
      expect = {test: test, given: given}
      return expect.test + length(given)
    }

    test "the words are names in the flow" {
      given test.expect returns {status: 200}
      result = run given
      expect result == 4
    }
    """)


def test_a_flow_may_name_things_test_given_and_expect() -> None:
    program = parse(FLOW, "t.flow")
    assert [f.name for f in program.flows] == ["given"]
    assert [s.name for s in program.systems] == ["test"]
    assert [t.name for t in program.tests] == ["the words are names in the flow"]


def test_such_a_flow_checks_formats_and_runs_on_both_engines(tmp_path: Path) -> None:
    path = tmp_path / "t.flow"
    path.write_text(FLOW, encoding="utf-8")
    project = load_project(str(path))
    assert [d for d in check(project) if d.is_error] == []
    assert format_text(FLOW, "t.flow").new == FLOW
    from flowlang.testing.engines import Setup, run_flow

    for engine in ("interpreter", "compiled"):
        run = run_flow(Engines(), engine, project, "given", Setup(), None)
        assert (run.ok, run.result) == (True, 4)


def test_in_a_test_the_words_still_start_their_lines() -> None:
    with pytest.raises(FlowSyntaxError) as caught:
        parse('test "t" {\n  given shop.list gives {status: 200}\n}\n', "t.flow")
    assert caught.value.diagnostics[0].code == "E028"
