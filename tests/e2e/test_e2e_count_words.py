"""Counts in run errors read as English on both engines: `has 1 item`, not `has 1 items`."""

from __future__ import annotations

from e2e.harness import Write, run_both


def test_an_index_past_a_one_item_list_says_one_item(write: Write) -> None:
    flow = write("one.flow", 'flow one {\n  words = split("only", ",")\n  return words[3]\n}\n')
    done = run_both(flow)
    assert done.code == 3
    assert "words[3] is out of range (words has 1 item)" in done.err
    assert "1 items" not in done.compiled.err
