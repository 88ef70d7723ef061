"""E126: nesting the interpreter runs but a compiled module cannot hold is a located checker error, and the
checker's count agrees with the code generator (randomized nestings of every block statement)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from flowlang.checker import check
from flowlang.codegen import CodegenError, compile_project
from flowlang.loader import load_project

OPEN_CLOSE = {
    "for": ("for _i{j} in [1] {{", "}}"),
    "parallel": ("for _i{j} in [1] parallel 2 {{", "}}"),
    "while": ("while n < 1 {{", "}}"),
    "if": ("if true {{", "}}"),
    "else if": ("if n > 5 {{\n  n += 1\n}} else if true {{", "}}"),
    "try": ("try {{", "}} catch {{\n  n = 2\n}}"),
    "catch": ("try {{\n  n += 1\n}} catch e {{", "}}"),
}


def nested(kinds: list[str]) -> str:
    opens = [OPEN_CLOSE[k][0].format(j=j) for j, k in enumerate(kinds)]
    closes = [OPEN_CLOSE[k][1].format() for k in reversed(kinds)]
    return "flow f {\n  n = 0\n" + "\n".join(opens) + "\n  n += 1\n" + "\n".join(closes) + "\n  return n\n}\n"


def verdict(tmp_path: Path, kinds: list[str]) -> tuple[list[str], bool]:
    path = tmp_path / "deep.flow"
    path.write_text(nested(kinds), encoding="utf-8")
    project = load_project(str(path))
    codes = [d.code for d in check(project) if d.is_error]
    try:
        compile_project(project)
    except CodegenError:
        return codes, False
    return codes, True


@pytest.mark.parametrize(("kind", "deepest"), [("for", 20), ("while", 20), ("try", 19), ("if", 98)])
def test_one_level_deeper_than_compiles_is_e126_at_the_statement(tmp_path: Path, kind: str, deepest: int) -> None:
    assert verdict(tmp_path, [kind] * deepest) == ([], True)
    path = tmp_path / "deep.flow"
    path.write_text(nested([kind] * (deepest + 1)), encoding="utf-8")
    [error] = [d for d in check(load_project(str(path))) if d.is_error]
    assert error.code == "E126" and error.span.line > deepest  # the innermost statement, not line 1
    assert error.hint == "move the inner part into a func: it starts its own nesting"


def test_the_checker_flags_exactly_what_the_code_generator_cannot_emit(tmp_path: Path) -> None:
    rng = random.Random(7)
    weights = [[5, 1, 3, 1, 1, 3, 2], [1, 3, 1, 10, 3, 1, 1], [1, 1, 1, 1, 1, 1, 1], [0, 1, 0, 2, 6, 0, 0]]
    for _ in range(12):
        kinds = rng.choices(list(OPEN_CLOSE), rng.choice(weights), k=rng.randint(15, 105))
        codes, compiles = verdict(tmp_path, kinds)
        if "parallel" in kinds:  # counted a level on the safe side: what passes the check always compiles
            assert "E126" in codes or compiles, kinds
        else:
            assert ("E126" in codes) != compiles, kinds
