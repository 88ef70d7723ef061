"""A header that HTTP cannot carry (a non-ASCII or multi-line value from secret() or a literal, a name that is no
HTTP token) is a located data error naming the header, on both engines, before anything is sent: never httpx's
"invalid URL … 'ascii' codec", never the secret in any form."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from runtime_http.servers import FakeServer

from e2e.harness import Both, Write, run_both

SECRET = "tökén-geheim"
FORMS = [SECRET, quote(SECRET), SECRET.encode("unicode_escape").decode(), repr(SECRET.encode())[2:-1]]
AT_THE_CALL = """\
system bearer {
  base_url: env("U")
  auth: bearer(secret("TOK"))
  GET get "/x"
}
system keyed {
  base_url: env("U")
  auth: api_key("X-Api-Key", secret("TOK"))
  GET get "/x"
}
system literal {
  base_url: env("U")
  auth: api_key("X-Api-Key", "cl\\u{e9}")
  GET get "/x"
}
system plain {
  base_url: env("U")
  GET get "/x"
}
flow a {
  errors = []
  for n in [1, 2, 3, 4, 5, 6] {
    try {
      if n == 1 {
        call bearer.get()
      } else if n == 2 {
        call keyed.get()
      } else if n == 3 {
        call literal.get()
      } else if n == 4 {
        call plain.get(headers: {"X-Other": secret("TOK")})
      } else if n == 5 {
        call plain.get(headers: {"X-\\u{e9}": "v"})
      } else {
        call plain.get(idempotency_key: header("Idem Key", 1))
      }
    } catch err {
      errors += ["{err.line}: {err.message}"]
    }
  }
  return errors
}
"""
ASCII = "must be ASCII text (encode other characters, e.g. with url_encode)"
NAME = "is not a valid header name (ASCII letters, digits and - . _ ! # $ % & ' * + ^ ` | ~, no spaces)"


def run(write: Write, text: str) -> Both:
    flow = write("h.flow", text)
    env_file = write(".env", f"TOK={SECRET}\n")
    with FakeServer() as server:
        server.reply("GET", "/x", json={})
        result = run_both(flow, "--env-file", env_file.name, env={"U": server.url})
        assert server.requests == []
    for text in (result.out, result.err):
        assert "invalid URL" not in text and "codec" not in text
        assert not any(form in text for form in FORMS)
    return result


def test_a_header_http_cannot_carry_is_an_error_naming_it_at_its_call(write: Write) -> None:
    result = run(write, AT_THE_CALL)
    assert result.code == 0, result.err
    assert json.loads(result.out) == [
        f"25: bearer.get: the 'authorization' header of system bearer's auth {ASCII}",
        f"27: keyed.get: the 'x-api-key' header of system keyed's auth {ASCII}",
        f"29: literal.get: the 'x-api-key' header of system literal's auth {ASCII}",
        f"31: plain.get: header 'X-Other' {ASCII}",
        f"33: plain.get: 'headers': 'X-é' {NAME}",
        f"35: idempotency_key: header(): 'Idem Key' {NAME}",
    ]


@pytest.mark.parametrize(("setting", "error"), [
    ('headers: {"X-Token": secret("TOK")}', f"h.flow:3:12: error: system s: header 'X-Token' {ASCII}"),
    ('auth: api_key("X Key", secret("TOK"))', f"h.flow:3:9: error: api_key(): 'X Key' {NAME}"),
])
def test_a_system_setting_http_cannot_carry_stops_the_run_at_its_line(write: Write, setting: str, error: str) -> None:
    result = run(write, f'system s {{\n  base_url: env("U")\n  {setting}\n  GET get "/x"\n}}\n'
                        "flow a {\n  r = call s.get()\n  return r.status\n}\n")
    assert result.code == 3
    assert result.err.splitlines()[0] == error
