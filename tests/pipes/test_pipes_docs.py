"""docs/pipes.md runs: its flow is published, every request example is sent in order to the served host and
answers with the status and the shape (keys, recursively) its response example shows, and every `sh` block
(and those of docs/host.md's "Pipes and runs") runs in bash (curl, openssl, `flowlang runs --host`)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import host.test_docs as host_docs
from host.flows import create, publish

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "pipes.md"
HOST_DOC = ROOT / "docs" / "host.md"
HTTP = re.compile(r"```http\n(.*?)```", re.S)
SH = re.compile(r"```sh\n(.*?)```", re.S)
FLOW = re.compile(r"```flow\n(.*?)```", re.S)
PLACEHOLDER = re.compile(r"\{(flowID|pipeID|schedulePipeID|runID|pipeToken)\}")


def _requests_and_answers(text: str) -> list[tuple[str, str]]:
    blocks = HTTP.findall(text)
    pairs = list(zip(blocks[::2], blocks[1::2], strict=True))
    assert all(not req.startswith("HTTP/1.1 ") and res.startswith("HTTP/1.1 ") for req, res in pairs)
    return pairs


def _send(executor: Any, token: str, request: str, ids: dict[str, str]) -> Any:
    filled = PLACEHOLDER.sub(lambda m: ids[m.group(1)], request)
    head, _, body = filled.partition("\n\n")
    lines = head.strip().splitlines()
    method, path = lines[0].split(" ", 1)
    headers = dict(line.split(": ", 1) for line in lines[1:])
    if not path.startswith("/listener/"):  # the listener takes the pipe's token, never the project's
        headers["Authorization"] = f"Bearer {token}"
    content = body.strip().encode()
    if content:
        headers.setdefault("Content-Type", "application/json")
    return method, path, executor.client().request(method, path, headers=headers, content=content or None)


def _learn(method: str, path: str, answer: Any, ids: dict[str, str]) -> None:
    """The ids later examples name: the pipes created, the token (again after rotation), the run."""
    if answer.status_code not in (200, 201, 202):
        return
    data = answer.json().get("data")
    if not isinstance(data, dict):
        return
    if method == "POST" and path == "/v2/pipes":
        ids["pipeID" if data["trigger"] == "webhook" else "schedulePipeID"] = data["id"]
    if "token" in data:
        ids["pipeToken"] = data["token"]
    if path.startswith("/listener/") and "?wait=" in path:
        ids["runID"] = data["id"]  # an ended run: its logs are there


def test_every_example_of_docs_pipes_md_runs(executor) -> None:
    text = DOC.read_text(encoding="utf-8")
    tenant = executor.tenant()
    (source,) = FLOW.findall(text)
    flow = create(tenant, slug="echo", enabled=True, source=source)
    publish(tenant, flow["id"])
    ids = {"flowID": flow["id"]}
    pairs = _requests_and_answers(text)
    assert len(pairs) >= 18
    for request, response in pairs:
        method, path, answer = _send(executor, tenant.token, request, ids)
        status_line, _, shown = response.partition("\n\n")
        assert answer.status_code == int(status_line.split()[1]), (request, answer.text)
        if shown.strip():
            host_docs.same_shape(json.loads(shown), answer.json(), f"{method} {path}")
        _learn(method, path, answer, ids)
    env = {**os.environ, "HOST": executor.url, "TOKEN": tenant.token, "PIPE": ids["pipeID"],
           "PIPE_TOKEN": ids["pipeToken"], "LISTENER": f"{executor.url}/listener/{ids['pipeID']}",
           "RUN": ids["runID"], "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]}
    env = {k: v for k, v in env.items() if not k.startswith("FLOWLANG_")}
    scripts = SH.findall(text)
    assert len(scripts) >= 2
    section = HOST_DOC.read_text(encoding="utf-8").split("### Pipes and runs", 1)[1].split("\n## ", 1)[0]
    scripts += SH.findall(section)  # docs/host.md's pipes examples, on the same pipe
    env["FLOW"] = flow["id"]
    for script in scripts:
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, f"{script}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr and '"errors"' not in done.stdout
    shown_table = re.search(r"```text\n(RUN .*?)\n", text)
    assert shown_table is not None
    table = executor.flowlang("runs", "--host", executor.url, "--token-file", "-", stdin=tenant.token).stdout
    assert table.splitlines()[0].split() == shown_table.group(1).split()
    assert all(" echo " in line for line in table.splitlines()[1:])
