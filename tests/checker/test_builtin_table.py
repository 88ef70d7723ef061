"""The checker's builtin table is the live stdlib registry, and `flowlang check` never imports the stdlib."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from flowlang.stdlib import load_all

from flowlang.checker.builtin_gen import TABLE_PATH, table_source
from flowlang.checker.context import builtin_signatures
from flowlang.checker.declarations import slugify

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_the_committed_table_is_what_the_registry_generates() -> None:
    assert TABLE_PATH.read_text(encoding="utf-8") == table_source(), (
        "the stdlib changed: run `python -m flowlang.checker.builtin_gen` and commit builtin_table.py"
    )


def test_every_builtin_has_its_registry_parameters() -> None:
    signatures = builtin_signatures()
    registry = load_all()
    assert set(signatures) == set(registry)
    for name, builtin in registry.items():
        sig = signatures[name]
        assert sig.params == tuple((p.name, p.required) for p in builtin.params if not p.variadic)
        assert sig.variadic == next((p.name for p in builtin.params if p.variadic), None)
        assert sig.min_args == builtin.min_args


@pytest.mark.parametrize("text", ["Map orders", "Ça va, Zoë!", "  --a__b--  ", "日本", "x1 Y2", ""])
def test_the_checker_slugifies_flow_names_as_the_stdlib_does(text: str) -> None:
    assert slugify(text) == load_all()["slugify"].fn(text)


PROBE = """
import sys
from flowlang.cli.entry import main
try:
    main(["check", sys.argv[1]])
except SystemExit as exc:
    assert not exc.code, exc.code
loaded = sorted(m for m in sys.modules if m.startswith("flowlang.stdlib") or m in ("click", "zoneinfo", "decimal"))
print("loaded:" + ",".join(loaded))
"""


def test_check_imports_neither_the_stdlib_nor_click() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE, str(EXAMPLES)], capture_output=True, text=True,
                            check=True)
    assert result.stdout.splitlines()[-1] == "loaded:"
