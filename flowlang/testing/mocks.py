"""Mocked systems: an httpx transport answering each operation with canned responses or faults, and recording.

It sits where the network would (`HttpClient(transport=…)`), so auth, retries, pagination and errors run
exactly as in a real run, on either engine. Every request names its operation in the extension
`flowlang.operation`; one without (an OAuth2 token request) gets a test token.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import httpx

from flowlang.runtime.runlog import mask_secrets
from flowlang.runtime.values import parse_json, to_json, to_text

TEST_TOKEN = {"access_token": "flowlang-test-token", "token_type": "Bearer", "expires_in": 3600}


class Unmocked(Exception):
    """A request no `given` answers: the test fails naming it (the network is never reached)."""


@dataclass
class Canned:
    """One `given SYSTEM.OPERATION[(args)] returns …` (or `fails …`), its arguments already evaluated."""

    system: str
    operation: str
    args: dict[str, Any]
    responses: list[dict[str, Any]]
    fault: str | None = None
    line: int = 0
    used: int = 0

    def next_response(self) -> dict[str, Any]:
        """The responses in order; the last one repeats."""
        response = self.responses[min(self.used, len(self.responses) - 1)]
        self.used += 1
        return response


def request_record(request: httpx.Request, secrets: set[str]) -> dict[str, Any]:
    """What calls(SYSTEM.OPERATION) shows of one request: method, path, query, headers (masked), body."""
    query: dict[str, Any] = {}
    for key, value in request.url.params.multi_items():
        query[key] = [*query[key], value] if isinstance(query.get(key), list) else (
            [query[key], value] if key in query else value)
    headers = {k: mask_header(k, mask_secrets(v, secrets)) for k, v in request.headers.items()}
    return {"method": request.method, "url": mask_secrets(str(request.url), secrets),
            "path": unquote(request.url.path), "query": query, "headers": headers,
            "body": request_body(request)}


def mask_header(name: str, value: str) -> str:
    """`Authorization: Bearer abc` -> `Bearer ***`; other headers as they are."""
    if name.lower() not in ("authorization", "proxy-authorization"):
        return value
    scheme, _, rest = value.partition(" ")
    return f"{scheme} ***" if rest else "***"


def request_body(request: httpx.Request) -> Any:
    content = request.content
    if not content:
        return None
    text = content.decode("utf-8", "replace")
    if "json" in request.headers.get("content-type", ""):
        try:
            return parse_json(text)
        except ValueError:
            return text
    return text


def response_of(canned: dict[str, Any], request: httpx.Request) -> httpx.Response:
    """An httpx response from `{status, headers?, body?}`: a non-text body goes out as JSON."""
    headers = {str(k): to_text(v) for k, v in (canned.get("headers") or {}).items()}
    lowered = {k.lower() for k in headers}
    body = canned.get("body")
    content = b""
    if isinstance(body, str):
        content = body.encode()
        if "content-type" not in lowered:
            headers["content-type"] = "text/plain; charset=utf-8"
    elif body is not None:
        content = to_json(body).encode()
        if "content-type" not in lowered:
            headers["content-type"] = "application/json"
    return httpx.Response(int(canned.get("status", 200)), headers=headers, content=content, request=request)


def contains(actual: Any, expected: Any) -> bool:
    """`expected` is found in `actual`: objects by their given fields (recursively), other values equal."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and contains(actual[k], v) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) == len(expected) and all(
            contains(a, e) for a, e in zip(actual, expected, strict=True))
    if isinstance(actual, bool) or isinstance(expected, bool):
        return actual is expected
    return bool(actual == expected)


@dataclass
class MockTransport(httpx.AsyncBaseTransport):
    """Answers a run's requests from the test's `given` lines and records every one of them."""

    canned: list[Canned]
    systems: dict[str, Any] = field(default_factory=dict)  # name -> SystemConfig of the engine's runtime
    secrets: set[str] = field(default_factory=set)
    calls: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # "sys.op" -> requests
    unmocked: list[str] = field(default_factory=list)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        operation = request.extensions.get("flowlang.operation")
        if operation is None:  # an oauth2 token request
            return httpx.Response(200, json=TEST_TOKEN, request=request)
        system, name = operation
        label = f"{system}.{name}"
        record = request_record(request, self.secrets)
        self.calls.setdefault(label, []).append(record)
        matching = [c for c in self.canned if c.system == system and c.operation == name
                    and self.matches(c, request, record)]
        if not matching:
            self.unmocked.append(f"{request.method} {record['url']} ({label}{self.describe_args(request)}): "
                                 f"mock it with `given {label} returns {{status: …}}`")
            raise Unmocked(f"no `given {label}` answers {request.method} {record['url']}")
        chosen = max(matching, key=lambda c: len(c.args))  # the most specific; the first written on a tie
        if chosen.fault == "timeout":
            chosen.used += 1
            raise httpx.ReadTimeout("timed out (given … fails timeout)", request=request)
        if chosen.fault == "reset":
            chosen.used += 1
            raise httpx.ReadError("connection reset by peer (given … fails reset)", request=request)
        return response_of(chosen.next_response(), request)

    def describe_args(self, request: httpx.Request) -> str:
        body = request_body(request)
        return f" with body {json.dumps(body, ensure_ascii=False)[:120]}" if body is not None else ""

    def matches(self, canned: Canned, request: httpx.Request, record: dict[str, Any]) -> bool:
        """Every argument of the `given` is in the request: path parameters, query, headers, body."""
        if not canned.args:
            return True
        system = self.systems.get(canned.system)
        op = system.operations.get(canned.operation) if system is not None else None
        if system is None or op is None:
            return False
        path_values = self.path_values(system.base_url, op.path, op.path_params, record["path"])
        headers = {k.lower(): v for k, v in request.headers.items()}
        query = record["query"]
        for name, value in canned.args.items():
            if name == "body":
                if not contains(record["body"], value):
                    return False
            elif name == "query":
                if not isinstance(value, dict) or not all(
                        _query_has(query.get(str(k)), v) for k, v in value.items()):
                    return False
            elif name == "headers":
                if not isinstance(value, dict) or not all(
                        headers.get(str(k).lower()) == to_text(v) for k, v in value.items()):
                    return False
            elif name in op.path_params:
                if path_values is None or path_values.get(name) != to_text(value):
                    return False
            elif name in op.query_params:
                if not _query_has(query.get(name), value):
                    return False
            elif headers.get(name.lower()) != to_text(value):
                return False
        return True

    @staticmethod
    def path_values(base_url: str, path: str, params: tuple[str, ...], actual: str) -> dict[str, str] | None:
        base = unquote(httpx.URL(base_url).path).rstrip("/")
        template = path if path.startswith("/") else "/" + path
        pattern = re.escape(base + template)
        for name in params:
            pattern = pattern.replace(re.escape("{" + name + "}"), f"(?P<{name}>[^/]+)", 1)
        found = re.fullmatch(pattern, actual)
        return found.groupdict() if found else None


def _query_has(actual: Any, expected: Any) -> bool:
    if isinstance(expected, list):
        values = actual if isinstance(actual, list) else [actual]
        return [to_text(v) for v in expected] == values
    return actual == to_text(expected) or (isinstance(actual, list) and to_text(expected) in actual)
