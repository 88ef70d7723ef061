"""Run: HTTP pass-through, logs, wait, checkpoint, step and recursion limits, the call stack."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from flowlang.runtime.context import Run, RunCancelled
from flowlang.runtime.errors import FlowError
from flowlang.runtime.runlog import RunLog
from flowlang.runtime.state import StateStore
from flowlang.runtime.values import Stream

from .conftest import FakeHttp

W = ("sync.flow", 3, 5)

MakeRun = Callable[..., Run]


def test_call_returns_the_response_and_counts_the_request(make_run: MakeRun) -> None:
    run = make_run()
    response = run.call("shop", "get_customer", {"id": 7}, W)
    assert response == {"status": 200, "ok": True, "headers": {}, "body": {"id": 7}}
    assert run.requests == 1


def test_an_http_error_without_a_location_gets_the_call_location(make_run: MakeRun) -> None:
    class Failing(FakeHttp):
        def request(self, *args: object) -> dict[str, object]:
            raise FlowError("http", "GET /x answered 500", status=500)

    run = make_run(http=Failing({}))
    with pytest.raises(FlowError) as caught:
        run.call("shop", "x", {}, W)
    assert caught.value.where == W


def test_each_fetches_nothing_until_iterated(make_run: MakeRun) -> None:
    run = make_run()
    stream = run.each("shop", "list_customers", {}, W)
    assert isinstance(stream, Stream) and run.requests == 0
    assert list(stream) == [1, 2, 3]
    assert run.requests == 2


def test_log_writes_the_line_and_counts_successes_and_failures(
    make_run: MakeRun, log_stream: io.StringIO
) -> None:
    run = make_run()
    run.log("success", "customer 7 created", W)
    run.log("failure", "customer 8 rejected", W)
    assert (run.succeeded, run.failed) == (1, 1)
    assert "SUCCESS sync.flow:3 customer 7 created" in log_stream.getvalue()


def test_wait_sleeps_for_the_given_seconds(make_run: MakeRun) -> None:
    run = make_run()
    started = time.monotonic()
    run.wait(0.05, W)
    assert time.monotonic() - started >= 0.045


@pytest.mark.parametrize("seconds", [-1, "2s", None, True])
def test_wait_needs_a_number_of_seconds_of_at_least_zero(make_run: MakeRun, seconds: object) -> None:
    with pytest.raises(FlowError) as caught:
        make_run().wait(seconds, W)
    assert (caught.value.kind, caught.value.where) == ("data", W)


def test_a_cancelled_run_wakes_up_from_wait(make_run: MakeRun) -> None:
    run = make_run()
    threading.Timer(0.05, run.cancel).start()
    started = time.monotonic()
    with pytest.raises(RunCancelled):
        run.wait(30, W)
    assert time.monotonic() - started < 5


def test_checkpoint_commits_the_state_for_other_readers(make_run: MakeRun, state_path: Path) -> None:
    run = make_run(state={"cursor": 1})
    run.state["cursor"] = 2
    run.checkpoint(W)
    with StateStore(state_path) as reader:
        assert reader.load("sync") == {"cursor": 2}


def test_a_checkpoint_that_cannot_save_fails_at_the_checkpoint(make_run: MakeRun) -> None:
    run = make_run(state={"fn": print})
    with pytest.raises(FlowError) as caught:
        run.checkpoint(W)
    assert (caught.value.kind, caught.value.where) == ("data", W)


# --------------------------------------------------------------------- limits


def test_steps_up_to_the_limit_pass(make_run: MakeRun) -> None:
    run = make_run(step_limit=5)
    for _ in range(5):
        run.step(W)


def test_one_step_past_the_limit_is_a_limit_error_where_it_happened(make_run: MakeRun) -> None:
    run = make_run(step_limit=5)
    for _ in range(5):
        run.step(W)
    with pytest.raises(FlowError) as caught:
        run.step(("sync.flow", 9, 3))
    assert (caught.value.kind, caught.value.where) == ("limit", ("sync.flow", 9, 3))
    assert "5 loop iterations" in caught.value.message


def test_the_default_step_limit_is_ten_million(make_run: MakeRun) -> None:
    run = make_run()
    run._steps = 9_999_999  # skip ahead rather than loop ten million times
    run.step(W)
    with pytest.raises(FlowError, match="10,000,000"):
        run.step(W)


def test_a_cancelled_run_stops_at_its_next_step(make_run: MakeRun) -> None:
    run = make_run()
    run.cancel()
    with pytest.raises(RunCancelled):
        run.step(W)


def test_calls_nest_up_to_the_recursion_limit(make_run: MakeRun) -> None:
    run = make_run(recursion_limit=3)
    for _ in range(3):
        run.enter_call("f", W)
    assert run.depth == 3


def test_one_call_past_the_recursion_limit_is_a_limit_error(make_run: MakeRun) -> None:
    run = make_run(recursion_limit=3)
    for _ in range(3):
        run.enter_call("f", W)
    with pytest.raises(FlowError, match="recursion limit reached") as caught:
        run.enter_call("f", ("sync.flow", 8, 1))
    assert (caught.value.kind, caught.value.where) == ("limit", ("sync.flow", 8, 1))


def test_the_default_recursion_limit_is_200(make_run: MakeRun) -> None:
    run = make_run()
    for _ in range(200):
        run.enter_call("f", W)
    with pytest.raises(FlowError):
        run.enter_call("f", W)


def test_exit_call_unwinds_the_depth(make_run: MakeRun) -> None:
    run = make_run()
    run.enter_call("f", W)
    run.enter_call("g", W)
    run.exit_call()
    run.exit_call()
    assert run.depth == 0


# ----------------------------------------------------------------- call stack


def call(run: Run, name: str, where: tuple[str, int, int], inner: Callable[[], object]) -> object:
    """What an engine does around a func call."""
    run.enter_call(name, where)
    try:
        return inner()
    finally:
        run.exit_call()


def test_an_error_collects_the_frames_it_unwinds_through_innermost_first(make_run: MakeRun) -> None:
    run = make_run()

    def fail() -> object:
        raise FlowError("data", "no field 'qty'", ("sync.flow", 31, 18))

    run.enter_flow("sync")
    with pytest.raises(FlowError) as caught:
        try:
            call(run, "outer", ("sync.flow", 12, 5), lambda: call(run, "normalize", ("sync.flow", 25, 9), fail))
        finally:
            run.exit_call()
    assert caught.value.stack == [
        "func normalize at sync.flow:31:18",
        "func outer at sync.flow:25:9",
        "flow sync at sync.flow:12:5",
    ]


def test_a_call_made_while_handling_an_error_does_not_add_to_that_error(make_run: MakeRun) -> None:
    run = make_run()
    try:
        raise FlowError("data", "caught", W)
    except FlowError as handled:
        call(run, "cleanup", W, lambda: None)
        assert handled.stack == []


def test_an_entry_the_engine_added_for_a_frame_is_replaced_by_the_runs(make_run: MakeRun) -> None:
    run = make_run()

    def fail() -> object:
        raise FlowError("data", "boom", ("sync.flow", 31, 18))

    run.enter_call("f", ("sync.flow", 10, 1))
    with pytest.raises(FlowError) as caught:
        try:
            fail()
        except FlowError as e:
            e.stack.append("func f at sync.flow:10:1")
            raise
        finally:
            run.exit_call()
    assert caught.value.stack == ["func f at sync.flow:31:18"]


# ------------------------------------------------------------------- progress


def test_progress_is_off_when_stderr_is_not_a_terminal(make_run: MakeRun, log_stream: io.StringIO) -> None:
    run = make_run()
    run.progress(1, 10)
    assert (run.show_progress, log_stream.getvalue()) == (False, "")


def test_progress_draws_a_bar_on_a_terminal(make_run: MakeRun) -> None:
    screen = io.StringIO()
    run = make_run(log=RunLog(screen, interactive=True))
    run.progress(1, 10)
    assert run.show_progress
    assert screen.getvalue().endswith("] 1/10")
