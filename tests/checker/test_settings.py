"""Settings of systems, operations and flows: keys, kinds of value, durations, setting functions, cron."""

from __future__ import annotations

import pytest

from flowlang.checker.cron import check_cron

from .conftest import CheckText, codes, only


def system(body: str) -> str:
    return "system shop {\n" + body + "}\nflow sync {\n  return 1\n}\n"


def test_a_complete_system_checks_clean(check_text: CheckText) -> None:
    diags = check_text(system("""\
  base_url: env("SHOP_URL", "https://shop.example.com")
  auth: oauth2(token_url: "https://id.example.com/token", client_id: env("ID"), client_secret: secret("S"))
  headers: {"Accept": "application/json", "X-Version": 2}
  timeout: 30s
  retry: 3
  backoff: 500ms
  rate_limit: 10
  GET list "/items" {
    items: "data.items"
    paginate: cursor(param: "after", from: "meta.next")
    retry: 1
    timeout: 2m
  }
  POST create "/items" {
    idempotent: true
  }
"""))
    assert diags == []


@pytest.mark.parametrize("auth", ["none", "none()", 'bearer("t")', 'basic("u", "p")',
                                  'api_key("X-Key", "k", in: "query")'])
def test_every_auth_function_is_accepted(check_text: CheckText, auth: str) -> None:
    assert check_text(system(f'  base_url: "https://x.example.com"\n  auth: {auth}\n')) == []


@pytest.mark.parametrize("paginate", ['page(param: "p")', 'page("p", 0, "size", 50)',
                                      'offset(param: "o", limit_param: "l", limit: 100)',
                                      'next_link(from: "links.next")', "link_header()"])
def test_every_pagination_strategy_is_accepted(check_text: CheckText, paginate: str) -> None:
    text = system(f'  base_url: "https://x.example.com"\n  GET l "/l" {{\n    items: "i"\n    paginate: {paginate}\n  }}\n')
    assert check_text(text) == []


def test_unknown_setting_suggests_the_known_one(check_text: CheckText) -> None:
    diag = only(check_text(system('  base_url: "https://x.example.com"\n  rate_limt: 5\n')), "E213")
    assert (diag.span.line, diag.span.column, diag.hint) == (3, 3, "did you mean 'rate_limit'?")


def test_auth_must_be_an_auth_function(check_text: CheckText) -> None:
    diag = only(check_text(system('  base_url: "https://x.example.com"\n  auth: page(param: "p")\n')), "E214")
    assert diag.span.column == 9


def test_setting_function_arguments_are_checked(check_text: CheckText) -> None:
    diags = check_text(system('  base_url: "https://x.example.com"\n  auth: basic("u")\n'))
    assert codes(diags) == ["E203"]


def test_setting_function_argument_kinds_are_checked(check_text: CheckText) -> None:
    text = system('  base_url: "https://x.example.com"\n  GET l "/l" {\n    items: "i"\n    paginate: page(param: 1, size_param: "n", size: "ten")\n  }\n')
    assert [(d.code, d.span.column) for d in check_text(text)] == [("E214", 27), ("E214", 53)]


@pytest.mark.parametrize(("setting", "code"), [
    ("timeout: -1s", "E215"), ("timeout: 0", "E215"), ("backoff: -5ms", "E215"), ("retry: -1", "E215"),
    ("retry: 2.5", "E215"), ("retry: 1s", "E214"), ("rate_limit: 0", "E215"), ("timeout: \"30s\"", "E214"),
])
def test_bad_numbers_and_durations(check_text: CheckText, setting: str, code: str) -> None:
    diags = check_text(system(f'  base_url: "https://x.example.com"\n  {setting}\n'))
    assert codes(diags) == [code]


def test_system_needs_base_url_unless_it_has_a_spec(check_text: CheckText) -> None:
    assert codes(check_text(system("  timeout: 1s\n"))) == ["E219"]
    assert "E219" not in codes(check_text(system('  spec: "api.yaml"\n')))


def test_settings_cannot_read_variables(check_text: CheckText) -> None:
    diag = only(check_text(system("  base_url: url\n")), "E221")
    assert diag.span.column == 13


def test_flow_settings_are_plain_values(check_text: CheckText) -> None:
    diags = check_text('flow sync {\n  name: "Sync"\n  description: "d"\n  slug: "sync-2"\n  enabled: false\n  schedule: "*/15 * * * *"\n  return 1\n}\n')
    assert diags == []


def test_cron_problem_is_reported_at_the_bad_field_inside_the_string(check_text: CheckText) -> None:
    diag = only(check_text('flow sync {\n  schedule: "0 9 * 13 *"\n  return 1\n}\n'), "E216")
    assert (diag.span.column, diag.span.end_column) == (20, 22)
    assert diag.message == "invalid cron expression: month 13 is out of range 1-12"


@pytest.mark.parametrize("expression", ["* * * * *", "*/15 0-6 1,15 JAN-jun MON-FRI", "5 4 * * 7",
                                        "@daily", "0 22 * * 1-5", "23 0-20/2 * * *"])
def test_valid_cron_expressions(expression: str) -> None:
    assert check_cron(expression) is None


@pytest.mark.parametrize(("expression", "message"), [
    ("60 * * * *", "minute 60 is out of range 0-59"),
    ("* * 0 * *", "day of month 0 is out of range 1-31"),
    ("* * * * 8", "day of week 8 is out of range 0-7"),
    ("*/0 * * * *", "step '0' in the minute field must be a positive number"),
    ("* 5-2 * * *", "range 5-2 in the hour field runs backwards"),
    ("* * * * MON,XYZ", "'XYZ' is not a number or a day of week name (sun, mon, tue …)"),
    ("* * * *", "a cron expression has 5 fields (minute hour day-of-month month day-of-week), found 4"),
    ("1,,2 * * * *", "empty item in the minute field"),
])
def test_invalid_cron_expressions(expression: str, message: str) -> None:
    problem = check_cron(expression)
    assert problem is not None and problem.message == message


def test_wait_and_parallel_constants(check_text: CheckText) -> None:
    diags = check_text("flow sync {\n  wait 1.5s\n  wait -1\n  for x in [1] parallel 2.5 {\n    log info x\n  }\n}\n")
    assert [(d.code, d.span.line) for d in diags] == [("E215", 3), ("E215", 4)]


def test_default_slugs_come_from_the_name_as_the_engines_compute_them(check_text: CheckText) -> None:
    diags = check_text("""\
        flow one {
          name: "Café Sync!"
          return 1
        }
        flow two {
          slug: "cafe-sync"
          return 2
        }
        flow cafe_sync {
          return 3
        }
        """)
    assert [(d.code, d.span.line) for d in diags] == [("E111", 6), ("E111", 9)]
