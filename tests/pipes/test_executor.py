"""The in-process executor runs stored flow versions through the interpreter and reports to a Recorder."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from textwrap import dedent

import pytest
from engines import IN_PROCESS
from jobs import EXAMPLES, MemoryRecorder, example_files, job

from flowlang.host.executors import Executor, ExecutorFull, InProcessExecutor

ORDER_FILES = ("order_webhook.flow", "systems.flow", "samples/order_webhook.json",
               "specs/elasticpath-flows.yaml")


@pytest.fixture(params=sorted(IN_PROCESS))
def executor(request: pytest.FixtureRequest, recorder: MemoryRecorder) -> Iterator[Executor]:
    """Every engine (engines.IN_PROCESS) passes the same tests."""
    engine = IN_PROCESS[request.param]()
    engine.start(recorder)
    yield engine
    engine.stop(timeout=5)


def order() -> object:
    return json.loads((EXAMPLES / "samples" / "order_webhook.json").read_text())


def test_a_webhook_flow_runs_against_the_fake_erp(executor: Executor, recorder: MemoryRecorder, fake) -> None:
    credentials = {"ERP_URL": fake.url + "/erp", "ERP_TOKEN": "demo-erp-token"}
    run = job("order_webhook.flow", example_files(*ORDER_FILES), input=order(), credentials=credentials)
    executor.submit(run)
    outcome = recorder.wait(run.run_id)
    assert outcome.status == "ok", outcome.error
    assert outcome.result["order_id"].startswith("SO-")
    assert [r["sku"] for r in outcome.result["rejected"]] == ["SKU-9999"]  # the sample's unknown item
    assert (outcome.succeeded, outcome.failed) == (outcome.result["lines"] - 1, 1)
    assert outcome.requests == 1 + outcome.result["lines"]
    posted = [r for r in fake.requests() if r["method"] == "POST"]
    assert len(posted) == outcome.requests
    messages = recorder.messages(run.run_id)
    assert any("is " + outcome.result["order_id"] + " in the ERP" in m for m in messages)
    assert messages[-1].startswith("run finished:")


def test_credentials_are_masked_and_the_server_environment_is_not_seen(
    executor: Executor, recorder: MemoryRecorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SERVER_ONLY", "from the server's environment")
    source = dedent("""\
        flow leak {
          token = secret("API_TOKEN")
          log info "token is {token}"
          return {token: token, server: env("SERVER_ONLY", "unset")}
        }
        """)
    run = job("leak.flow", {"leak.flow": source}, credentials={"API_TOKEN": "s3cr3t-value-42"})
    executor.submit(run)
    outcome = recorder.wait(run.run_id)
    assert outcome.status == "ok"
    assert outcome.result == {"token": "***", "server": "unset"}
    assert "token is ***" in recorder.messages(run.run_id)
    assert "s3cr3t" not in json.dumps([line.as_dict() for line in recorder.lines[run.run_id]])


def test_an_error_names_the_flow_file_and_line(executor: Executor, recorder: MemoryRecorder) -> None:
    source = 'flow broken {\n  key = secret("KEY")\n  fail "no luck with {key}"\n}\n'
    run = job("broken.flow", {"broken.flow": source}, credentials={"KEY": "key-value-123"})
    executor.submit(run)
    outcome = recorder.wait(run.run_id)
    assert outcome.status == "failed"
    assert outcome.error is not None
    assert (outcome.error["file"], outcome.error["line"], outcome.error["kind"]) == ("broken.flow", 3, "user")
    assert outcome.error["message"] == "no luck with ***"
    assert outcome.error["text"].startswith("broken.flow:3:")
    assert any(line.file == "broken.flow" and line.line == 3 for line in recorder.lines[run.run_id])


def test_state_is_committed_on_success_and_read_by_the_next_run(
    executor: Executor, recorder: MemoryRecorder
) -> None:
    source = "flow count {\n  state.n = (state?.n ?? 0) + 1\n  return state.n\n}\n"
    first = job("count.flow", {"count.flow": source})
    executor.submit(first)
    assert recorder.wait(first.run_id).result == 1
    second = job("count.flow", {"count.flow": source})
    executor.submit(second)
    assert recorder.wait(second.run_id).result == 2
    assert recorder.states[("acme", "flow-1")] == {"n": 2}


def test_a_failed_run_keeps_only_the_state_of_its_last_checkpoint(
    executor: Executor, recorder: MemoryRecorder
) -> None:
    source = "flow steps {\n  state.done = 1\n  checkpoint\n  state.done = 2\n  fail \"stop\"\n}\n"
    run = job("steps.flow", {"steps.flow": source})
    executor.submit(run)
    assert recorder.wait(run.run_id).status == "failed"
    assert recorder.states[("acme", "flow-1")] == {"done": 1}


def test_a_full_pool_refuses_more_and_stop_interrupts_runs_in_flight(recorder: MemoryRecorder) -> None:
    engine = InProcessExecutor(workers=1)
    engine.start(recorder)
    slow = job("slow.flow", {"slow.flow": 'flow slow {\n  log info "waiting"\n  wait 60s\n}\n'})
    engine.submit(slow)
    assert engine.free_slots() == 0
    with pytest.raises(ExecutorFull):
        engine.submit(job("slow.flow", {"slow.flow": "flow slow {\n}\n"}))
    deadline = time.monotonic() + 10
    while "waiting" not in recorder.messages(slow.run_id):  # the flusher sends lines of long runs
        assert time.monotonic() < deadline, "the log line of a waiting run never arrived"
        time.sleep(0.05)
    assert engine.running() == [slow.run_id]
    assert engine.stop(timeout=5) == []
    outcome = recorder.outcomes[slow.run_id]
    assert outcome.status == "interrupted"
    assert outcome.error == {"message": "interrupted", "kind": "interrupted"}


def test_a_version_that_cannot_load_fails_the_run_with_a_message(
    executor: Executor, recorder: MemoryRecorder
) -> None:
    run = job("main.flow", {"main.flow": 'import "missing.flow"\nflow f {\n}\n'})
    executor.submit(run)
    outcome = recorder.wait(run.run_id)
    assert outcome.status == "failed"
    assert outcome.error["message"].startswith("main.flow:1:8: error[E015]: ")
    assert "missing.flow" in outcome.error["message"]
    escaping = job("../x.flow", {"../x.flow": "flow f {\n}\n"})
    executor.submit(escaping)
    assert "not a relative path" in recorder.wait(escaping.run_id).error["message"]


def test_many_runs_share_one_compiled_version(executor: Executor, recorder: MemoryRecorder) -> None:
    source = "flow echo {\n  return source.n * 2\n}\n"
    runs = [job("echo.flow", {"echo.flow": source}, input={"n": n}) for n in range(20)]
    for run in runs:
        while executor.free_slots() == 0:
            time.sleep(0.01)
        executor.submit(run)
    assert [recorder.wait(r.run_id).result for r in runs] == [n * 2 for n in range(20)]
    if isinstance(executor, InProcessExecutor):  # its compiled-version cache
        assert len(executor.cache._compiled) == 1
