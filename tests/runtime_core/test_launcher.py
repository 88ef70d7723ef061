"""launch(): the whole life of a run — result on stdout, state commits, run records, errors, exit codes."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from flowlang.runtime import ambient
from flowlang.runtime.context import Run
from flowlang.runtime.errors import FlowError
from flowlang.runtime.launcher import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    launch,
    run_flow,
)
from flowlang.runtime.state import StateStore

from .conftest import FakeHttp

W = ("sync.flow", 4, 3)


@dataclass
class Launched:
    code: int
    stdout: str
    stderr: str
    http: list[FakeHttp] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        return self.stderr.splitlines()


def start(body: Callable[[Run], Any], state_path: Path, **options: Any) -> Launched:
    """Launch `body` as the flow `sync` with in-memory streams and the fake HTTP client."""
    clients: list[FakeHttp] = []

    def make_http(systems: dict[str, Any], **kwargs: Any) -> FakeHttp:
        clients.append(FakeHttp(systems, **kwargs))
        return clients[-1]

    stdout, stderr = io.StringIO(), io.StringIO()
    code = launch(
        file="sync.flow",
        flow_name="sync",
        slug=options.pop("slug", "sync"),
        build_systems=options.pop("build_systems", lambda: {"shop": "config"}),
        body=body,
        state_path=str(state_path),
        stdin=options.pop("stdin", io.StringIO()),
        stdout=stdout,
        stderr=stderr,
        make_http=make_http,
        **options,
    )
    return Launched(code, stdout.getvalue(), stderr.getvalue(), clients)


def saved_state(state_path: Path, flow: str = "sync") -> dict[str, Any]:
    with StateStore(state_path) as store:
        return store.load(flow)


def last_run(state_path: Path) -> Any:
    with StateStore(state_path) as store:
        return store.list_runs()[0]


def fail_at(where: tuple[str, int, int], message: str = "boom") -> Callable[[Run], Any]:
    def body(run: Run) -> Any:
        raise FlowError("data", message, where)

    return body


# ---------------------------------------------------------------- success


def test_the_result_goes_to_stdout_as_indented_json(state_path: Path) -> None:
    launched = start(lambda run: {"name": "Zoë", "ids": [1, 2]}, state_path)
    assert launched.code == EXIT_OK
    assert launched.stdout == '{\n  "name": "Zoë",\n  "ids": [\n    1,\n    2\n  ]\n}\n'


def test_a_flow_that_returns_nothing_prints_null(state_path: Path) -> None:
    assert start(lambda run: None, state_path).stdout == "null\n"


def test_a_stream_result_is_printed_as_a_list(state_path: Path) -> None:
    launched = start(lambda run: run.each("shop", "list", {}, W), state_path)
    assert json.loads(launched.stdout) == [1, 2, 3]


def test_the_input_payload_is_the_runs_source(state_path: Path, tmp_path: Path) -> None:
    payload = tmp_path / "in.json"
    payload.write_text('{"order": 42}', encoding="utf-8")
    launched = start(lambda run: run.source, state_path, input_path=str(payload))
    assert json.loads(launched.stdout) == {"order": 42}


def test_stdin_is_the_input_when_the_path_is_a_dash(state_path: Path) -> None:
    launched = start(lambda run: run.source, state_path, input_path="-", stdin=io.StringIO("[1]"))
    assert json.loads(launched.stdout) == [1]


def test_a_successful_run_commits_its_state(state_path: Path) -> None:
    def body(run: Run) -> None:
        run.state["cursor"] = (run.state.get("cursor") or 0) + 1

    start(body, state_path)
    start(body, state_path)
    assert saved_state(state_path) == {"cursor": 2}


def test_a_successful_run_is_recorded_with_its_counts(state_path: Path) -> None:
    def body(run: Run) -> None:
        run.call("shop", "get", {}, W)
        run.call("shop", "get", {}, W)
        run.log("success", "one", W)
        run.log("failure", "two", W)

    start(body, state_path)
    record = last_run(state_path)
    assert (record.flow, record.status, record.succeeded, record.failed, record.requests, record.error) == (
        "sync", "ok", 1, 1, 2, None,
    )


def test_the_last_log_line_is_the_summary(state_path: Path) -> None:
    def body(run: Run) -> None:
        run.call("shop", "get", {}, W)
        run.log("success", "one", W)

    launched = start(body, state_path)
    assert launched.lines[-1].split(" ", 1)[1].startswith("INFO run finished: 1 succeeded, 0 failed, 1 request in ")


def test_the_http_client_gets_the_systems_secrets_and_request_hook_and_is_closed(state_path: Path) -> None:
    seen: list[ambient.Ambient] = []
    launched = start(lambda run: seen.append(ambient.current()), state_path)
    [client] = launched.http
    assert client.systems == {"shop": "config"}
    assert client.secrets is seen[0].secrets
    assert client.on_request is not None and client.closed


def test_the_env_file_overrides_the_environment_for_the_run(
    state_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGION", "from-os")
    monkeypatch.setenv("KEEP", "kept")
    env_file = tmp_path / ".env"
    env_file.write_text("REGION=from-file\n", encoding="utf-8")
    launched = start(
        lambda run: [ambient.current().env["REGION"], ambient.current().env["KEEP"]],
        state_path,
        env_file=str(env_file),
    )
    assert json.loads(launched.stdout) == ["from-file", "kept"]


def test_the_ambient_of_the_run_is_gone_after_it(state_path: Path) -> None:
    seen: list[ambient.Ambient] = []
    start(lambda run: seen.append(ambient.current()), state_path)
    assert ambient.current() is not seen[0]


def test_the_state_database_defaults_to_dot_flowlang_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code = launch(
        file="sync.flow", flow_name="sync", slug="sync", build_systems=dict, body=lambda run: None,
        stdout=io.StringIO(), stderr=io.StringIO(), make_http=FakeHttp,
    )
    assert code == EXIT_OK
    assert (tmp_path / ".flowlang" / "state.db").is_file()


# ---------------------------------------------------------------- failure


def test_an_uncaught_error_exits_3_with_the_error_and_the_call_stack(state_path: Path) -> None:
    def body(run: Run) -> None:
        run.enter_call("normalize", ("sync.flow", 12, 5))
        try:
            raise FlowError("data", "orders[3] has no field 'qty'", ("sync.flow", 31, 18), hint="did you mean 'quantity'?")
        finally:
            run.exit_call()

    launched = start(body, state_path)
    assert launched.code == EXIT_FAILED
    assert launched.stdout == ""
    assert launched.lines[-4:-1] == [
        "sync.flow:31:18: error: orders[3] has no field 'qty' (did you mean 'quantity'?)",
        "  in func normalize at sync.flow:31:18",
        "  in flow sync at sync.flow:12:5",
    ]
    assert " ERROR run failed: " in launched.lines[-1]


def test_a_failed_run_keeps_the_last_committed_state(state_path: Path) -> None:
    start(lambda run: run.state.update(cursor=1), state_path)

    def body(run: Run) -> None:
        run.state["cursor"] = 2
        raise FlowError("user", "stop", W)

    assert start(body, state_path).code == EXIT_FAILED
    assert saved_state(state_path) == {"cursor": 1}


def test_a_checkpoint_before_a_failure_is_kept(state_path: Path) -> None:
    def body(run: Run) -> None:
        run.state["cursor"] = 5
        run.checkpoint(W)
        run.state["cursor"] = 6
        raise FlowError("user", "stop", W)

    start(body, state_path)
    assert saved_state(state_path) == {"cursor": 5}


def test_a_failed_run_is_recorded_with_its_error(state_path: Path) -> None:
    start(fail_at(("sync.flow", 9, 2), "no such customer"), state_path)
    record = last_run(state_path)
    assert (record.status, record.error) == ("failed", "sync.flow:9:2: error: no such customer")


def test_secrets_are_masked_in_the_error_and_the_run_record(state_path: Path) -> None:
    def body(run: Run) -> None:
        ambient.current().secrets.add("tok-123456")
        run.log("info", "using tok-123456", W)
        raise FlowError("http", "401 for token tok-123456", W)

    launched = start(body, state_path)
    assert "tok-123456" not in launched.stderr
    assert "401 for token ***" in launched.stderr
    assert last_run(state_path).error == "sync.flow:4:3: error: 401 for token ***"


def test_a_result_that_is_not_json_fails_the_run(state_path: Path) -> None:
    launched = start(lambda run: print, state_path)
    assert launched.code == EXIT_FAILED
    assert "not a JSON value" in launched.stderr


def test_a_python_exception_is_an_internal_error_without_traceback(
    state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FLOWLANG_DEBUG", raising=False)
    launched = start(lambda run: 1 / 0, state_path)
    assert launched.code == EXIT_FAILED
    assert "internal error: ZeroDivisionError: division by zero" in launched.stderr
    assert "Traceback" not in launched.stderr
    assert last_run(state_path).status == "failed"


def test_flowlang_debug_shows_the_traceback_of_an_internal_error(
    state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOWLANG_DEBUG", "1")
    launched = start(lambda run: 1 / 0, state_path)
    assert "Traceback (most recent call last)" in launched.stderr


def test_python_recursion_overflow_is_a_limit_error(state_path: Path) -> None:
    def deep(n: int) -> int:
        return deep(n + 1) + 1

    launched = start(lambda run: deep(0), state_path)
    assert launched.code == EXIT_FAILED
    assert "recursion limit reached" in launched.stderr


def test_an_error_building_the_systems_fails_the_run(state_path: Path) -> None:
    def systems() -> dict[str, Any]:
        raise FlowError("input", "environment variable SHOP_URL is not set", ("sync.flow", 2, 12))

    launched = start(lambda run: None, state_path, build_systems=systems)
    assert launched.code == EXIT_FAILED
    assert "sync.flow:2:12: error: environment variable SHOP_URL is not set" in launched.stderr


def test_ctrl_c_marks_the_run_interrupted_and_keeps_the_state(state_path: Path) -> None:
    def body(run: Run) -> None:
        run.state["cursor"] = 9
        raise KeyboardInterrupt

    launched = start(body, state_path)
    assert launched.code == EXIT_INTERRUPTED
    assert last_run(state_path).status == "interrupted"
    assert saved_state(state_path) == {}
    assert " WARN run interrupted: " in launched.lines[-1]


# -------------------------------------------------------------- usage errors


def test_a_missing_input_file_exits_2_before_the_run(state_path: Path, tmp_path: Path) -> None:
    launched = start(lambda run: None, state_path, input_path=str(tmp_path / "nope.json"))
    assert launched.code == EXIT_USAGE
    assert "cannot read input file" in launched.stderr
    assert not state_path.exists()


def test_bad_json_input_exits_2_with_its_position(state_path: Path) -> None:
    launched = start(lambda run: None, state_path, input_path="-", stdin=io.StringIO("{]"))
    assert launched.code == EXIT_USAGE
    assert launched.stderr.startswith("<stdin>:1:2: error: input is not valid JSON")


def test_a_bad_env_file_exits_2(state_path: Path, tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("OK=1\noops\n", encoding="utf-8")
    launched = start(lambda run: None, state_path, env_file=str(env_file))
    assert (launched.code, launched.stderr) == (EXIT_USAGE, f"{env_file}:2: error: expected NAME=VALUE (the line has no '=')\n")


def test_an_unusable_state_database_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "state.db"
    bad.write_bytes(b"garbage" * 1000)
    launched = start(lambda run: None, bad)
    assert launched.code == EXIT_USAGE
    assert f"cannot use the state database '{bad}'" in launched.stderr


def test_an_unknown_log_format_exits_2(state_path: Path) -> None:
    assert start(lambda run: None, state_path, log_format="xml").code == EXIT_USAGE


def test_a_bad_flowlang_now_exits_2(state_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLOWLANG_NOW", "yesterday-ish")
    launched = start(lambda run: None, state_path)
    assert launched.code == EXIT_USAGE
    assert "FLOWLANG_NOW" in launched.stderr


# --------------------------------------------------------------- json logs


def test_json_logs_make_every_stderr_line_a_json_object(state_path: Path) -> None:
    def body(run: Run) -> None:
        run.log("info", "hello", W)
        raise FlowError("data", "bad", W)

    launched = start(body, state_path, log_format="json")
    records = [json.loads(line) for line in launched.lines]
    assert [r["level"] for r in records] == ["info", "error", "error"]
    assert (records[1]["message"], records[1]["kind"], records[1]["stack"]) == ("bad", "data", ["flow sync at sync.flow:4:3"])
    assert records[2]["status"] == "failed"


# ---------------------------------------------------------------- run_flow


def test_run_flow_returns_the_result_and_commits_state(state_path: Path) -> None:
    def body(run: Run) -> Any:
        run.state["seen"] = run.source
        return {"got": run.source}

    result = run_flow(
        flow_name="sync", slug="sync", build_systems=dict, body=body, source=[1],
        state_path=str(state_path), stderr=io.StringIO(), make_http=FakeHttp,
    )
    assert result == {"got": [1]}
    assert saved_state(state_path) == {"seen": [1]}


def test_run_flow_raises_the_error_that_ended_the_run(state_path: Path) -> None:
    with pytest.raises(FlowError, match="boom"):
        run_flow(
            flow_name="sync", slug="sync", build_systems=dict, body=fail_at(W), state_path=str(state_path),
            stderr=io.StringIO(), make_http=FakeHttp,
        )
    assert last_run(state_path).status == "failed"
