"""docs/host.md: every request example runs, in order, against the real server with the status and the
shape (keys, recursively) its response example shows."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from host.harness import HostServer

DOC = Path(__file__).resolve().parents[2] / "docs" / "host.md"
BLOCK = re.compile(r"```http\n(.*?)```", re.S)


def examples() -> list[tuple[str, str]]:
    blocks = BLOCK.findall(DOC.read_text(encoding="utf-8"))
    pairs = list(zip(blocks[::2], blocks[1::2], strict=True))
    assert all(r.startswith("HTTP/1.1 ") for _, r in pairs)
    return pairs


def same_shape(shown: Any, actual: Any, where: str = "") -> None:
    if isinstance(shown, dict):
        assert isinstance(actual, dict), where
        for key, value in shown.items():
            assert key in actual, f"{where}.{key} missing"
            same_shape(value, actual[key], f"{where}.{key}")
    elif isinstance(shown, list) and shown:
        assert isinstance(actual, list) and actual, where
        same_shape(shown[0], actual[0], where + "[0]")


def test_every_example_of_docs_host_md_runs(host: HostServer) -> None:
    token = host.create_token(host.tenant().slug, name="ci")
    client = host.client(token)
    flow_id = ""
    pairs = examples()
    assert len(pairs) >= 15
    for request, response in pairs:
        head, _, body = request.partition("\n\n")
        lines = head.strip().splitlines()
        method, path = lines[0].split(" ", 1)
        headers = dict(line.split(": ", 1) for line in lines[1:])
        sent = client.request(method, path.replace("{flowID}", flow_id), headers=headers,
                              json=json.loads(body) if body.strip() else None)
        status_line, _, shown = response.partition("\n\n")
        assert sent.status_code == int(status_line.split()[1]), (request, sent.text)
        if shown.strip():
            same_shape(json.loads(shown), sent.json(), f"{method} {path}")
        if not flow_id and method == "POST" and path == "/v2/flows":
            flow_id = sent.json()["data"]["id"]
