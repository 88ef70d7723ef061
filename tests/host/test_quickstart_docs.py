"""The host quick starts of README.md, docs/host.md and docs/console.md work as written: the token that
`flowlang token create` prints signs in to the `flowlang serve` the same lines start."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from e2e.harness import flowlang

from flowlang.host.settings import DEFAULT_DB
from host.harness import start_server

ROOT = Path(__file__).parents[2]
TOKEN = re.compile(r"TOKEN=\$\((flowlang token create [^)]*)\)")
SERVE = re.compile(r"(?:^|`)(flowlang serve(?: --[\w-]+ [^\s`#]+)*)", re.M)


def quick_start(page: str) -> tuple[list[str], list[str]]:
    """The `token create` of a page and the `serve` after it, as argument lists."""
    text = (ROOT / page).read_text(encoding="utf-8")
    token = TOKEN.search(text)
    assert token, page
    serve = SERVE.search(text, token.end())
    assert serve, page
    return shlex.split(token.group(1)), shlex.split(serve.group(1))


def option(args: list[str], name: str, default: str) -> str:
    return args[args.index(name) + 1] if name in args else default


@pytest.mark.parametrize("page", ["README.md", "docs/host.md", "docs/console.md"])
def test_the_quick_start_token_signs_in_to_the_server_it_starts(page: str, tmp_path: Path) -> None:
    token_args, serve_args = quick_start(page)
    made = flowlang(*token_args[1:], cwd=tmp_path)
    assert made.code == 0, made.err
    token = made.out.strip()
    extra = tuple(a for a in serve_args[2:] if a not in ("--db", option(serve_args, "--db", ""), "--port",
                                                         option(serve_args, "--port", "")))
    with start_server(tmp_path, option(serve_args, "--db", DEFAULT_DB), args=extra) as server:
        answer = server.client(token).get("/v2/flows")
        assert answer.status_code == 200, (page, answer.text)
