"""`flowlang fmt` leaves a well-laid-out test block as it is (`given state {…}` keeps its space)."""

from __future__ import annotations

from textwrap import dedent

from flowlang.tools.fmt import format_text

TEST = dedent("""\
    flow f {
      return state.n
    }

    test "t" {
      given state {n: 1}
      given env {SHOP_URL: "http://127.0.0.1:9"}
      result = run f
      expect result == 1
    }
    """)


def test_a_formatted_test_block_is_left_alone() -> None:
    assert format_text(TEST, "t.flow").new == TEST
