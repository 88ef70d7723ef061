"""The flowchart model: which boxes a flow's statements become, how they nest, and the arrows between them."""

from __future__ import annotations

from textwrap import dedent

import pytest
from graph_support import Draw, line_of

from flowlang.tools.graph import GraphError, model
from flowlang.tools.graph.edges import BACK, ERROR, LINK, chart_edges, link_edges

CALLS = dedent("""\
    flow demo {
      name: "Demo flow"
      first = call api.get_item(id: "1")
      names = map(each api.list_items(), i => i.name)
      if call api.get_item(id: "2").ok {
        call api.remove_item(id: "2")
      }
      return names
    }
    """)


def kinds(graph: model.Graph) -> list[str]:
    return [n.kind for n in graph.charts[0].body.items if isinstance(n, model.Node)]


def test_each_api_call_is_one_node_labelled_with_method_system_and_operation(draw: Draw) -> None:
    graph = draw(CALLS)
    calls = [n for n in graph.nodes() if n.kind == model.CALL]
    assert [n.label for n in calls] == ["GET api.get_item", "GET api.list_items", "GET api.get_item",
                                        "DELETE api.remove_item"]
    assert [n.line for n in calls] == [line_of(CALLS, "first ="), line_of(CALLS, "names ="),
                                       line_of(CALLS, "if call"), line_of(CALLS, "call api.remove")]
    assert calls[0].detail == ('first = call api.get_item(id: …)',)
    assert calls[1].detail == ("each api.list_items()",)  # inside map(): the call as written, no prefix
    assert all(n.file.endswith("main.flow") for n in calls)


def test_the_start_node_names_the_flow_and_its_title(draw: Draw) -> None:
    start = draw(CALLS).charts[0].start
    assert (start.kind, start.label, start.detail, start.line) == ("start", "flow demo", ("Demo flow",),
                                                                   line_of(CALLS, "flow demo"))


def test_plain_statements_in_a_row_merge_into_one_step_box(draw: Draw) -> None:
    text = "flow f {\n  a = 1\n  b = a + 1\n  c = [a, b]\n  d = 4\n  e = 5\n  return e\n}\n"
    graph = draw(text)
    assert kinds(graph) == ["start", "step", "return"]
    step = graph.charts[0].body.items[1]
    assert isinstance(step, model.Node)
    assert (step.label, step.detail, step.line) == ("a = 1", ("b = a + 1", "c = [a, b]", "… 2 more"),
                                                    line_of(text, "a = 1"))


def test_if_else_if_else_become_nested_decisions_with_yes_and_no_arrows(draw: Draw) -> None:
    text = dedent("""\
        flow f {
          x = source
          if x == 1 {
            log info "one"
          } else if x == 2 {
            log info "two"
          } else {
            log info "many"
          }
        }
        """)
    chart = draw(text).charts[0]
    outer = chart.body.items[2]
    assert isinstance(outer, model.Branch) and outer.decision.label == "if x == 1"
    inner = outer.orelse.items[0]
    assert isinstance(inner, model.Branch) and inner.decision.label == "if x == 2"
    labels = {(e.src, e.label) for e in chart_edges(chart)}
    assert (outer.decision.id, "yes") in labels and (outer.decision.id, "no") in labels
    assert (inner.decision.id, "no") in labels
    end = chart.body.items[-1]
    assert isinstance(end, model.Node) and end.kind == "end"
    into_end = {e.src for e in chart_edges(chart) if e.dst == end.id}
    assert len(into_end) == 3  # each of the three logs goes on to the end


def test_an_each_loop_in_parallel_is_a_container_with_a_back_arrow(draw: Draw) -> None:
    text = dedent("""\
        flow f {
          n = 0
          for item in each api.list_items() parallel 4 {
            call api.create_item(body: item)
            n += 1
          }
          return n
        }
        """)
    chart = draw(text).charts[0]
    call, loop = chart.body.items[2], chart.body.items[3]
    assert isinstance(call, model.Node) and call.label == "GET api.list_items"
    assert isinstance(loop, model.Loop)
    assert (loop.head.tone, loop.head.label, loop.head.detail) == (
        "parallel", "for item in each api.list_items()", ("parallel 4",))
    assert [n.label for n in model.iter_nodes(loop.body)] == ["POST api.create_item", "n += 1"]
    edges = chart_edges(chart)
    last = model.iter_nodes(loop.body)[-1]
    assert any(e.src == last.id and e.dst == loop.head.id and e.style == BACK for e in edges)
    assert any(e.src == loop.head.id and e.label == "done" for e in edges)


def test_plain_for_and_while_loops_say_which_they_are(draw: Draw) -> None:
    text = "flow f {\n  i = 0\n  while i < 3 {\n    i += 1\n  }\n  for x in [1, 2] {\n    log info \"{x}\"\n  }\n}\n"
    loops = [i for i in draw(text).charts[0].body.items if isinstance(i, model.Loop)]
    assert [(lp.head.tone, lp.head.label) for lp in loops] == [("while", "while i < 3"),
                                                               ("for", "for x in [1, 2]")]


