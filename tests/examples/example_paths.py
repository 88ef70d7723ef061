"""Where the examples are, for the example tests (a module of its own: `from conftest import` would
find another folder's conftest when one pytest run collects several test folders)."""

from __future__ import annotations

from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# The examples' flows and systems; their tests (`*_test.flow`, run by test_example_tests.py) are not examples.
EXAMPLE_FILES = sorted(p for p in EXAMPLES.glob("*.flow") if not p.stem.endswith("_test"))
