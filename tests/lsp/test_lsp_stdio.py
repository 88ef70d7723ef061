"""`flowlang lsp` driven over stdio as an editor drives it: JSON-RPC requests and notifications only.

One real server per module. The project (tests/lsp/project: two .flow files, an OpenAPI document, a source
sample) is copied to a temporary directory first, so that tests may change files on disk.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from lsp_positions import at

from flowlang.tools.fmt import format_text
from flowlang.tools.lsp.client import LspError, StdioClient

pytest.importorskip("pygls", reason="the language server needs pygls: pip install -e '.[lsp]'")

PROJECT = Path(__file__).parent / "project"
lsp_kind_variable = 6  # CompletionItemKind.Variable


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lsp") / "project"
    shutil.copytree(PROJECT, root)
    return root


@pytest.fixture(scope="module")
def client(project: Path) -> Iterator[StdioClient]:
    lsp = StdioClient(cwd=str(project))
    lsp.initialize(project, {"debounce": 0.05})
    yield lsp
    status = lsp.shutdown()
    assert status == 0, b"".join(lsp.stderr).decode(errors="replace")


def labels(result: dict | list | None) -> list[str]:
    items = result["items"] if isinstance(result, dict) else (result or [])
    return [item["label"] for item in items]


def test_the_server_says_what_it_can_do(project: Path) -> None:
    lsp = StdioClient(cwd=str(project))
    try:
        caps = lsp.initialize(project)["capabilities"]
    finally:
        assert lsp.shutdown() == 0
    for provider in ("hoverProvider", "definitionProvider", "referencesProvider", "documentSymbolProvider",
                     "documentFormattingProvider"):
        assert caps[provider], provider
    assert caps["renameProvider"] == {"prepareProvider": True}
    assert "." in caps["completionProvider"]["triggerCharacters"]
    assert caps["codeActionProvider"]["codeActionKinds"] == ["quickfix"]


def test_diagnostics_on_open_are_those_of_flowlang_check(client: StdioClient, project: Path) -> None:
    main = project / "main.flow"
    assert client.diagnostics(client.open(main)) == []
    typo = project / "typo.flow"
    typo.write_text(main.read_text().replace("c.email", "c.emial").replace("order.number", "order.numbr"))
    got = client.diagnostics(client.open(typo))
    checked = subprocess.run([sys.executable, "-m", "flowlang", "check", "--format", "json", "typo.flow"],
                             cwd=project, capture_output=True, text=True)
    expected = json.loads(checked.stdout)
    assert len(expected) == 2
    assert [(d["code"], d["range"]["start"]["line"] + 1, d["range"]["start"]["character"] + 1) for d in got] == [
        (e["code"], e["line"], e["column"]) for e in expected]
    assert got[0]["message"] == f"{expected[0]['message']}\nhint: {expected[0]['hint']}"
    assert got[0]["severity"] == 2 and got[0]["source"] == "flowlang"


def test_diagnostics_follow_changes_debounced_with_the_version(client: StdioClient, project: Path) -> None:
    path = project / "edited.flow"
    text = (project / "main.flow").read_text()
    path.write_text(text)
    uri = client.open(path)
    assert client.diagnostics(uri, version=1) == []
    seen = len(client.notifications)
    for version in range(2, 6):  # quick edits: only the last is checked
        client.change(uri, text.replace("order.created_at", f"ordr{version}.created_at"), version)
    got = client.diagnostics(uri, after=seen, version=5)
    assert [(d["code"], d["message"].split("\n")[0]) for d in got] == [("E101", "undefined variable 'ordr5'")]
    published = [n for n in client.notifications[seen:] if n["params"].get("uri") == uri]
    assert [n["params"]["version"] for n in published] == [5]
    seen = len(client.notifications)
    client.change(uri, text.replace("flow sync {", "flow sync {{"), 6)
    syntax = client.diagnostics(uri, after=seen, version=6)
    assert syntax and syntax[0]["code"].startswith("E0") and syntax[0]["severity"] == 1
    seen = len(client.notifications)
    client.change(uri, text, 7)
    assert client.diagnostics(uri, after=seen, version=7) == []


def test_imports_are_checked_from_the_buffer_and_the_disk(client: StdioClient, project: Path) -> None:
    path = project / "imports.flow"
    path.write_text('import "missing.flow"\n\nflow f {\n  return clean_email("A")\n}\n')
    got = client.diagnostics(client.open(path))
    assert [d["code"] for d in got] == ["E015"]
    assert got[0]["range"]["start"] == {"line": 0, "character": 7}


def test_hover_shows_builtins_operations_funcs_and_variables(client: StdioClient, project: Path) -> None:
    main = project / "main.flow"
    text = main.read_text()
    uri = client.open(main)
    client.diagnostics(uri)
    lower = client.request("textDocument/hover", at(uri, text, "length", 2))["contents"]["value"]
    assert lower.startswith("`length(value) -> number`") or lower.startswith("`length(")
    op = client.request("textDocument/hover", at(uri, text, "listCustomers", 3))["contents"]["value"]
    assert 'GET shop.listCustomers "/customers"' in op and "List the shop's customers" in op
    assert "`query.since`" in op and "`query.page`" in op
    func = client.request("textDocument/hover", at(uri, text, "clean_email", 1))["contents"]["value"]
    assert "An email address as the ERP stores it." in func and "func clean_email(email) {" in func
    var = client.request("textDocument/hover", at(uri, text, "order.created_at", 1))
    assert "variable `order`" in var["contents"]["value"] and "order = source" in var["contents"]["value"]
    assert var["range"] == {"start": {"line": 6, "character": 40}, "end": {"line": 6, "character": 45}}
    assert client.request("textDocument/hover", at(uri, text, "flow sync", 1)) is None  # a keyword


def test_go_to_definition(client: StdioClient, project: Path) -> None:
    main = project / "main.flow"
    text = main.read_text()
    uri = client.open(main)
    systems = (project / "systems.flow").resolve().as_uri()

    def where(needle: str, offset: int = 1, nth: int = 0) -> list[tuple[str, int, int]]:
        found = client.request("textDocument/definition", at(uri, text, needle, offset, nth))
        return [(Path(loc["uri"]).name, loc["range"]["start"]["line"], loc["range"]["start"]["character"])
                for loc in found]

    assert where("order.created_at") == [("main.flow", 5, 2)]
    assert where("c.email") == [("main.flow", 7, 6)]
    assert where("clean_email") == [("systems.flow", 13, 5)]
    assert where("shop.list") == [("systems.flow", 1, 7)]
    assert where('"systems.flow"') == [("systems.flow", 0, 0)]
    assert where("listCustomers") == [("shop.yaml", 5, 0)]
    sys_uri = client.open(project / "systems.flow")
    found = client.request("textDocument/definition", at(sys_uri, (project / "systems.flow").read_text(), "lower"))
    assert found[0]["uri"].endswith("/docs/stdlib.md") and sys_uri == systems


def test_find_references_and_rename_of_variables_and_funcs(client: StdioClient, project: Path) -> None:
    main = project / "main.flow"
    text = main.read_text()
    uri = client.open(main)
    refs = client.request("textDocument/references",
                          {**at(uri, text, "order = source"), "context": {"includeDeclaration": True}})
    assert [r["range"]["start"]["line"] for r in refs] == [5, 6, 9, 11]
    prepared = client.request("textDocument/prepareRename", at(uri, text, "order = source"))
    assert prepared == {"start": {"line": 5, "character": 2}, "end": {"line": 5, "character": 7}}
    edit = client.request("textDocument/rename", {**at(uri, text, "order = source"), "newName": "incoming"})
    lines = text.split("\n")
    for change in edit["changes"][uri]:
        r = change["range"]
        assert lines[r["start"]["line"]][r["start"]["character"] : r["end"]["character"]] == "order"
    assert len(edit["changes"][uri]) == 4
    edit = client.request("textDocument/rename", {**at(uri, text, "clean_email"), "newName": "tidy_email"})
    files = {Path(u).name: len(c) for u, c in edit["changes"].items()}
    assert files == {"main.flow": 1, "systems.flow": 1}
    assert client.request("textDocument/prepareRename", at(uri, text, "shop.list")) is None
    with pytest.raises(LspError, match="not a name"):
        client.request("textDocument/rename", {**at(uri, text, "order = source"), "newName": "if"})
    with pytest.raises(LspError, match="is a builtin"):
        client.request("textDocument/rename", {**at(uri, text, "clean_email"), "newName": "lower"})


def test_completion(client: StdioClient, project: Path) -> None:
    main = project / "main.flow"
    text = main.read_text()
    uri = client.open(main)
    client.diagnostics(uri)

    def complete(new_text: str, needle: str, offset: int) -> list[str]:
        client.change(uri, new_text, 100)
        return labels(client.request("textDocument/completion", at(uri, new_text, needle, offset)))

    ops = complete(text, "shop.list", 5)
    assert ops == ["listCustomers", "updateCustomer"]
    assert set(complete(text.replace("call shop.update", "call   shop.update"), "call  ", 5)) == {"shop", "erp"}
    found = client.request("textDocument/completion", at(uri, text.replace("call shop.update", "call   shop.update"),
                                                         "call  ", 5))
    details = {item["label"]: item["detail"] for item in found["items"]}
    assert details["erp"] == "system (1 operation)" and details["shop"] == "system (2 operations)"
    everywhere = complete(text.replace("  return {", "  x = \n  return {"), "x = ", 4)
    assert {"order", "page", "source", "state", "clean_email", "length", "for", "if"} <= set(everywhere)
    assert "c" not in everywhere and "email" not in everywhere  # the loop's names: not after the loop
    sample = complete(text.replace("order.number", "order."), "order.}", 6)
    assert sample == ["number", "created_at", "customer"]
    nested = complete(text.replace("order.number", "order.customer."), "customer.}", 9)
    assert nested == ["email", "name"]
    response = complete(text.replace("c.email)", "c.)"), "c.)", 2)
    assert response == ["id", "email", "name"]
    envelope = complete(text.replace("page.body.customers {", "page. {"), "page. {", 5)
    assert envelope == ["status", "ok", "headers", "body"]
    body = complete(text.replace("page.body.customers {", "page.body. {"), "page.body. {", 10)
    assert body == ["customers", "next"]
    args = complete(text.replace("(since: order.created_at)", "()"), "listCustomers()", 14)
    assert args[:5] == ["query", "body", "headers", "since", "page"]
    body_fields = complete(text.replace("body: {email: order.customer.email}", "body: {}"), "body: {}", 7)
    assert body_fields[:3] == ["id", "email", "name"]
    assert complete(text.replace("log info", "log "), "log ", 4)[:2] == ["debug", "info"]
    assert complete(text.replace('"{order.number}', '"{order.number} ord'), "} ord", 5) == []  # in a string
    broken = text.replace("  return {", "  y = order.\n  return {(")  # does not parse: the last good analysis
    assert complete(broken, "y = order.", 10) == ["number", "created_at", "customer"]
    client.change(uri, text, 101)


SCOPED = """\
func tidy(a, b = a) {
  inner = a + b
  return inner
}

