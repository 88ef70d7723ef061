"""Every form of a secret is masked in both log formats, errors and run history, on both engines."""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, quote, quote_plus, urlsplit

import pytest
from runtime_http.servers import FakeServer, Recorded, Reply

from e2e.harness import Write, run_both

CLIENT_SECRET = 'cl1ent s3cret/+&ü"'
API_USER = "svc-us3r-42"
API_KEY = "k3y with spaces+plus"

FLOW = """\
system idp {
  base_url: env("API_URL")
  auth: oauth2(token_url: env("API_URL") + "/token", client_id: "app", client_secret: secret("CLIENT_SECRET"))
  GET me "/me"
}
system legacy {
  base_url: env("API_URL")
  auth: basic(secret("API_USER"), "literal-pass")
  GET echo "/echo"
}
system keyed {
  base_url: env("API_URL")
  auth: api_key("key", secret("API_KEY"), in: "query")
  GET echo "/echo"
}
flow leaks {
  log info {key: secret("API_KEY"), client: secret("CLIENT_SECRET")}
  log info base64_encode(secret("API_KEY"))
  log info url_encode(secret("CLIENT_SECRET"))
  try {
    call legacy.echo()
  } catch e {
    log warn e.message
  }
  try {
    call keyed.echo()
  } catch e {
    log warn e.message
  }
  call idp.me()
}
"""


def echo(req: Recorded) -> Reply:
    """An API that repeats what it got: the Authorization header, the raw query, each value JSON-escaped."""
    raw = urlsplit(req.path + "?" + "&".join(f"{k}={quote_plus(v)}" for k, vs in req.query.items() for v in vs))
    shown = {"authorization": req.headers.get("authorization"), "query": raw.query,
             "percent": quote(req.arg("key") or "", safe="")}
    return Reply(400, json={"error": "bad credentials", "got": shown})


def token(req: Recorded) -> Reply:
    """A token endpoint that rejects the client and echoes its form, raw and decoded."""
    form = parse_qs(req.body.decode())
    return Reply(401, text=f"invalid_client: {req.body.decode()} / {json.dumps(form)}")


@pytest.fixture
def api() -> Iterator[FakeServer]:
    with FakeServer() as server:
        server.route("GET", "/echo", echo)
        server.route("POST", "/token", token)
        yield server


def written_forms() -> list[str]:
    forms = [API_USER, base64.b64encode(f"{API_USER}:literal-pass".encode()).decode()]
    for secret in (CLIENT_SECRET, API_KEY):
        forms += [secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1],
                  quote(secret, safe=""), quote_plus(secret), base64.b64encode(secret.encode()).decode()]
    return forms


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_no_form_of_a_secret_surfaces_in_logs_errors_or_run_history(
    write: Write, api: FakeServer, tmp_path: Path, log_format: str
) -> None:
    flow = write("leaks.flow", FLOW)
    env = {"API_URL": api.url, "CLIENT_SECRET": CLIENT_SECRET, "API_USER": API_USER, "API_KEY": API_KEY}
    result = run_both(flow, "--log-format", log_format, env=env)
    assert result.code == 3
    assert "oauth2 token request failed: HTTP 401" in result.err and "invalid_client" in result.err
    assert "legacy.echo failed: HTTP 400" in result.err and "Basic ***" in result.err
    assert result.err.count("***") >= 8
    history = []
    for db in ("interpreted.db", "compiled.db"):
        with sqlite3.connect(tmp_path / db) as con:
            history += [row[0] for row in con.execute("SELECT error FROM runs")]
    assert len(history) == 2 and all("oauth2 token request failed" in error for error in history)
    for outcome in (result.interpreted, result.compiled):
        seen = outcome.err + outcome.out + "\n".join(history)
        leaked = [form for form in written_forms() if form in seen]
        assert leaked == [], seen


LINE_BREAK_FLOW = """\
system keyed {
  base_url: env("API_URL")
  auth: api_key("key", secret("API_KEY"), in: "query")
  GET echo "/echo"
}
system bearer {
  base_url: env("API_URL")
  auth: bearer(secret("API_KEY"))
  GET echo "/echo"
}
flow broken {
  try {
    call keyed.echo()
  } catch e {
    log warn e.message
  }
  call bearer.echo()
}
"""


def test_a_secret_with_a_line_break_never_surfaces_and_a_bad_auth_header_is_named_without_it(write: Write) -> None:
    secret = "l1ne-br0ken\nsecret-value"

    def echo_key(req: Recorded) -> Reply:  # repeats the key as text: the excerpt folds its line break
        return Reply(401, text=f"unknown key {req.arg('key')} for this account")

    with FakeServer() as server:
        server.route("GET", "/echo", echo_key)
        flow = write("broken.flow", LINE_BREAK_FLOW)
        result = run_both(flow, env={"API_URL": server.url, "API_KEY": secret})
        assert len(server.received("GET", "/echo")) == 2  # the bearer call was never sent
    assert result.code == 3
    assert "keyed.echo failed: HTTP 401 Unauthorized: unknown key *** for this account" in result.err
    assert "bearer.echo: the 'authorization' header of system bearer's auth contains a line break" in result.err
    assert "closed the connection" not in result.err
    for outcome in (result.interpreted, result.compiled):
        for part in ("l1ne", "br0ken", "secret-value"):
            assert part not in outcome.err + outcome.out
