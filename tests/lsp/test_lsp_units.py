"""Parts of the language server that need no process: builtin docs without docs/, positions, the index."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowlang.checker.context import load_builtins
from flowlang.syntax import parse
from flowlang.tools.lsp.builtin_docs import builtin_docs
from flowlang.tools.lsp.index import index_program

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
