"""The interpreter's flow corpus: `flows/NAME.flow` run end to end and compared with `NAME.expected.json`.

Layout, shared with the code generator's differential test:

- `flows/NAME.flow` — one flow (the only flow of the file), run from inside `flows/` as `NAME.flow`,
  so positions in logs and errors read `NAME.flow:LINE:COL`.
- `flows/NAME.input.json` — optional; passed as `--input`.
- `flows/NAME.expected.json` — `{"exit": int, "result": JSON, "log": [lines]}`: the exit code, the JSON
  the run printed on stdout (null when nothing), and the text log lines on stderr with the timestamp and
  the closing summary's duration removed (`normalize_log`).
- Flows reach HTTP through `env("FLOWTEST_URL")`: the base URL of `start_flow_server()`, whose routes
  answer the same way every time. Environment: FLOWLANG_NOW=2024-05-01T12:00:00Z, FLOWLANG_SEED=7.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from runtime_http.servers import FakeServer, Recorded, Reply, page_handler

FLOWS_DIR = Path(__file__).parent / "flows"
ENV = {"FLOWLANG_NOW": "2024-05-01T12:00:00Z", "FLOWLANG_SEED": "7"}

_TIME = re.compile(r"^\d\d:\d\d:\d\d ", re.MULTILINE)
_DURATION = re.compile(r" in \d+(\.\d+)?m?s\b")


def case_names() -> list[str]:
    """Every corpus flow that has an expected outcome, sorted."""
    return sorted(p.name[: -len(".expected.json")] for p in FLOWS_DIR.glob("*.expected.json"))


def expected(name: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads((FLOWS_DIR / f"{name}.expected.json").read_text("utf-8"))
    return result


def normalize_log(stderr: str) -> list[str]:
    """Log lines without their timestamps, and the summary without its duration."""
    text = _DURATION.sub(" in <time>", _TIME.sub("", stderr))
    return [line for line in text.splitlines() if line.strip()]


def outcome(exit_code: int, stdout: str, stderr: str) -> dict[str, Any]:
    """What a run did, in the shape of `NAME.expected.json`."""
    return {
        "exit": exit_code,
        "result": json.loads(stdout) if stdout.strip() else None,
        "log": normalize_log(stderr),
    }


def run_case(name: str, state_path: str) -> dict[str, Any]:
    """Load, check and run `flows/NAME.flow` with the interpreter (call from inside FLOWS_DIR)."""
    from flowlang.interpreter import run_project
    from flowlang.loader import load_project

    project = load_project(f"{name}.flow")
    assert not project.diagnostics, project.diagnostics
    checker = _checker()
    if checker is not None:
        errors = [d for d in checker(project) if d.is_error]
        assert not errors, errors
    input_file = FLOWS_DIR / f"{name}.input.json"
    stdout, stderr = io.StringIO(), io.StringIO()
    code = run_project(
        project,
        None,
        input_path=input_file.name if input_file.exists() else None,
        state_path=state_path,
        stdout=stdout,
        stderr=stderr,
    )
    return outcome(code, stdout.getvalue(), stderr.getvalue())


def _checker() -> Callable[[Any], list[Any]] | None:
    import flowlang.checker

    check: Callable[[Any], list[Any]] | None = getattr(flowlang.checker, "check", None)
    return check


# ---------------------------------------------------------------- the corpus's HTTP server

CUSTOMERS = [
    {"id": i, "name": f"Customer {i}", "email": f"  C{i}@Example.COM " if i % 4 else None, "tier": i % 3}
    for i in range(1, 26)
]


def _create_order(req: Recorded) -> Reply:
    body = req.json() or {}
    if not body.get("lines"):
        return Reply(422, json={"message": "an order needs lines", "field": "lines"})
    total = sum(line["qty"] * line["price"] for line in body["lines"])
    return Reply(201, json={"id": 1000 + int(body.get("customer", 0)), "total": total})


def start_flow_server() -> FakeServer:
    """The API the corpus flows talk to (`env("FLOWTEST_URL")`): deterministic answers."""
    server = FakeServer()
    server.route("GET", "/customers", page_handler(CUSTOMERS, per_page=10))
    for customer in CUSTOMERS:
        server.reply("GET", f"/customers/{customer['id']}", json=customer)
    server.route("POST", "/orders", _create_order)
    server.reply("GET", "/text", text="plain words")
    server.reply("GET", "/broken", text="{not json", headers={"content-type": "application/json"})
    server.reply("GET", "/teapot", 418, json={"message": "I'm a teapot"})
    return server


def environment(server: FakeServer) -> dict[str, str]:
    return {**ENV, "FLOWTEST_URL": server.url}


__all__ = ["FLOWS_DIR", "case_names", "environment", "expected", "run_case", "start_flow_server"]
