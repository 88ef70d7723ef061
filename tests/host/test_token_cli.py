"""`flowlang token create|list|revoke`: the token alone on stdout, only a hash in the database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from e2e.harness import flowlang

from host.harness import HostServer


def test_create_prints_only_the_token_and_creates_the_project(tmp_path: Path) -> None:
    done = flowlang("token", "create", "--db", "h.db", "--project", "acme", "--name", "ci", cwd=tmp_path)
    assert done.code == 0
    token = done.out.strip()
    assert done.out == token + "\n" and token.startswith("flw_") and len(token) > 40
    assert "created project acme" in done.err and token not in done.err
    with sqlite3.connect(tmp_path / "h.db") as db:
        dump = "\n".join(db.iterdump())
    assert token not in dump and token[12:] not in dump


def test_a_second_token_does_not_create_the_project_again(tmp_path: Path) -> None:
    flowlang("token", "create", "--db", "h.db", "--project", "acme", cwd=tmp_path)
    done = flowlang("token", "create", "--db", "h.db", "--project", "acme", cwd=tmp_path)
    assert "created project" not in done.err


def test_list_shows_prefixes_never_tokens(tmp_path: Path) -> None:
    token = flowlang("token", "create", "--db", "h.db", "--project", "acme", "--name", "ci",
                     cwd=tmp_path).out.strip()
    listing = flowlang("token", "list", "--db", "h.db", cwd=tmp_path)
    assert listing.code == 0
    assert token[:12] + "…" in listing.out and token not in listing.out
    assert " ci " in listing.out and "acme" in listing.out


def test_revoke_by_name_shared_by_two_tokens_revokes_none(tmp_path: Path) -> None:
    for _ in range(2):
        flowlang("token", "create", "--db", "h.db", "--project", "acme", cwd=tmp_path)
    done = flowlang("token", "revoke", "default", "--db", "h.db", cwd=tmp_path)
    assert done.code == 2 and "matches 2 tokens" in done.err
    rows = flowlang("token", "list", "--db", "h.db", cwd=tmp_path).out.splitlines()[1:]
    assert len(rows) == 2 and all(row.endswith("  -") for row in rows)  # neither revoked


def test_a_project_slug_with_spaces_is_refused(tmp_path: Path) -> None:
    done = flowlang("token", "create", "--db", "h.db", "--project", "my project", cwd=tmp_path)
    assert done.code == 2 and "--project may only hold" in done.err


def test_revoke_of_an_unknown_token_fails(tmp_path: Path) -> None:
    flowlang("token", "create", "--db", "h.db", "--project", "acme", cwd=tmp_path)
    done = flowlang("token", "revoke", "flw_nothing", "--db", "h.db", cwd=tmp_path)
    assert done.code == 2 and "no live token" in done.err


def test_token_create_then_use_it_on_the_server(host: HostServer) -> None:
    done = host.flowlang("token", "create", "--db", host.db, "--project", "cli-made")
    assert host.client(done.stdout.strip()).get("/v2/flows").status_code == 200


def test_a_database_url_is_shown_as_given_with_only_its_password_masked(tmp_path: Path) -> None:
    for given, shown in (
        ("postgresql://nobody@127.0.0.1:1/flowlang", "postgresql://nobody@127.0.0.1:1/flowlang"),
        ("postgresql://nobody:pw-4c1e9a@127.0.0.1:1/flowlang?password=pw-77ab&connect_timeout=5",
         "postgresql://nobody:***@127.0.0.1:1/flowlang?password=***&connect_timeout=5"),
    ):
        done = flowlang("token", "create", "--db", given, "--project", "acme", cwd=tmp_path)
        assert done.code == 2
        assert done.err.startswith(f"error: cannot open the database {shown}: "), done.err
        assert "pw-" not in done.err and done.out == ""