flow one {
  early = 1
  late = early
  for r in [early, late] {
    seen = r
    early += seen
  }
  after = early
  try {
    risky = after
    log info "{risky}"
  } catch e {
    late = e
  }
  done = late
  ys = map([1], n => n + done)
  return {ys: ys, late: late}
}

flow two {
  other = 1
  return other
}

test "t" {
  first = 1
  given now "2025-01-15T12:00:00Z"
  result = run one with source: first
  expect result == first
}
"""


def test_completion_offers_the_names_in_scope_at_the_cursor(client: StdioClient, project: Path) -> None:
    """Only what the checker lets the cursor's position read: names set before it on every path, a loop's
    variable in its body, a catch variable in its block, a func's and a lambda's parameters inside them."""
    path = project / "scoped.flow"
    path.write_text(SCOPED)
    uri = client.open(path)
    assert [d["code"] for d in client.diagnostics(uri)] == []

    def variables(needle: str) -> dict[str, str]:  # the cursor at the end of `needle`, before a newline
        found = client.request("textDocument/completion", at(uri, SCOPED, needle, len(needle.rstrip("\n"))))
        return {item["label"]: item["detail"] for item in found["items"]
                if item["kind"] == lsp_kind_variable}

    flow = {"source", "state"}
    assert set(variables("inner = a + b")) == {"a", "b"}
    assert variables("return inner")["inner"] == "func tidy: variable"
    assert variables("return inner")["a"] == "func tidy: parameter"
    assert set(variables("late = early")) == {"early"} | flow  # `late` is set after the cursor
    assert set(variables("seen = r")) == {"early", "late", "r"} | flow
    assert variables("seen = r")["r"] == "flow one: loop variable"
    assert set(variables("early += seen")) == {"early", "late", "r", "seen"} | flow
    assert set(variables("after = early")) == {"early", "late"} | flow  # not the loop's r and seen
    assert set(variables("risky = after")) == {"early", "late", "after"} | flow
    assert set(variables("late = e\n")) == {"early", "late", "after", "e"} | flow  # not risky: it may have failed
    assert variables("late = e\n")["e"] == "flow one: catch variable"
    assert set(variables("done = late")) == {"early", "late", "after"} | flow  # not e after its catch block
    assert set(variables("n + done")) == {"early", "late", "after", "done", "n"} | flow
    assert variables("n + done")["n"] == "lambda parameter"
    assert set(variables("return other")) == {"other"} | flow  # nothing of flow one
    assert set(variables("source: first")) == {"first", "state"}  # in a test: not result yet
    assert set(variables("result == first")) == {"first", "result", "state"}

    # typed on a new line at the end of the loop's body, not parsed yet: the last good analysis has no
    # such line, so the cursor is placed where the edit is in that text (the `}` line would be after the loop)
    typing = SCOPED.replace("    early += seen\n", "    early += seen\n    x = \n")
    client.change(uri, typing, 2)
    found = client.request("textDocument/completion", at(uri, typing, "    x = ", 8))
    assert {i["label"] for i in found["items"] if i["kind"] == lsp_kind_variable} == {
        "early", "late", "r", "seen"} | flow
    typing = SCOPED.replace("  return other\n", "  more = other +\n  return other\n")
    client.change(uri, typing, 3)
    found = client.request("textDocument/completion", at(uri, typing, "more = other +", 14))
    assert {i["label"] for i in found["items"] if i["kind"] == lsp_kind_variable} == {"other"} | flow
    client.change(uri, SCOPED, 4)


def test_document_symbols(client: StdioClient, project: Path) -> None:
    uri = client.open(project / "systems.flow")
    symbols = client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    assert [(s["name"], s["detail"]) for s in symbols] == [
        ("shop", "system"), ("erp", "system"), ("clean_email", "func(email)")]
    assert [(c["name"], c["detail"]) for c in symbols[1]["children"]] == [("get_customer", "GET /customers/{id}")]


def test_formatting_is_flowlang_fmt(client: StdioClient, project: Path) -> None:
    path = project / "messy.flow"
    messy = "flow f {\n    x=1+2\n    return {a:x}\n}\n"
    path.write_text(messy)
    uri = client.open(path)
    edits = client.request("textDocument/formatting", {"textDocument": {"uri": uri},
                                                       "options": {"tabSize": 2, "insertSpaces": True}})
    assert len(edits) == 1 and edits[0]["newText"] == format_text(messy).new == "flow f {\n  x = 1 + 2\n  return {a: x}\n}\n"
    assert edits[0]["range"]["start"] == {"line": 0, "character": 0}
    client.change(uri, format_text(messy).new, 2)
    assert client.request("textDocument/formatting", {"textDocument": {"uri": uri}, "options": {
        "tabSize": 2, "insertSpaces": True}}) == []
    client.change(uri, "flow f {\n  x = (\n}\n", 3)
    assert client.request("textDocument/formatting", {"textDocument": {"uri": uri}, "options": {
        "tabSize": 2, "insertSpaces": True}}) is None  # syntax errors: left alone


def test_quick_fix_for_did_you_mean(client: StdioClient, project: Path) -> None:
    path = project / "fix.flow"
    text = (project / "main.flow").read_text().replace("c.email", "c.emial").replace("length(", "lenght(")
    path.write_text(text)
    uri = client.open(path)
    diags = client.diagnostics(uri)
    fixes = {}
    for diag in diags:
        actions = client.request("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": diag["range"],
                                                             "context": {"diagnostics": [diag]}})
        fixes[diag["code"]] = [(a["title"], a["kind"], a["edit"]["changes"][uri][0]["newText"]) for a in actions]
    assert fixes["W313"] == [("Replace with 'email'", "quickfix", "email")]
    assert fixes["E202"] == [("Replace with 'length'", "quickfix", "length")]


def test_completion_on_a_5000_line_file_answers_without_rechecking(client: StdioClient, project: Path) -> None:
    body = "".join(f"  v{i} = order.number\n" for i in range(5000))
    text = (project / "main.flow").read_text().replace("  order = source\n", "  order = source\n" + body)
    path = project / "big.flow"
    path.write_text(text)
    uri = client.open(path)
    client.diagnostics(uri, timeout=60)
    client.change(uri, text.replace("  v4999 = order.number", "  v4999 = order."), 2)
    result, seconds = client.timed("textDocument/completion", at(uri, text, "v4999 = order.", 14))
    assert labels(result) == ["number", "created_at", "customer"]
    assert seconds < 2  # bench/lsp_completion.py measures it: well under 100 ms


def test_query_parameters_are_completed_inside_query(client: StdioClient, project: Path) -> None:
    main = project / "main.flow"
    text = main.read_text().replace("(since: order.created_at)", "(query: {})")
    uri = client.open(main)
    client.change(uri, text, 200)
    got = labels(client.request("textDocument/completion", at(uri, text, "query: {}", 8)))
    assert got[:2] == ["since", "page"]
    item = client.request("textDocument/completion", at(uri, text, "query: {}", 8))["items"][0]
    assert item["insertText"] == "since: " and item["detail"] == "query parameter"
    client.change(uri, main.read_text(), 201)


def test_an_edited_openapi_document_is_read_again(client: StdioClient, project: Path) -> None:
    path = project / "spec_edit.flow"
    text = (project / "main.flow").read_text().replace("shop.listCustomers(since: order.created_at)",
                                                         "shop.deleteCustomer(id: order.number)")
    path.write_text(text)
    uri = client.open(path)
    assert [d["code"] for d in client.diagnostics(uri, version=1)] == ["E201"]
    spec = project / "shop.yaml"
    original = spec.read_text()
    spec.write_text(original.replace("    put:\n", "    delete:\n      operationId: deleteCustomer\n"
                                     "      parameters:\n        - {name: id, in: path, required: true}\n"
                                     "      responses: {\"204\": {description: gone}}\n    put:\n"))
    try:
        seen = len(client.notifications)
        client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
        assert client.diagnostics(uri, after=seen) == []
    finally:
        spec.write_text(original)


def test_an_open_imported_file_is_read_from_its_buffer(client: StdioClient, project: Path) -> None:
    main = project / "main.flow"
    uri = client.open(main, version=300)
    client.diagnostics(uri, version=300)
    systems = project / "systems.flow"
    sys_uri = client.open(systems)
    seen = len(client.notifications)
    client.change(sys_uri, systems.read_text().replace("func clean_email(", "func tidy_email("), 2)
    got = client.diagnostics(uri, after=seen)
    assert [(d["code"], d["message"].split("\n")[0]) for d in got] == [("E202", "unknown function 'clean_email'")]
    seen = len(client.notifications)
    client.change(sys_uri, systems.read_text(), 3)
    assert client.diagnostics(uri, after=seen) == []


def test_positions_count_utf16_code_units(client: StdioClient, project: Path) -> None:
    path = project / "wide.flow"
    text = 'flow f {\n  x = 1\n  return ["😀😀", x]\n}\n'
    path.write_text(text)
    uri = client.open(path)
    assert client.diagnostics(uri) == []
    line = text.split("\n")[2]
    utf16 = len(line[: line.index("x]")].encode("utf-16-le")) // 2  # each emoji is two code units
    assert utf16 == line.index("x]") + 2
    hover = client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                  "position": {"line": 2, "character": utf16}})
    assert "variable `x`" in hover["contents"]["value"]
    assert hover["range"] == {"start": {"line": 2, "character": utf16}, "end": {"line": 2, "character": utf16 + 1}}