def test_try_has_a_dashed_error_path_to_its_catch_and_both_go_on(draw: Draw) -> None:
    text = dedent("""\
        flow f {
          try {
            call api.create_item(body: {})
            log success "created"
          } catch err {
            log failure "not created: {err.status}"
          }
          return 1
        }
        """)
    chart = draw(text).charts[0]
    block = chart.body.items[1]
    assert isinstance(block, model.TryBlock)
    assert block.catch_head.label == "catch err"
    edges = chart_edges(chart)
    assert [(e.src, e.dst) for e in edges if e.style == ERROR] == [(block.head.id, block.catch_head.id)]
    ret = chart.body.items[2]
    assert isinstance(ret, model.Node)
    sources = {e.src for e in edges if e.dst == ret.id}
    ok, failed = model.iter_nodes(block.body)[-1], model.iter_nodes(block.handler)[-1]
    assert sources == {ok.id, failed.id}
    assert (ok.tone, failed.tone) == ("success", "failure")


def test_return_and_fail_end_their_path_and_no_end_box_follows(draw: Draw) -> None:
    text = "flow f {\n  if source {\n    fail \"bad\"\n  }\n  return 1\n}\n"
    chart = draw(text).charts[0]
    assert kinds(draw(text)) == ["start", "return"]
    fail = next(n for n in model.iter_nodes(chart.body) if n.kind == "fail")
    assert not [e for e in chart_edges(chart) if e.src == fail.id]


def test_break_leaves_the_loop_and_continue_goes_back_to_its_head(draw: Draw) -> None:
    text = dedent("""\
        flow f {
          for x in [1, 2, 3] {
            if x == 1 {
              continue
            }
            if x == 3 {
              break
            }
          }
          return 0
        }
        """)
    chart = draw(text).charts[0]
    loop = chart.body.items[1]
    assert isinstance(loop, model.Loop)
    nodes = {n.kind: n for n in model.iter_nodes(loop.body)}
    edges = chart_edges(chart)
    ret = chart.body.items[2]
    assert isinstance(ret, model.Node)
    assert any(e.src == nodes["continue"].id and e.dst == loop.head.id and e.style == BACK for e in edges)
    assert any(e.src == nodes["break"].id and e.dst == ret.id for e in edges)


def test_func_calls_link_to_one_chart_per_func_even_when_recursive_or_imported(draw: Draw) -> None:
    text = dedent("""\
        import "lib.flow"
        flow f {
          a = twice(1)
          b = helper(a) + twice(a)
          return b
        }
        func twice(x) {
          if x > 100 {
            return x
          }
          return twice(x * 2)
        }
        """)
    lib = "func helper(v) {\n  r = call api.get_item(id: v)\n  return r.body\n}\n"
    graph = draw(text, files={"lib.flow": lib})
    assert [c.id for c in graph.charts] == ["flow_f", "func_twice", "func_helper"]
    funcs = [n for n in graph.nodes() if n.kind == model.FUNC]
    assert [(n.label, n.target) for n in funcs] == [
        ("func twice", "func_twice"), ("func helper", "func_helper"), ("func twice", "func_twice"),
        ("func twice", "func_twice")]
    links = link_edges(graph)
    starts = {c.start.id: c.id for c in graph.charts}
    assert all(e.style == LINK and starts[e.dst] == n.target for e, n in zip(links, funcs, strict=True))
    helper = graph.charts[2]
    assert helper.file.endswith("lib.flow")
    assert [n.label for n in model.iter_nodes(helper.body) if n.kind == model.CALL] == ["GET api.get_item"]


def test_wait_and_checkpoint_are_boxes_of_their_own(draw: Draw) -> None:
    text = "flow f {\n  wait 2s\n  checkpoint\n  return 1\n}\n"
    assert kinds(draw(text)) == ["start", "wait", "checkpoint", "return"]


@pytest.mark.parametrize(("wanted", "found"), [(None, "flow_one"), ("two", "flow_two"),
                                               ("second-flow", "flow_two"), ("Second flow", "flow_two")])
def test_a_flow_is_chosen_by_identifier_slug_or_name(draw: Draw, wanted: str | None, found: str) -> None:
    text = ("flow one {\n  return 1\n}\n" if wanted is None else
            "flow one {\n  return 1\n}\nflow two {\n  name: \"Second flow\"\n  slug: \"second-flow\"\n"
            "  return 2\n}\n")
    assert draw(text, wanted).charts[0].id == found


def test_several_flows_without_a_choice_or_a_wrong_name_say_which_there_are(draw: Draw) -> None:
    text = "flow one {\n  return 1\n}\nflow two {\n  return 2\n}\n"
    with pytest.raises(GraphError, match="several flows; choose one with --flow: one, two"):
        draw(text)
    with pytest.raises(GraphError, match="has no flow 'three'; its flows: one, two"):
        draw(text, "three")
