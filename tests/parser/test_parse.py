"""Parsing: the AST shapes and positions of each construct."""

from __future__ import annotations

from textwrap import dedent

import pytest

from flowlang import nodes as n
from flowlang.diagnostics import FlowSyntaxError
from flowlang.syntax.parser import parse, parse_expression


def body(src: str) -> tuple[n.Stmt, ...]:
    program = parse(dedent(src), "t.flow")
    return program.flows[0].body.stmts


def test_flow_settings_and_statements_are_separated() -> None:
    program = parse('flow sync {\n  name: "Sync"\n  enabled: false\n  x = 1\n}\n', "t.flow")
    flow = program.flows[0]
    assert [s.key for s in flow.settings] == ["name", "enabled"]
    assert isinstance(flow.body.stmts[0], n.Assign)


def test_newlines_are_free_inside_brackets_and_after_operators() -> None:
    (stmt,) = body("""
        flow f {
          x = {a: 1,
            b: [1,
              2],
          } ?? f(1,
            k: 2) + 3 *
            4
        }
    """)
    assert isinstance(stmt, n.Assign)
    assert isinstance(stmt.value, n.Binary) and stmt.value.op == "??"


def test_interpolations_are_expressions_with_exact_positions() -> None:
    expr = parse_expression('"id {c.id} of {count + 1}"', "t.flow")
    assert isinstance(expr, n.String)
    text, attr, middle, binary = expr.parts
    assert (text, middle) == ("id ", " of ")
    assert isinstance(attr, n.Attr) and (attr.span.line, attr.span.column) == (1, 6)
    assert isinstance(binary, n.Binary) and (binary.span.column, binary.span.end_column) == (16, 25)


def test_interpolation_positions_inside_a_multiline_string() -> None:
    (stmt,) = body('''
        flow f {
          x = """
        line one
          value {a.b}
        """
        }
    ''')
    assert isinstance(stmt, n.Assign) and isinstance(stmt.value, n.String)
    attr = stmt.value.parts[1]
    assert isinstance(attr, n.Attr)
    assert (attr.span.line, attr.span.column) == (5, 10)


def test_escapes_and_literal_braces() -> None:
    expr = parse_expression(r'"a\"b\\c\n\t\u{1F600} \{x\}"')
    assert isinstance(expr, n.String)
    assert expr.parts == ('a"b\\c\n\t\U0001F600 {x}',)


def test_numbers_durations_and_negative_literals() -> None:
    values = [parse_expression(t) for t in ("42", "-7", "3.14", "1_000_000", "2.5e3", "250ms", "5m", "1h")]
    assert [getattr(v, "value", None) or getattr(v, "seconds", None) for v in values] == [
        42, -7, 3.14, 1000000, 2500.0, 0.25, 300.0, 3600.0
    ]


@pytest.mark.parametrize(
    ("source", "op"),
    [
        ("a ?? b or c", "??"),
        ("a or b and c", "or"),
        ("not a == b", None),
        ("a + b * c", "+"),
        ("a not in b", "not in"),
        ("a in b", "in"),
    ],
)
def test_precedence_ladder(source: str, op: str | None) -> None:
    expr = parse_expression(source)
    if op is None:
        assert isinstance(expr, n.Unary) and expr.op == "not"
    else:
        assert isinstance(expr, n.Binary) and expr.op == op


def test_conditional_lambda_and_named_args() -> None:
    expr = parse_expression("map(xs, x => if x then 1 else 2, by: (a, b) => a)")
    assert isinstance(expr, n.Call)
    _first, second, third = expr.args
    assert isinstance(second.value, n.Lambda) and [p.name for p in second.value.params] == ["x"]
    assert isinstance(second.value.body, n.Conditional)
    assert third.name == "by" and isinstance(third.value, n.Lambda)


def test_a_single_lambda_parameter_may_be_parenthesised() -> None:
    expr = parse_expression("map(xs, (x) => x.id)")
    assert isinstance(expr, n.Call)
    fn = expr.args[1].value
    assert isinstance(fn, n.Lambda) and [p.name for p in fn.params] == ["x"]


def test_a_lambda_parameter_must_be_a_name() -> None:
    with pytest.raises(FlowSyntaxError) as info:
        parse_expression("map(xs, (x.y) => 1)")
    assert info.value.diagnostics[0].message == "a lambda parameter must be a name"


def test_api_calls_and_optional_access() -> None:
    expr = parse_expression("each shop.list_orders(query: {page: 1})?.items[0]")
    assert isinstance(expr, n.Index)
    attr = expr.obj
    assert isinstance(attr, n.Attr) and attr.optional
    assert isinstance(attr.obj, n.ApiCall) and attr.obj.mode == "each"
    assert (attr.obj.system, attr.obj.operation) == ("shop", "list_orders")


def test_keywords_are_allowed_as_keys_members_and_argument_names() -> None:
    expr = parse_expression('api_key("k", v, in: "query").for')
    assert isinstance(expr, n.Attr) and expr.name == "for"
    obj = parse_expression('{type: "flow", in: 1, "any key": 2}')
    assert isinstance(obj, n.ObjectLit)
    assert [e.key for e in obj.entries] == ["type", "in", "any key"]


def test_system_block_with_operations_and_options() -> None:
    program = parse(dedent('''
        system shop {
          base_url: "http://x"
          retry: 3
          GET list_orders "/orders" {
            items: "data"
            paginate: page(param: "p", start: 1)
          }
          POST create_order "/orders/{id}"
        }
    '''), "t.flow")
    (system,) = program.systems
    assert [s.key for s in system.settings] == ["base_url", "retry"]
    assert [(o.method, o.name, o.path) for o in system.operations] == [
        ("GET", "list_orders", "/orders"), ("POST", "create_order", "/orders/{id}")
    ]
    assert [s.key for s in system.operations[0].options] == ["items", "paginate"]


def test_statements_of_every_kind() -> None:
    stmts = body('''
        flow f {
          for i, x in xs parallel 4 {
            total += x
          }
          while true {
            break
          }
          try {
            fail "no"
          } catch err {
            log warn err.message
          }
          if a { continue_here() } else if b { wait 2s } else { checkpoint }
          return
        }
    ''')
    kinds = [type(s).__name__ for s in stmts]
    assert kinds == ["For", "While", "Try", "If", "Return"]
    loop = stmts[0]
    assert isinstance(loop, n.For) and [x.name for x in loop.names] == ["i", "x"] and loop.parallel


def test_crlf_bom_comments_and_empty_files_parse() -> None:
    assert parse("", "t.flow").flows == ()
    assert parse("# just a comment", "t.flow").flows == ()
    program = parse("\ufeffflow a {\r\n  x = 1 # trailing\r\n  return x\r\n}\r\n", "t.flow")
    assert len(program.flows[0].body.stmts) == 2
