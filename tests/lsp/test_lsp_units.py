"""Parts of the language server that need no process: builtin docs without docs/, positions, the index."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowlang.checker.context import load_builtins
from flowlang.syntax import parse
from flowlang.tools.lsp.builtin_docs import builtin_docs
from flowlang.tools.lsp.index import FileIndex, index_program, visible_names

lsp = pytest.importorskip("lsprotocol.types", reason="the language server needs pygls: pip install -e '.[lsp]'")
from flowlang.tools.lsp.features import from_lsp, to_lsp  # noqa: E402  (imports lsprotocol)


def test_without_docs_stdlib_md_builtins_are_documented_from_the_registry(tmp_path: Path) -> None:
    docs = builtin_docs(tmp_path / "no-such-stdlib.md")
    assert set(docs) == set(load_builtins())
    assert docs["pad_left"].startswith("`pad_left(text, width, fill = …)`")
    assert builtin_docs()["pad_left"].startswith("`pad_left(text, width, fill = \" \") -> string`")


def test_positions_round_trip_through_utf16() -> None:
    lines = ['x = "😀" + y']
    assert to_lsp(lines, 1, 12) == lsp.Position(0, 12)  # the emoji counts two code units
    assert from_lsp(lines, lsp.Position(0, 12)) == (1, 12)
    assert from_lsp(lines, lsp.Position(5, 0)) == (6, 1)


def test_a_lambda_parameter_is_its_own_variable() -> None:
    program = parse("flow f {\n  x = 1\n  y = map([1], x => x)\n  return [x, y]\n}\n", "f.flow")
    index = index_program(program, set(), {})
    keys = {o.key for o in index.occurrences if o.name == "x"}
    assert len(keys) == 2
    outer = index.at(4, 11)
    assert outer is not None and outer.key == index.at(2, 3).key  # type: ignore[union-attr]


def _index(source: str) -> FileIndex:
    return index_program(parse(source, "f.flow"), set(), {})


def _key(index: FileIndex, line: int, column: int) -> str | None:
    occ = index.at(line, column)
    return None if occ is None else occ.key


def test_a_func_parameter_default_sees_the_parameters_before_it() -> None:
    """The checker reads a default with the earlier parameters bound (flowlang/checker/scopes.py)."""
    index = _index("func f(a, b = a) {\n  return b\n}\n")
    assert _key(index, 1, 15) is not None and _key(index, 1, 15) == _key(index, 1, 8)


def test_a_read_before_the_assignment_in_a_loop_is_the_same_variable() -> None:
    """The checker calls it the variable assigned below (E102): rename and references must include it."""
    index = _index("flow f {\n  for i in [1, 2] {\n    if i > 1 {\n      log info \"{last}\"\n    }\n"
                   "    last = i\n  }\n}\n")
    read = _key(index, 4, 18)
    assert read is not None and read == _key(index, 6, 5)


def test_a_loop_or_catch_variable_named_state_is_no_variable() -> None:
    """`for state in …` is E108: the checker binds nothing, so `state` stays the run's state."""
    index = _index("flow f {\n  for state in [1] {\n    log info \"x\"\n  }\n  try {\n    log info \"y\"\n"
                   "  } catch source {\n    log info \"z\"\n  }\n}\n")
    assert _key(index, 2, 7) is None and _key(index, 7, 11) is None
    (flow,) = [s for s in index.scopes if s.kind == "flow"]
    assert "state" not in flow.bindings and "source" not in flow.bindings


def test_nested_lambdas_with_the_same_parameter_name_are_two_variables() -> None:
    index = _index("flow f {\n  y = map([[1]], x => map(x, x => x + 1))\n  return y\n}\n")
    outer, inner = _key(index, 2, 18), _key(index, 2, 30)
    assert outer is not None and inner is not None and outer != inner
    assert _key(index, 2, 27) == outer and _key(index, 2, 35) == inner


def test_a_given_value_sees_no_test_variable() -> None:
    """The checker reads `given` values with no test variable defined (flowlang/checker/tests.py)."""
    index = _index('test "t" {\n  result = run f\n  given shop.get returns {status: 200, body: result}\n'
                   '  expect result == 1\n}\n')
    assert _key(index, 3, 46) is None
    assert _key(index, 4, 10) is not None and _key(index, 4, 10) == _key(index, 2, 3)


def _visible(source: str, needle: str, decl: int = 0) -> list[str]:
    """The names visible just after `needle` in the `decl`-th flow (func or test, when there is none)."""
    program = parse(source, "f.flow")
    lines = source.split("\n")
    (line,) = [i for i, text in enumerate(lines) if needle in text]
    column = lines[line].index(needle) + len(needle) + 1
    found = (program.flows or program.funcs or program.tests)[decl]
    return sorted(visible_names(found, line + 1, column))


SCOPES = """flow f {
  if true {
    both = 1
    one = 1
  } else {
    both = 2
  }
  mark1 = both
  while true {
    w = 1
    break
  }
  mark2 = w
  for x in [1] parallel 2 {
    p = x
  }
  mark3 = 1
  ys = map([[1]], a => map(a, b => a + b))
  return mark3
  dead = 1
}
"""


def test_visible_names_follow_definite_assignment() -> None:
    """What E101/E102 allow: set on every path of an if, after a `while true` by its breaks, not the
    variables of a parallel loop's iterations after it; unreachable code sees what came before."""
    assert _visible(SCOPES, "one = 1") == ["both"]
    assert _visible(SCOPES, "mark1 = both") == ["both"]  # not `one`: only the then-branch sets it
    assert _visible(SCOPES, "mark2 = w") == ["both", "mark1", "w"]
    assert _visible(SCOPES, "p = x") == ["both", "mark1", "mark2", "w", "x"]
    assert _visible(SCOPES, "mark3 = 1") == ["both", "mark1", "mark2", "w"]
    assert _visible(SCOPES, "dead = 1") == ["both", "mark1", "mark2", "mark3", "w", "ys"]


def test_visible_names_of_nested_lambdas() -> None:
    assert _visible(SCOPES, "map(a") == ["a", "both", "mark1", "mark2", "mark3", "w"]
    assert _visible(SCOPES, "a + b") == ["a", "b", "both", "mark1", "mark2", "mark3", "w"]


def test_visible_names_in_a_test_follow_the_test_checker() -> None:
    source = ('test "t" {\n  given shop.get returns {status: 200, body: 1}\n  r = run f\n  x = r\n'
              '  expect r == x\n}\n')
    assert _visible(source, "body: 1") == []
    assert _visible(source, "x = r") == ["r"]
    assert _visible(source, "r == x") == ["r", "x"]


def test_visible_names_in_a_func() -> None:
    source = "func f(a, b = a, c = 2) {\n  d = a + b\n  return d + c\n}\n"
    assert _visible(source, "b = a") == ["a"]  # a default sees the parameters before it
    assert _visible(source, "d = a + b") == ["a", "b", "c"]
    assert _visible(source, "return d") == ["a", "b", "c", "d"]
