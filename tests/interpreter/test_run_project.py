"""`run_project`, as `flowlang run` uses it: flow selection, input, state across runs, imports, settings."""

from __future__ import annotations

import json
from pathlib import Path
from textwrap import dedent

from runtime_http.servers import FakeServer

from .conftest import RunFlow

TWO_FLOWS = """
flow first {
  name: "First Flow"
  return 1
}

flow second {
  slug: "the-second"
  return 2
}
"""


def test_the_only_flow_of_the_file_runs_without_naming_it(run_flow: RunFlow) -> None:
    ran = run_flow("flow only {\n  return {ok: true}\n}\n")
    assert (ran.exit, ran.result) == (0, {"ok": True})


def test_several_flows_need_a_name_and_the_error_lists_them(run_flow: RunFlow) -> None:
    ran = run_flow(TWO_FLOWS)
    assert ran.exit == 2
    assert ran.stderr == "error: main.flow declares several flows; choose one with --flow: first, second\n"


def test_a_flow_is_chosen_by_identifier_slug_or_name(run_flow: RunFlow) -> None:
    assert run_flow(TWO_FLOWS, flow="second").result == 2
    assert run_flow(TWO_FLOWS, flow="the-second").result == 2
    assert run_flow(TWO_FLOWS, flow="First Flow").result == 1


def test_an_unknown_flow_name_is_a_usage_error(run_flow: RunFlow) -> None:
    ran = run_flow(TWO_FLOWS, flow="third")
    assert (ran.exit, ran.stderr) == (2, "error: main.flow has no flow 'third'; its flows: first, second\n")


def test_the_input_file_is_the_source(run_flow: RunFlow) -> None:
    assert run_flow("flow f {\n  return source.n * 2\n}\n", input={"n": 21}).result == 42


def test_state_written_by_one_run_is_read_by_the_next(run_flow: RunFlow) -> None:
    text = "flow f {\n  state.runs = (state.runs ?? 0) + 1\n  return state.runs\n}\n"
    assert [run_flow(text).result for _ in range(3)] == [1, 2, 3]


def test_a_failed_run_keeps_the_state_of_the_last_successful_one(run_flow: RunFlow) -> None:
    text = "flow f {\n  state.runs = (state.runs ?? 0) + 1\n  if source.fail {\n    fail \"boom\"\n  }\n  return state.runs\n}\n"
    assert run_flow(text, input={"fail": False}).result == 1
    assert run_flow(text, input={"fail": True}).exit == 3
    assert run_flow(text, input={"fail": False}).result == 2


def test_systems_and_funcs_of_imported_files_are_visible(
    run_flow: RunFlow, tmp_path: Path, flow_server: FakeServer, monkeypatch: object
) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "shop.flow").write_text(
        dedent(
            f"""
            system shop {{
              base_url: "{flow_server.url}"
              GET get_customer "/customers/{{id}}"
            }}

            func label(c) {{
              return "{{c.id}}: {{c.name}}"
            }}
            """
        ),
        "utf-8",
    )
    ran = run_flow('import "lib/shop.flow"\n\nflow f {\n  return label(call shop.get_customer(id: 3).body)\n}\n')
    assert (ran.exit, ran.result) == (0, "3: Customer 3")


def test_a_bad_system_setting_fails_the_run_at_the_setting(run_flow: RunFlow) -> None:
    ran = run_flow(
        'system shop {\n  base_url: env("NO_SUCH_VARIABLE", "ftp://example.com")\n  GET ping "/ping"\n}\n\nflow f {\n  call shop.ping()\n}\n'
    )
    assert ran.exit == 3
    assert ran.stderr.splitlines()[0] == (
        "main.flow:2:13: error: system shop: 'base_url' must start with http:// or https://, "
        "got 'ftp://example.com'"
    )


def test_setting_functions_configure_auth_and_pagination(run_flow: RunFlow, flow_server: FakeServer) -> None:
    ran = run_flow(
        dedent(
            f"""
            system shop {{
              base_url: "{flow_server.url}"
              auth: bearer("token-1")
              GET list "/customers" {{
                items: "data"
                paginate: page(param: "page", start: 1)
              }}
            }}

            flow f {{
              return count(each shop.list())
            }}
            """
        )
    )
    assert (ran.exit, ran.result) == (0, 25)
    assert flow_server.requests[-1].headers["authorization"] == "Bearer token-1"


def test_deep_recursion_below_the_limit_runs(run_flow: RunFlow) -> None:
    text = "flow f {\n  return depth(190)\n}\n\nfunc depth(n) {\n  if n == 0 {\n    return 0\n  }\n  return 1 + depth(n - 1)\n}\n"
    assert run_flow(text).result == 190


def test_recursion_past_the_limit_fails_the_run_even_inside_try(run_flow: RunFlow) -> None:
    text = (Path(__file__).parent / "flows" / "recursion_limit.flow").read_text("utf-8")
    ran = run_flow(text)
    assert ran.exit == 3
    assert ran.stderr.splitlines()[0].startswith("main.flow:12:10: error: recursion limit reached")
    assert "caught" not in ran.stderr


def test_operations_of_an_openapi_document_are_callable_at_its_server(
    run_flow: RunFlow, tmp_path: Path, flow_server: FakeServer
) -> None:
    (tmp_path / "shop.json").write_text(
        json.dumps(
            {
                "openapi": "3.0.3",
                "info": {"title": "shop", "version": "1"},
                "servers": [{"url": flow_server.url}],
                "paths": {
                    "/customers/{id}": {
                        "get": {
                            "operationId": "getCustomer",
                            "parameters": [
                                {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
                            ],
                            "responses": {"200": {"description": "a customer"}},
                        }
                    }
                },
            }
        ),
        "utf-8",
    )
    ran = run_flow(
        'system shop {\n  spec: "shop.json"\n}\n\nflow f {\n  return call shop.getCustomer(id: 4).body.name\n}\n'
    )
    assert (ran.exit, ran.result) == (0, "Customer 4")


def test_leaving_an_each_loop_early_fetches_no_further_pages(run_flow: RunFlow, flow_server: FakeServer) -> None:
    before = len(flow_server.received("GET", "/customers"))
    ran = run_flow(
        dedent(
            f"""
            system shop {{
              base_url: "{flow_server.url}"
              GET list "/customers" {{
                items: "data"
                paginate: page(param: "page")
              }}
            }}

            flow f {{
              seen = 0
              for c in each shop.list() {{
                seen += 1
                if seen == 3 {{
                  break
                }}
              }}
              return seen
            }}
            """
        )
    )
    assert (ran.exit, ran.result) == (0, 3)
    assert len(flow_server.received("GET", "/customers")) - before == 1
