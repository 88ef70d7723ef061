"""The layout engine prints code the way `ruff format` does, so generated modules need no formatting."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

from flowlang.codegen.layout import Brackets, Chain, Doc, Parens, Text, call, lines_of, seq


def random_doc(rng: random.Random, depth: int) -> Doc:
    """A random expression of the shapes the code generator emits."""
    name = rng.choice(["v_x", "v_customer_name", "get_attr", "fl_upper", "values_of_something"])
    if depth <= 0 or rng.random() < 0.25:
        return Text(rng.choice([name, '"text"', '"a longer piece of text here"', "W12_34", "42", "None"]))
    kind = rng.choice(["call", "call", "list", "dict", "chain", "coalesce"])
    if kind == "call":
        args = [random_doc(rng, depth - 1) for _ in range(rng.randint(0, 4))]
        return call(name, *[_wrap(a) for a in args])
    if kind == "list":
        items = tuple(_wrap(random_doc(rng, depth - 1)) for _ in range(rng.randint(0, 3)))
        return Brackets("[", items, "]", collection=True)
    if kind == "dict":
        entries = tuple(
            seq(f'"key_{i}": ', _wrap(random_doc(rng, depth - 1))) for i in range(rng.randint(0, 3))
        )
        return Brackets("{", entries, "}", collection=True)
    if kind == "coalesce":
        test = Chain(Parens(seq("_t1 := ", _wrap(random_doc(rng, depth - 1)))), (("is", Text("None")),))
        return Chain(_wrap(random_doc(rng, depth - 1)), (("if", test), ("else", Text("_t1"))))
    op = rng.choice(["and", "or", "+"])
    rest = tuple((op, _wrap(random_doc(rng, depth - 1))) for _ in range(rng.randint(1, 3)))
    return Chain(_wrap(random_doc(rng, depth - 1)), rest)


def _wrap(doc: Doc) -> Doc:
    return Parens(doc) if isinstance(doc, Chain) else doc


def test_random_statements_are_laid_out_as_ruff_formats_them(tmp_path: Path) -> None:
    rng = random.Random(20240501)
    lines = []
    for n in range(300):
        indent = "    " * rng.randint(1, 4)
        prefix = rng.choice(["v_result = ", "return ", ""])
        lines.append(f"def f{n}():")
        for level in range(1, len(indent) // 4):
            lines.append("    " * level + "if v_x:")
        lines.extend(lines_of(seq(prefix, random_doc(rng, 4)), indent))
        lines.extend(["", ""])
    source = "\n".join(lines).rstrip() + "\n"
    path = tmp_path / "laid_out.py"
    path.write_text(source, encoding="utf-8")
    compile(source, str(path), "exec")
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--isolated", "--diff", str(path)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stdout[:6000]
