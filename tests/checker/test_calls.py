"""Calls: builtins and funcs, API calls against systems, lambdas, object keys."""

from __future__ import annotations

from .conftest import CheckText, codes, only

SHOP = """\
    system shop {
      base_url: "https://shop.example.com"
      GET list_orders "/orders" {
        items: "orders"
      }
      GET get_line "/orders/{order_id}/lines/{line_id}"
      POST create_order "/orders"
    }
    """


def test_builtin_with_too_many_arguments(check_text: CheckText) -> None:
    diag = only(check_text('flow sync {\n  return upper("a", "b")\n}\n'), "E203")
    assert diag.message == "upper() takes at most 1 argument, got 2"
    assert (diag.span.line, diag.span.column) == (2, 21)


def test_builtin_with_too_few_arguments(check_text: CheckText) -> None:
    diag = only(check_text("flow sync {\n  return replace(\"a\")\n}\n"), "E203")
    assert diag.message.startswith("replace() takes at least")


def test_func_arguments_positional_then_named_with_defaults(check_text: CheckText) -> None:
    diags = check_text("""\
        func label(name, prefix = "#", suffix = "") {
          return prefix + name + suffix
        }
        flow sync {
          return [label("a"), label("a", suffix: "!"), label(prefix: "*", name: "b")]
        }
        """)
    assert diags == []


def test_unknown_named_argument_suggests_the_parameter(check_text: CheckText) -> None:
    diags = check_text("""\
        func label(name, prefix = "#") {
          return prefix + name
        }
        flow sync {
          return label("a", prefx: "*")
        }
        """)
    diag = only(diags, "E204")
    assert (diag.span.line, diag.span.column, diag.hint) == (5, 21, "did you mean 'prefix'?")


def test_missing_required_argument_when_others_are_named(check_text: CheckText) -> None:
    diags = check_text("func f(a, b) {\n  return a + b\n}\nflow sync {\n  return f(b: 1)\n}\n")
    assert only(diags, "E206").message == "f() is missing 'a'"


def test_argument_given_twice(check_text: CheckText) -> None:
    diags = check_text("func f(a) {\n  return a\n}\nflow sync {\n  return f(1, a: 2)\n}\n")
    assert codes(diags) == ["E205"]


def test_unknown_function_suggests_builtins_and_funcs(check_text: CheckText) -> None:
    diag = only(check_text("flow sync {\n  return lowr(\"A\")\n}\n"), "E202")
    assert diag.hint == "did you mean 'lower'?"


def test_funcs_of_imported_files_are_callable(check_text: CheckText) -> None:
    diags = check_text(
        'import "lib/helpers.flow"\nflow sync {\n  return helper(1)\n}\n',
        {"lib/helpers.flow": "func helper(x) {\n  return x\n}\n"},
    )
    assert diags == []


def test_lambda_is_allowed_where_a_builtin_takes_a_function(check_text: CheckText) -> None:
    diags = check_text("""\
        flow sync {
          xs = [1, 2, 3]
          big = filter(xs, x => x > 1)
          return [map(big, x => x * 2), sort_by(xs, x => -x), any(xs, x => x == 2)]
        }
        """)
    assert diags == []


def test_lambda_passed_to_a_func_is_an_error(check_text: CheckText) -> None:
    diags = check_text("func f(g) {\n  return g\n}\nflow sync {\n  return f(x => x)\n}\n")
    diag = only(diags, "E106")
    assert (diag.span.line, diag.span.column) == (5, 12)


def test_setting_function_outside_settings(check_text: CheckText) -> None:
    diag = only(check_text('flow sync {\n  return page(param: "p")\n}\n'), "E208")
    assert diag.span.column == 10


def test_duplicate_object_key_points_at_the_second_key(check_text: CheckText) -> None:
    diag = only(check_text("flow sync {\n  return {a: 1,\n    \"a\": 2}\n}\n"), "E115")
    assert (diag.span.line, diag.span.column) == (3, 5)


