"""Run.parallel_for: bounded concurrency, lazy items, error propagation, context in workers.

The workers of a parallel loop share the calling thread (runtime/cooperative.py): they overlap where they
wait, in requests and `wait` statements, so these bodies wait with `run.wait` (a `time.sleep` would hold
every worker up, as a long computation does).
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from flowlang.runtime.context import Run
from flowlang.runtime.errors import FlowError

W = ("sync.flow", 7, 3)
MakeRun = Callable[..., Run]


class Gauge:
    """Counts iterations running at the same time."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.peak = 0
        self.done: list[object] = []

    def body(self, run: Run, seconds: float = 0.01) -> Callable[[object], None]:
        def body(item: object) -> None:
            with self.lock:
                self.now += 1
                self.peak = max(self.peak, self.now)
            run.wait(seconds, W)
            with self.lock:
                self.now -= 1
                self.done.append(item)

        return body


def test_every_item_is_processed(make_run: MakeRun) -> None:
    gauge, run = Gauge(), make_run()
    run.parallel_for(range(40), 8, gauge.body(run, 0), W)
    assert sorted(gauge.done) == list(range(40))  # type: ignore[type-var]


def test_no_more_than_limit_iterations_run_at_once(make_run: MakeRun) -> None:
    gauge, run = Gauge(), make_run()
    run.parallel_for(range(30), 4, gauge.body(run, 0.02), W)
    assert gauge.peak == 4


def test_a_limit_of_one_runs_in_order(make_run: MakeRun) -> None:
    gauge, run = Gauge(), make_run()
    run.parallel_for(range(10), 1, gauge.body(run, 0), W)
    assert gauge.done == list(range(10))


def test_items_are_pulled_no_further_ahead_than_the_limit(make_run: MakeRun) -> None:
    gauge, run = Gauge(), make_run()
    ahead: list[int] = []

    def items() -> Iterator[int]:
        for i in range(50):
            with gauge.lock:
                ahead.append(i - len(gauge.done))
            yield i

    run.parallel_for(items(), 3, gauge.body(run, 0.002), W)
    assert max(ahead) <= 3


@pytest.mark.parametrize("limit", [0, -2, 1.5, "4", True, None])
def test_the_limit_must_be_a_whole_number_of_at_least_one(make_run: MakeRun, limit: object) -> None:
    with pytest.raises(FlowError) as caught:
        make_run().parallel_for([1], limit, lambda item: None, W)
    assert (caught.value.kind, caught.value.where) == ("data", W)


def test_an_error_in_an_iteration_is_raised_after_the_ones_in_flight_finish(make_run: MakeRun) -> None:
    finished: list[int] = []
    run = make_run()

    def body(item: int) -> None:
        if item == 2:
            raise FlowError("data", f"item {item} is bad", W)
        run.wait(0.05, W)
        finished.append(item)

    with pytest.raises(FlowError, match="item 2 is bad"):
        run.parallel_for(range(100), 4, body, W)
    assert {0, 1} <= set(finished)
    assert len(finished) < 20


def test_no_new_iteration_starts_after_an_error(make_run: MakeRun) -> None:
    started: list[int] = []
    run = make_run()

    def body(item: int) -> None:
        started.append(item)
        if item == 0:
            raise FlowError("data", "first fails", W)
        run.wait(0.1, W)

    with pytest.raises(FlowError):
        run.parallel_for(range(100), 2, body, W)
    assert len(started) <= 3


def test_of_several_errors_the_earliest_item_wins(make_run: MakeRun) -> None:
    run = make_run()

    def body(item: int) -> None:
        run.wait(0.05 if item == 0 else 0, W)
        raise FlowError("data", f"item {item}", W)

    with pytest.raises(FlowError, match="item 0"):
        run.parallel_for(range(4), 4, body, W)


def test_an_error_while_fetching_the_next_item_is_raised(make_run: MakeRun) -> None:
    def items() -> Iterator[int]:
        yield 1
        raise FlowError("http", "page 2 failed", W)

    with pytest.raises(FlowError, match="page 2 failed"):
        make_run().parallel_for(items(), 4, lambda item: None, W)


