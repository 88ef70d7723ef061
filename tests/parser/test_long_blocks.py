"""A block of many statements parses into all of them, in order and at their lines (the list rule of a
block grows in place instead of being copied at every statement)."""

from flowlang.syntax.parser import parse


def test_a_block_of_twenty_thousand_statements_keeps_every_statement_in_order() -> None:
    count = 20_000
    source = "flow big {\n" + "".join(f"  x{i} = {i}\n" for i in range(count)) + "}\n"
    statements = parse(source, "big.flow").flows[0].body.stmts
    assert len(statements) == count
    assert [(s.target.name, s.span.line) for s in statements[:2]] == [("x0", 2), ("x1", 3)]
    assert (statements[-1].target.name, statements[-1].value.value) == (f"x{count - 1}", count - 1)