def test_api_call_with_path_parameters_query_body_and_headers(check_text: CheckText) -> None:
    diags = check_text(SHOP + """\
        flow sync {
          r = call shop.get_line(order_id: 1, line_id: 2, query: {a: 1}, headers: {"X": "y"})
          call shop.create_order(body: {id: 1})
          for o in each shop.list_orders() {
            log info "{o.id}"
          }
          return r
        }
        """)
    assert diags == []


def test_api_call_missing_path_parameter(check_text: CheckText) -> None:
    diags = check_text(SHOP + "flow sync {\n  return call shop.get_line(order_id: 1)\n}\n")
    diag = only(diags, "E211")
    assert "'line_id'" in diag.message
    assert (diag.span.line, diag.span.column) == (10, 20)


def test_api_call_unknown_argument(check_text: CheckText) -> None:
    diags = check_text(SHOP + "flow sync {\n  return call shop.create_order(bdy: {})\n}\n")
    assert only(diags, "E210").hint == "did you mean 'body'?"


def test_api_call_positional_argument(check_text: CheckText) -> None:
    diags = check_text(SHOP + "flow sync {\n  return call shop.create_order({})\n}\n")
    assert codes(diags) == ["E209"]


def test_unknown_operation_suggests_a_close_one(check_text: CheckText) -> None:
    diags = check_text(SHOP + "flow sync {\n  return call shop.list_order()\n}\n")
    assert only(diags, "E201").hint == "did you mean 'list_orders'?"


def test_unknown_system(check_text: CheckText) -> None:
    diags = check_text(SHOP + "flow sync {\n  return call shoop.list_orders()\n}\n")
    diag = only(diags, "E200")
    assert (diag.span.line, diag.span.column, diag.hint) == (10, 15, "did you mean 'shop'?")


def test_system_of_an_imported_file_is_visible(check_text: CheckText) -> None:
    diags = check_text(
        'import "systems.flow"\nflow sync {\n  return call shop.create_order(body: 1)\n}\n',
        {"systems.flow": SHOP},
    )
    assert diags == []


def test_each_on_an_operation_without_items(check_text: CheckText) -> None:
    diags = check_text(SHOP + "flow sync {\n  return map(each shop.create_order(), x => x)\n}\n")
    diag = only(diags, "E212")
    assert (diag.span.line, diag.span.column) == (10, 14)


def test_unknown_names_are_not_reported_when_an_import_failed(check_text: CheckText) -> None:
    diags = check_text('import "missing.flow"\nflow sync {\n  return call shop.get(x: helper(1))\n}\n')
    assert codes(diags) == ["E015"]


def test_lambda_given_to_a_builtin_takes_exactly_one_parameter(check_text: CheckText) -> None:
    diags = check_text("flow sync {\n  return filter([1], (a, b) => a)\n}\n")
    diag = only(diags, "E222")
    assert (diag.span.line, diag.span.column) == (2, 22)
    assert diag.message == "filter() calls 'predicate' with one argument (an item), but this lambda takes 2"


def test_query_and_headers_of_an_api_call_are_objects(check_text: CheckText) -> None:
    diags = check_text(SHOP + 'flow sync {\n  return call shop.create_order(headers: ["X-A"])\n}\n')
    diag = only(diags, "E223")
    assert (diag.span.line, diag.span.column) == (10, 42)
    assert diag.message == "'headers' of shop.create_order() must be an object, got a list"


def test_func_of_a_file_that_is_not_imported_is_unknown_with_a_hint(check_text: CheckText) -> None:
    diags = check_text(
        'import "a.flow"\nimport "b.flow"\nflow sync {\n  return helper(1)\n}\n',
        {"a.flow": "func uses() {\n  return helper(2)\n}\n", "b.flow": "func helper(x) {\n  return x\n}\n"},
    )
    diag = only(diags, "E202")
    assert (diag.span.file, diag.span.line, diag.hint) == ("a.flow", 2, "'helper' is declared in b.flow: import it")


def test_funcs_of_files_imported_indirectly_are_visible(check_text: CheckText) -> None:
    diags = check_text(
        'import "a.flow"\nflow sync {\n  return helper(1)\n}\n',
        {"a.flow": 'import "b.flow"\n', "b.flow": "func helper(x) {\n  return x\n}\n"},
    )
    assert diags == []
