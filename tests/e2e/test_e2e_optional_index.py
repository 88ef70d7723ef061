"""`a?[k]` (null-safe indexing) and the hint of a missing key, as a user runs them, on both engines."""

from __future__ import annotations

import json
from pathlib import Path

from e2e.harness import Write, flowlang, run_both
from e2e.test_e2e_bodies import doc_example

LINES = [{"sku": "A1", "qty": 2}, {"sku": "B2", "qty": 1}, {"sku": "A1", "qty": 5}]


def test_the_missing_keys_example_of_the_language_reference_counts_new_keys_from_zero(write: Write) -> None:
    flow = write("count.flow", doc_example("Missing keys"))
    result = run_both(flow, "--input", "-", stdin=json.dumps(LINES))
    assert result.code == 0, result.err
    assert json.loads(result.out) == {"counts": {"A1": 7, "B2": 1}, "first": "A1", "tenth": "none"}


def test_what_users_write_first_fails_at_the_new_key_with_a_hint_at_the_optional_index(write: Write) -> None:
    text = doc_example("Missing keys").replace("(counts?[line.sku] ?? 0)", "(counts[line.sku] ?? 0)")
    flow = write("first.flow", text)
    result = run_both(flow, "--input", "-", stdin=json.dumps(LINES))
    assert result.code == 3
    assert ("first.flow:4:25: error: counts has no field 'A1' (`counts?[…]` is null when the key is missing: "
            "write `counts?[…] ?? default` for a default)") in result.err


def test_an_optional_index_formats_checks_and_cannot_be_assigned_to(write: Write) -> None:
    text = "flow f {\n  xs = [1]\n  return xs ?[ 0 ] ?? xs?[\n    1 ]\n}\n"
    formatted = flowlang("fmt", "-", cwd=Path.cwd(), stdin=text)
    assert formatted.code == 0, formatted.err
    # laid out as `xs[…]` is: glued to what it indexes, a group the source broke stays exploded
    assert formatted.out == "flow f {\n  xs = [1]\n  return xs?[0] ?? xs?[\n    1\n  ]\n}\n"
    plain = flowlang("fmt", "-", cwd=Path.cwd(), stdin=text.replace("?[", "["))
    assert plain.out == formatted.out.replace("?[", "[")
    again = flowlang("fmt", "-", cwd=Path.cwd(), stdin=formatted.out)
    assert again.out == formatted.out
    assigned = write("assign.flow", "flow f {\n  xs = [1]\n  xs?[0] = 2\n}\n")
    checked = flowlang("check", assigned.name, cwd=assigned.parent)
    assert checked.code == 1
    assert "assign.flow:3:3: error[E007]: cannot assign to this expression" in checked.out + checked.err