def test_iterations_see_the_context_they_were_started_in(make_run: MakeRun) -> None:
    var: contextvars.ContextVar[str] = contextvars.ContextVar("test_var")
    var.set("outer value")
    run = make_run()
    run.enter_call("f", W)
    seen: list[tuple[str, int]] = []
    run.parallel_for(range(4), 2, lambda item: seen.append((var.get(), run.depth)), W)
    assert seen == [("outer value", 1)] * 4


def test_iterations_run_in_the_loops_own_thread(make_run: MakeRun) -> None:
    threads: set[int | None] = set()
    make_run().parallel_for(range(8), 4, lambda item: threads.add(threading.current_thread().ident), W)
    assert threads == {threading.current_thread().ident}


def test_waits_of_the_iterations_overlap(make_run: MakeRun) -> None:
    run = make_run()
    started = time.monotonic()
    run.parallel_for(range(8), 8, lambda item: run.wait(0.3, W), W)
    assert time.monotonic() - started < 0.3 * 3  # one after the other: 2.4 s


def test_a_loop_inside_an_iteration_shares_the_workers_loop(make_run: MakeRun) -> None:
    run = make_run()
    done: list[tuple[int, int]] = []

    def outer(i: object) -> None:
        run.parallel_for(range(3), 3, lambda j: (run.wait(0.2, W), done.append((i, j))), W)  # type: ignore[func-returns-value]

    started = time.monotonic()
    run.parallel_for(range(4), 4, outer, W)
    assert sorted(done) == [(i, j) for i in range(4) for j in range(3)]
    assert time.monotonic() - started < 0.2 * 4  # every inner wait at once: 0.2 s; one after the other: 2.4 s


def test_each_iteration_has_its_own_call_stack_while_others_wait(make_run: MakeRun) -> None:
    run = make_run()
    depths: dict[int, list[int]] = {}

    def body(item: int) -> None:
        for _ in range(item):  # item 0 opens no frame, item 3 three
            run.enter_call(f"f{item}", W)
        run.wait(0.05, W)  # the others run meanwhile, opening and closing their own frames
        depths[item] = [run.depth]
        for _ in range(item):
            run.exit_call()
        depths[item].append(run.depth)

    run.enter_flow("sync")
    run.parallel_for(range(4), 4, body, W)
    assert depths == {0: [1, 1], 1: [2, 1], 2: [3, 1], 3: [4, 1]}
    assert run.depth == 1


def test_the_run_lock_makes_outer_updates_safe(make_run: MakeRun) -> None:
    run = make_run()
    total = {"n": 0}

    def body(item: int) -> None:
        for _ in range(200):
            with run.lock:
                value = total["n"]
                time.sleep(0)
                total["n"] = value + 1
            run.wait(0, W)

    run.parallel_for(range(16), 8, body, W)
    assert total["n"] == 16 * 200


def test_steps_in_parallel_iterations_count_against_the_run_limit(make_run: MakeRun) -> None:
    run = make_run(step_limit=50)

    def body(item: int) -> None:
        for _ in range(10):
            run.step(W)

    with pytest.raises(FlowError) as caught:
        run.parallel_for(range(20), 4, body, W)
    assert caught.value.kind == "limit"


def test_an_error_in_a_func_inside_an_iteration_carries_its_frames(make_run: MakeRun) -> None:
    run = make_run()

    def body(item: int) -> None:
        run.enter_call("push", ("sync.flow", 8, 5))
        try:
            raise FlowError("http", "rejected", ("sync.flow", 20, 3))
        finally:
            run.exit_call()

    run.enter_flow("sync")
    with pytest.raises(FlowError) as caught:
        try:
            run.parallel_for([1], 2, body, W)
        finally:
            run.exit_call()
    assert caught.value.stack == ["func push at sync.flow:20:3", "flow sync at sync.flow:8:5"]
