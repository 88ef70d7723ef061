"""Bodies beyond JSON on both engines against a real server: form and multipart requests, XML and CSV responses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from runtime_http.servers import FakeServer, Recorded

from e2e.harness import Write, flowlang, run_both

SPEC = Path(__file__).resolve().parents[1] / "openapi" / "specs" / "paging.yaml"


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as fake:
        yield fake


def with_spec(write: Write, name: str, operations: str, body: str) -> Path:
    """A flow over specs/paging.yaml (copied beside it) whose system `api` talks to API_URL."""
    write("api.yaml", SPEC.read_text(encoding="utf-8"))
    text = ('system api {\n  base_url: env("API_URL")\n  spec: "api.yaml"\n' + operations + "}\n"
            "flow a {\n" + body + "}\n")
    return write(name, text)


def parts(request: Recorded) -> list[tuple[str, str | None, str]]:
    """(name, content type, text) of each part of a multipart/form-data request."""
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + request.body)
    found = []
    for part in message.iter_parts():
        kind = part.get("content-type")
        found.append((str(part.get_param("name", header="content-disposition")), kind and str(kind),
                      part.get_payload(decode=True).decode()))
    return found


def test_an_operation_whose_document_body_is_form_only_is_sent_form_encoded_with_its_styles(
    write: Write, server: FakeServer
) -> None:
    server.reply("POST", "/v1/charges", json={"id": "ch_1"})
    body = ('  r = call api.createCharge(body: {amount: 500, currency: "eur", metadata: {order: "A-7", note: "x y&z"},\n'
            '    expand: ["customer", "invoice"], shipping: {name: "Ann", address: {city: "Köln"}}, skip: null})\n'
            "  return r.body.id\n")
    result = run_both(with_spec(write, "charge.flow", "", body), env={"API_URL": server.url})
    assert result.code == 0, result.err
    assert json.loads(result.out) == "ch_1"
    for request in server.requests:  # one per engine
        assert request.headers["content-type"] == "application/x-www-form-urlencoded"
        assert parse_qsl(request.body.decode(), keep_blank_values=True) == [
            ("amount", "500"), ("currency", "eur"), ("metadata[order]", "A-7"), ("metadata[note]", "x y&z"),
            ("expand", "customer,invoice"), ("shipping[name]", "Ann"), ("shipping[address][city]", "Köln"),
        ]
    assert len(server.requests) == 2


def test_an_operation_whose_document_body_is_multipart_is_sent_as_parts(write: Write, server: FakeServer) -> None:
    server.reply("POST", "/files", json={"id": "file_1"})
    body = '  r = call api.uploadFile(body: {purpose: "dispute", file: "line 1\\nline 2", meta: {n: 1}})\n  return r.status\n'
    result = run_both(with_spec(write, "upload.flow", "", body), env={"API_URL": server.url})
    assert result.code == 0, result.err
    for request in server.requests:
        assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
        assert parts(request) == [("purpose", None, "dispute"), ("file", None, "line 1\nline 2"),
                                  ("meta", "application/json", '{"n": 1}')]


def test_body_format_chooses_the_encoding_of_a_declared_or_document_operation(
    write: Write, server: FakeServer
) -> None:
    for path in ("/token", "/upload", "/v1/charges"):
        server.reply("POST", path, json={})
    operations = ('  POST token "/token" {\n    body_format: "form"\n  }\n'
                  '  POST upload "/upload" {\n    body_format: "multipart"\n  }\n'
                  '  POST createCharge "/v1/charges" {\n    body_format: "json"\n  }\n')
    body = ('  call api.token(body: {grant_type: "client_credentials", scope: ["a", "b"], extra: {k: "v"}})\n'
            '  call api.upload(body: {tags: ["x", "y"]})\n'
            '  call api.createCharge(body: {amount: 1})\n  return true\n')
    result = run_both(with_spec(write, "formats.flow", operations, body), env={"API_URL": server.url})
    assert result.code == 0, result.err
    assert len(server.requests) == 6  # both engines run at once: look at each path's two requests
    for token in server.received("POST", "/token"):
        assert token.headers["content-type"] == "application/x-www-form-urlencoded"
        assert parse_qsl(token.body.decode()) == [("grant_type", "client_credentials"), ("scope", "a"),
                                                  ("scope", "b"), ("extra[k]", "v")]
    for upload in server.received("POST", "/upload"):
        assert parts(upload) == [("tags", None, "x"), ("tags", None, "y")]
    for charge in server.received("POST", "/v1/charges"):
        assert charge.headers["content-type"] == "application/json" and charge.json() == {"amount": 1}


def test_a_form_body_that_is_not_an_object_is_a_located_error(write: Write, server: FakeServer) -> None:
    flow = with_spec(write, "bad.flow", "", "  lines = [1, 2]\n  call api.createCharge(body: lines)\n")
    result = run_both(flow, env={"API_URL": server.url})
    assert result.code == 3
    assert "bad.flow:7:3: error: api.createCharge: a form body must be an object of fields, got list" in result.err
    assert server.requests == []


def test_xml_and_csv_responses_are_text_that_parse_xml_and_parse_csv_read(write: Write, server: FakeServer) -> None:
    xml = ('<?xml version="1.0"?><report date="2026-11-23"><line sku="A-1"><qty>2</qty></line>'
           '<line sku="B-2"><qty>5</qty></line></report>')
    server.reply("GET", "/report", raw=xml.encode(), headers={"content-type": "application/xml; charset=utf-8"})
    server.reply("GET", "/export", raw="\ufeffsku,qty\r\nA-1,2\r\n\"B,2\",5\r\n".encode(),
                 headers={"content-type": "text/csv"})
    body = ("  x = call api.getReport()\n  c = call api.exportCsv()\n"
            "  doc = parse_xml(x.body)\n"
            "  return {kind: type_of(x.body), date: doc.report[\"@date\"],\n"
            "    xml: map(doc.report.line, l => {sku: l[\"@sku\"], qty: number(l.qty)}),\n"
            "    csv: map(parse_csv(c.body), r => {sku: r.sku, qty: number(r.qty)})}\n")
    result = run_both(with_spec(write, "reports.flow", "", body), env={"API_URL": server.url})
    assert result.code == 0, result.err
    assert json.loads(result.out) == {
        "kind": "string", "date": "2026-11-23",
        "xml": [{"sku": "A-1", "qty": 2}, {"sku": "B-2", "qty": 5}],
        "csv": [{"sku": "A-1", "qty": 2}, {"sku": "B,2", "qty": 5}],
    }


def test_a_query_parameter_named_query_is_set_by_the_query_argument(write: Write, server: FakeServer) -> None:
    server.reply("GET", "/search", json={"hits": 3})
    body = ('  a = call api.search(query: "red shoes", limit: 5)\n'
            '  b = call api.search(query: {"query": "blue", "limit": 1})\n  return [a.body.hits, b.body.hits]\n')
    result = run_both(with_spec(write, "search.flow", "", body), env={"API_URL": server.url})
    assert result.code == 0, result.err
    queries = sorted(json.dumps(r.query, sort_keys=True) for r in server.requests)  # both engines at once
    assert queries == sorted([json.dumps({"query": ["red shoes"], "limit": ["5"]}, sort_keys=True),
                              json.dumps({"query": ["blue"], "limit": ["1"]}, sort_keys=True)] * 2)


def test_a_text_query_argument_of_a_declared_operation_gets_a_hint_that_works(
    write: Write, server: FakeServer
) -> None:
    server.reply("GET", "/find", json={"hits": 1})
    text = ('system api {\n  base_url: env("API_URL")\n  GET find "/find"\n}\n'
            'flow a {\n  r = call api.find(query: "shoes")\n  return r.body\n}\n')
    checked = flowlang("check", "find.flow", cwd=write("find.flow", text).parent)
    assert checked.code == 1
    assert "find.flow:6:28: error[E223]: 'query' of api.find() must be an object, got a string" in checked.out
    assert 'to send a query parameter named "query", write query: {"query": …}' in checked.out
    late = run_both(write("late.flow", text.replace('  r = call api.find(query: "shoes")', '  q = "shoes"\n  r = call api.find(query: q)')),
                    env={"API_URL": server.url})
    assert late.code == 3
    assert ("late.flow:7:7: error: api.find: 'query' must be an object of query parameters, got string "
            '(to send a query parameter named "query", write query: {"query": …})') in late.err
    fixed = run_both(write("fixed.flow", text.replace('query: "shoes"', 'query: {"query": "shoes"}')),
                     env={"API_URL": server.url})
    assert fixed.code == 0 and json.loads(fixed.out) == {"hits": 1}
    assert [r.query for r in server.requests] == [{"query": ["shoes"]}] * 2


def doc_example(heading: str) -> str:
    """The ```flow block of a section of docs/language.md."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "language.md").read_text(encoding="utf-8")
    section = doc.split(f"### {heading}\n", 1)[1].split("\n### ", 1)[0]
    return section.split("```flow\n", 1)[1].split("```", 1)[0]


def test_the_request_bodies_example_of_the_language_reference_sends_a_form(write: Write, server: FakeServer) -> None:
    server.reply("POST", "/oauth/token", json={"access_token": "t0k"})
    text = doc_example("Request bodies").replace('"https://login.example.com"', 'env("API_URL")')
    result = run_both(write("get_token.flow", text), env={"API_URL": server.url})
    assert result.code == 0, result.err
    assert json.loads(result.out) == "t0k"
    assert parse_qsl(server.requests[0].body.decode()) == [
        ("grant_type", "client_credentials"), ("scope", "read"), ("scope", "write")]
