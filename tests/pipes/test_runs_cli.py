"""`flowlang runs --host URL`: a host's run history on the command line (filters, show with logs, JSON,
reprocess) and plain errors for a host that is down or a token it refuses, run as a user runs them."""

from __future__ import annotations

import json
import socket

import httpx
from served import published, wait_run, webhook

FLOW = 'flow greet {\n  log info "hello {source.name}"\n  if source.name == "bad" {\n    fail "no bad names"\n  }\n  return source.name\n}\n'


def _runs(executor, token: str, *args: str):
    """The token on stdin (`--token-file -`): never on the command line."""
    return executor.flowlang("runs", "--host", executor.url, "--token-file", "-", *args, stdin=token)


def _deliver(pipe: dict, name: str) -> str:
    answer = httpx.post(pipe["listener_url"] + "?wait=30", json={"name": name},
                        headers={"X-Api-Key": pipe["token"]}, timeout=40)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["data"]["id"])


def test_runs_lists_a_hosts_runs_filtered_by_pipe_flow_and_status(executor) -> None:
    tenant = executor.tenant()
    flow = published(tenant, FLOW)
    pipe, other = webhook(tenant, flow["id"]), webhook(tenant, flow["id"])
    ok, bad = _deliver(pipe, "ada"), _deliver(pipe, "bad")
    elsewhere = _deliver(other, "bob")
    table = _runs(executor, tenant.token)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split()[:3] == ["RUN", "FLOW", "TRIGGER"]
    assert [line.split()[0] for line in lines[1:]] == [elsewhere, bad, ok]  # newest first
    assert all(flow["slug"] in line and "webhook" in line for line in lines[1:])
    assert "no bad names" in next(line for line in lines if line.startswith(bad))
    by_pipe = json.loads(_runs(executor, tenant.token, "--pipe", pipe["id"], "--format", "json").stdout)
    assert [r["id"] for r in by_pipe] == [bad, ok]
    failed = json.loads(_runs(executor, tenant.token, "--pipe", pipe["id"], "--status", "failed",
                              "--format", "json").stdout)
    assert [(r["id"], r["status"]) for r in failed] == [(bad, "failed")]
    by_slug = json.loads(_runs(executor, tenant.token, "--flow", flow["slug"], "--limit", "2",
                               "--format", "json").stdout)
    assert [r["id"] for r in by_slug] == [elsewhere, bad]


def test_runs_show_prints_a_host_run_with_its_logs_as_text_and_json(executor) -> None:
    tenant = executor.tenant()
    flow = published(tenant, FLOW)
    run_id = _deliver(webhook(tenant, flow["id"]), "bad")
    shown = _runs(executor, tenant.token, "show", run_id[:8])
    assert shown.returncode == 0, shown.stderr
    fields = dict(line.split(None, 1) for line in shown.stdout.split("\n\n")[0].splitlines()
                  if not line.startswith(" "))
    assert (fields["run"], fields["flow"], fields["status"], fields["trigger"]) == (run_id, flow["slug"],
                                                                                    "failed", "webhook")
    assert "error: no bad names" in fields["error"]
    assert f"INFO {flow['slug']}.flow:2 hello bad" in shown.stdout
    as_json = json.loads(_runs(executor, tenant.token,
                                           "show", run_id, "--format", "json").stdout)
    assert as_json["run"]["id"] == run_id and as_json["run"]["error"]["line"] == 4
    assert as_json["run"]["seconds"] >= 0
    assert as_json["logs"][0]["message"] == "hello bad"


def test_runs_reprocess_queues_the_input_again_on_the_published_version(executor) -> None:
    tenant = executor.tenant()
    flow = published(tenant, FLOW)
    run_id = _deliver(webhook(tenant, flow["id"]), "ada")
    done = _runs(executor, tenant.token, "reprocess", run_id)
    assert done.returncode == 0, done.stderr
    again = wait_run(tenant, done.stdout.strip())
    assert (again["status"], again["result"], again["reprocess_of"]) == ("ok", "ada", run_id)


def test_a_host_that_is_down_or_refuses_the_token_is_a_plain_error(executor) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = s.getsockname()[1]  # nothing listens here once the socket closes
    down = executor.flowlang("runs", "--host", f"http://127.0.0.1:{free}", "--token-file", "-", stdin="t")
    assert down.returncode == 2
    assert down.stderr.startswith(f"error: cannot reach the host at http://127.0.0.1:{free}")
    refused = _runs(executor, "not-a-token", "show", "abc")
    assert refused.returncode == 2
    assert refused.stderr.startswith(f"error: the host at {executor.url} refused the token: the token is "
                                     "unknown or revoked\n  hint: export FLOWLANG_TOKEN="), refused.stderr
    missing = executor.flowlang("runs", "--host", executor.url)
    assert missing.returncode == 2 and "needs a project token" in missing.stderr
    tenant = executor.tenant()
    unknown = _runs(executor, tenant.token, "show", "00000000-0000-0000-0000-000000000000")
    assert unknown.returncode == 2 and "no run 00000000-0000-0000-0000-000000000000" in unknown.stderr
    for result in (down, refused, missing, unknown):
        assert "Traceback" not in result.stderr and result.stdout == ""


def test_a_token_on_the_command_line_is_refused_with_a_hint(executor) -> None:
    """`--token` would show the token in `ps` and the shell's history: refused before anything is sent."""
    tenant = executor.tenant()
    for args in (("runs", "--host", executor.url), ("runs", "show", "abc", "--host", executor.url),
                 ("push", ".", "--host", executor.url, "--project", tenant.slug),
                 ("pull", ".", "--host", executor.url, "--project", tenant.slug)):
        done = executor.flowlang(*args, "--token", tenant.token)
        assert done.returncode == 2, (args, done.stderr)
        assert done.stderr.startswith("error: --token would put the token on the command line"), done.stderr
        assert "hint: export FLOWLANG_TOKEN=" in done.stderr and "--token-file PATH" in done.stderr
        assert tenant.token not in done.stderr + done.stdout and "Traceback" not in done.stderr


def test_the_token_file_gives_the_token(executor, tmp_path) -> None:
    tenant = executor.tenant()
    held = tmp_path / "token"
    held.write_text(tenant.token + "\n")
    done = executor.flowlang("runs", "--host", executor.url, "--token-file", str(held))
    assert (done.returncode, done.stdout.strip()) == (0, "no runs"), done.stderr
    empty = tmp_path / "empty"
    empty.write_text("")
    none = executor.flowlang("runs", "--host", executor.url, "--token-file", str(empty))
    assert none.returncode == 2 and none.stderr.strip() == f"error: the token file {empty} is empty"
