"""An API that misbehaves, or a base_url that cannot work: located flow errors from both engines."""

from __future__ import annotations

import base64
import json
import sqlite3

import pytest

from e2e.harness import Write, run_both

SECRET = "s3cr3t-t0ken-4711"


def api_flow(operation_path: str, auth: str = "none()") -> str:
    return (
        "system api {\n"
        '  base_url: env("API_URL")\n'
        f"  auth: {auth}\n"
        "  retry: 0\n"
        f'  GET op "{operation_path}"\n'
        "}\n"
        "flow a {\n"
        "  r = call api.op()\n"
        "  return r.body\n"
        "}\n"
    )


def test_a_json_response_nested_too_deeply_is_a_located_json_error(write: Write, api: str) -> None:
    flow = write("nested.flow", api_flow("/nested"))
    result = run_both(flow, env={"API_URL": api})
    assert result.code == 3
    assert "nested.flow:8:7: error: api.op: response (HTTP 200) is not valid JSON" in result.err


@pytest.mark.parametrize(
    ("base_url", "message"),
    [
        ("http://127.0.0.1:99999", "2:13: error: system api: 'base_url' 'http://127.0.0.1:99999' is not a valid URL"),
        ("http://xn--.invalid", "8:7: error: api.op: invalid URL 'http://xn--.invalid/op'"),
    ],
    ids=["port-out-of-range", "bad-idna-host"],
)
def test_a_base_url_that_cannot_work_is_a_located_error(write: Write, base_url: str, message: str) -> None:
    flow = write("url.flow", api_flow("/op"))
    result = run_both(flow, env={"API_URL": base_url})
    assert result.code == 3
    assert f"url.flow:{message}" in result.err


def test_a_secret_echoed_by_a_failing_api_is_masked_in_errors_and_run_history(write: Write, api: str) -> None:
    flow = write("secret.flow", api_flow("/secret-echo", 'api_key("key", secret("API_TOKEN"), in: "query")'))
    result = run_both(flow, env={"API_URL": api, "API_TOKEN": SECRET})
    assert result.code == 3
    assert "secret.flow:8:7: error: api.op failed: HTTP 401 Unauthorized" in result.err
    assert "key=***" in result.err
    for outcome in (result.interpreted, result.compiled):
        assert SECRET not in outcome.err + outcome.out
    for db in ("interpreted.db", "compiled.db"):
        with sqlite3.connect(flow.parent / db) as con:
            errors = [row[0] for row in con.execute("SELECT error FROM runs")]
        assert errors and all(SECRET not in error for error in errors)


def test_a_secret_with_quotes_logged_in_an_object_or_echoed_as_basic_auth_is_masked(write: Write, api: str) -> None:
    password = 'p@ss"wo\\rd ü'
    flow = write("basic.flow", api_flow("/secret-echo", 'basic("user", secret("PW"))').replace(
        "  r = call api.op()", '  log info {pw: secret("PW")}\n  r = call api.op()'))
    result = run_both(flow, env={"API_URL": api, "PW": password})
    assert result.code == 3
    assert 'INFO basic.flow:8 {"pw": "***"}' in result.err
    assert "bad credentials Basic ***" in result.err
    encoded = base64.b64encode(f"user:{password}".encode()).decode()
    for outcome in (result.interpreted, result.compiled):
        for form in (password, json.dumps(password)[1:-1], encoded):
            assert form not in outcome.err
