"""Cassettes: `flowlang run --record FILE` writes every exchange; `given cassette "FILE"` replays them in order.

A cassette never holds a secret: secret values become `<secret>`, and `Authorization` (and the other
credential headers) `<redacted>`, before anything is written. Replay compares each request the flow sends
with the next recorded one (operation, method, path and query, body: not the host, so a recording made
against one server replays whatever base URL the test's systems have) and fails the test on the first
difference.
OAuth2 token requests are neither recorded nor replayed: replay answers them with a test token.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from flowlang.runtime.values import to_json
from flowlang.testing.mocks import TEST_TOKEN, Unmocked, request_body, request_record

FORMAT = 1
SECRET = "<secret>"
REDACTED = "<redacted>"
CREDENTIAL_HEADERS = ("authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key")


class CassetteError(Exception):
    """A cassette that cannot be read or written; the message names the file."""


def scrub(value: Any, secrets: set[str]) -> Any:
    """`value` with every secret replaced by `<secret>` (in text, keys and nested values)."""
    if isinstance(value, str):
        for secret in sorted((s for s in secrets if s), key=len, reverse=True):
            value = value.replace(secret, SECRET)
        return value
    if isinstance(value, dict):
        return {scrub(k, secrets): scrub(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v, secrets) for v in value]
    return value


def _headers(headers: httpx.Headers, secrets: set[str]) -> dict[str, str]:
    return {k: REDACTED if k.lower() in CREDENTIAL_HEADERS else scrub(v, secrets) for k, v in headers.items()}


def _response_body(response: httpx.Response) -> Any:
    if not response.content:
        return None
    if "json" in response.headers.get("content-type", ""):
        try:
            return json.loads(response.content)
        except ValueError:
            pass
    return response.text


@dataclass
class Recorder(httpx.AsyncBaseTransport):
    """The network transport of a real run, writing down every exchange of a flow operation."""

    secrets: set[str] = field(default_factory=set)
    interactions: list[dict[str, Any]] = field(default_factory=list)
    inner: httpx.AsyncBaseTransport = field(default_factory=lambda: httpx.AsyncHTTPTransport(verify=True))
    started: bool = False  # a run made its HTTP client (nothing to save when none started)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        operation = request.extensions.get("flowlang.operation")
        if operation is None:  # an oauth2 token request: its answer is a credential
            return await self.inner.handle_async_request(request)
        # Its place is taken when it is sent: a replay answers in the order requests are sent, and the
        # workers of a parallel loop get their answers in any order.
        slot = len(self.interactions)
        self.interactions.append({})
        response = await self.inner.handle_async_request(request)  # no answer: its place stays empty
        content = await response.aread()
        recorded = httpx.Response(response.status_code, headers=response.headers, content=content, request=request)
        self.interactions[slot] = {
            "operation": f"{operation[0]}.{operation[1]}",
            "request": {"method": request.method, "url": scrub(str(request.url), self.secrets),
                        "headers": _headers(request.headers, self.secrets),
                        "body": scrub(request_body(request), self.secrets)},
            "response": {"status": response.status_code,
                         "headers": {k: v for k, v in _headers(recorded.headers, self.secrets).items()
                                     if k.lower() not in ("content-length", "content-encoding", "transfer-encoding")},
                         "body": scrub(_response_body(recorded), self.secrets)},
        }
        return httpx.Response(response.status_code, headers=response.headers, content=content,
                              request=request, extensions=response.extensions)

    async def aclose(self) -> None:
        await self.inner.aclose()

    @property
    def answered(self) -> list[dict[str, Any]]:
        """The exchanges recorded, in the order they were sent (a request that got no answer is left out)."""
        return [interaction for interaction in self.interactions if interaction]

    def save(self, path: str, flow: str) -> None:
        data = {"flowlang_cassette": FORMAT, "flow": flow, "interactions": self.answered}
        text = json.dumps(scrub(data, self.secrets), indent=2, ensure_ascii=False) + "\n"
        try:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            raise CassetteError(f"error: cannot write cassette {path}: {exc.strerror or exc}") from None


def unwritable(path: str) -> str | None:
    """Why a file could not be written at `path` (None when it could), found out before anything runs.

    The file is opened for appending (which changes nothing in an existing file); one created only to
    find out is removed again.
    """
    existed = os.path.lexists(path)
    try:
        with open(path, "a", encoding="utf-8"):
            pass
    except OSError as exc:
        return str(exc.strerror or exc)
    if not existed:
        os.remove(path)
    return None


def ensure_writable(path: str) -> None:
    """Fail before a run when its cassette could not be written after it (the run's writes would be done)."""
    reason = unwritable(path)
    if reason is not None:
        raise CassetteError(f"error: cannot write cassette {path}: {reason}")


def recording() -> tuple[Recorder, Callable[..., Any]]:
    """A recorder and the HTTP client factory of a run (`make_http`) that sends every request through it.

    The recorder masks with the run's own set of secrets, which grows as the run reads secrets.
    """
    recorder = Recorder()

    def make_http(systems: dict[str, Any], **options: Any) -> Any:
        from flowlang.runtime.http import HttpClient

        recorder.secrets = options.setdefault("secrets", set())
        recorder.started = True
        return HttpClient(systems, transport=recorder, **options)

    return recorder, make_http


@dataclass
class Replay:
    """A loaded cassette; each run gets a fresh `transport()` that starts at its first exchange."""

    path: str
    interactions: list[dict[str, Any]]

    def transport(self) -> ReplayTransport:
        return ReplayTransport(self)


def load(path: str, base_dir: str) -> Replay:
    """Read a cassette (a path relative to the test file)."""
    full = path if os.path.isabs(path) else os.path.join(base_dir, path)
    try:
        with open(full, encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as exc:
        raise CassetteError(f"cannot read cassette {full}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise CassetteError(f"cassette {full} is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("flowlang_cassette") != FORMAT or not isinstance(
            data.get("interactions"), list):
        raise CassetteError(f"{full} is not a flowlang cassette (write one with `flowlang run --record`)")
    return Replay(full, data["interactions"])


@dataclass
class ReplayTransport(httpx.AsyncBaseTransport):
    """Answers each request with the next recorded response, if the request is the recorded one."""

    replay: Replay
    secrets: set[str] = field(default_factory=set)
    position: int = 0
    calls: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        operation = request.extensions.get("flowlang.operation")
        if operation is None:
            return httpx.Response(200, json=TEST_TOKEN, request=request)
        label = f"{operation[0]}.{operation[1]}"
        self.calls.setdefault(label, []).append(request_record(request, self.secrets))
        sent = {"operation": label, "method": request.method, "target": scrub(_target(str(request.url)), self.secrets),
                "body": scrub(request_body(request), self.secrets)}
        number = self.position + 1
        if self.position >= len(self.replay.interactions):
            size = len(self.replay.interactions)
            self.fail(f"request {number} is beyond the recording ({size} request{'' if size == 1 else 's'}): "
                      f"{sent['method']} {sent['target']} ({label})")
        recorded = self.replay.interactions[self.position]
        self.position += 1
        asked = recorded.get("request") or {}
        expected = {"operation": recorded.get("operation"), "method": asked.get("method"),
                    "target": _target(str(asked.get("url", ""))), "body": asked.get("body")}
        differences = [f"{key}: recorded {_short(expected[key])}, sent {_short(sent[key])}"
                       for key in ("operation", "method", "target", "body") if expected[key] != sent[key]]
        if differences:
            self.fail(f"request {number} differs from the recording in {self.replay.path}: " + "; ".join(differences))
        answer = recorded["response"]
        body = answer.get("body")
        headers = dict(answer.get("headers") or {})
        content = b"" if body is None else body.encode() if isinstance(body, str) else to_json(body).encode()
        return httpx.Response(int(answer.get("status", 200)), headers=headers, content=content, request=request)

    def fail(self, message: str) -> None:
        self.problems.append(message)
        raise Unmocked(message)


def _target(url: str) -> str:
    """The path and query of a URL (what replay compares), as they are written in it."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 200 else text[:200] + "…"
