"""The checker is fast on big flows and never crashes on deep nesting or huge expressions."""

from __future__ import annotations

import time

from flowlang import nodes
from flowlang.checker import check
from flowlang.diagnostics import Span
from flowlang.loader import Project
from flowlang.syntax.parser import parse

AT = Span("deep.flow", 1, 1, 1, 2)


def project_of(program: nodes.Program, text: str = "") -> Project:
    return Project(program.file, {program.file: program}, {program.file: text}, [])


def big_flow(lines: int) -> str:
    out = ["system shop {", '  base_url: "https://shop.example.com"', '  GET list_orders "/orders" {',
           '    items: "orders"', "  }", '  GET get_order "/orders/{id}"', "}", "", "flow big {",
           "  total = 0", "  names = []"]
    i = 0
    while len(out) < lines - 2:
        out += [
            f"  for o{i} in each shop.list_orders(query: {{page: {i}}}) {{",
            f"    if o{i}.amount > {i} and not o{i}.cancelled {{",
            f"      total += o{i}.amount * 2 + length(o{i}.lines ?? [])",
            f'      names += [upper(trim(o{i}.name)) + " #{i}"]',
            "    } else {",
            f"      r{i} = call shop.get_order(id: o{i}.id)",
            f'      log info "order {{o{i}.id}}: {{r{i}.status}}"',
            "    }",
            "  }",
        ]
        i += 1
    out += ["  return {total: total, names: names}", "}"]
    return "\n".join(out) + "\n"


def test_five_thousand_line_flow_checks_in_well_under_a_second() -> None:
    text = big_flow(500)
    program = parse(text, "big.flow")
    # ten copies of the loops make a 5,000-line flow without waiting for the parser ten times
    flow = program.flows[0]
    first, loops, last = flow.body.stmts[:2], flow.body.stmts[2:-1], flow.body.stmts[-1:]
    body = nodes.Block(flow.body.span, (*first, *(loops * 10), *last))
    big = nodes.Flow(flow.span, flow.name, flow.name_span, flow.settings, body)
    project = project_of(nodes.Program(program.span, "big.flow", (), program.systems, (), (big,)), text)
    assert sum(1 for _ in nodes.walk(body)) > 25_000
    check(project)  # the first check imports the standard library
    started = time.perf_counter()
    diagnostics = check(project)
    elapsed = time.perf_counter() - started
    assert diagnostics == []
    assert elapsed < 1.0


def test_three_thousand_nested_blocks_do_not_crash_the_checker() -> None:
    body: nodes.Block = nodes.Block(AT, (nodes.Log(AT, "info", nodes.Name(AT, "x")),))
    for _ in range(3000):
        body = nodes.Block(AT, (nodes.If(AT, nodes.Literal(AT, True), body, None),))
    stmts = (nodes.Assign(AT, nodes.Name(AT, "x"), "=", nodes.Literal(AT, 1)), *body.stmts)
    flow = nodes.Flow(AT, "deep", AT, (), nodes.Block(AT, stmts))
    program = nodes.Program(AT, "deep.flow", (), (), (), (flow,))
    # no crash and no E100; too deep for a compiled module, which is said once (E126)
    assert [d.code for d in check(project_of(program))] == ["E126"]


def test_twenty_thousand_term_expression_is_checked() -> None:
    expr: nodes.Node = nodes.Name(AT, "y")
    for _ in range(20_000):
        expr = nodes.Binary(AT, "+", expr, nodes.Literal(AT, 1))
    stmts = (nodes.Return(AT, expr),)
    flow = nodes.Flow(AT, "long", AT, (), nodes.Block(AT, stmts))  # type: ignore[arg-type]
    program = nodes.Program(AT, "deep.flow", (), (), (), (flow,))
    assert [d.code for d in check(project_of(program))] == ["E101", "E127"]  # too deep to compile, said once


def test_deeply_nested_source_text_gives_diagnostics_not_a_traceback() -> None:
    depth = 3000
    text = "flow deep {\n" + "if true {\n" * depth + "log info 1\n" + "}\n" * depth + "}\n"
    try:
        program = parse(text, "deep.flow")
    except Exception as exc:  # the parser may refuse such depth; it must say so with diagnostics
        assert getattr(exc, "diagnostics", None), exc
        return
    check(project_of(program, text))
