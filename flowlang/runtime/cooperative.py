"""Parallel loops on one thread: each worker is a greenlet; what it waits for, the thread's event loop awaits.

The iterations of a parallel loop are ordinary synchronous engine code. Each worker runs them in a greenlet
of its own; where an iteration would wait (an HTTP request, a `wait`), `suspend(awaitable)` switches to the
greenlet that runs the event loop, which awaits it together with every other worker's and switches back
with the result. One thread and one loop for all of them: no thread hand-over and no GIL contention per
request (docs/performance.md, section 13). Code between two waits runs without interruption, so `+=` under
`run.lock` and a stream's next page stay as safe as they were with threads.
"""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

# True in the context of a worker greenlet: its waits must go through suspend().
IN_WORKER: contextvars.ContextVar[bool] = contextvars.ContextVar("flowlang_in_worker", default=False)


def suspend(awaitable: Awaitable[T]) -> T:
    """In a worker: wait for `awaitable` on the event loop, while the other workers run; its result."""
    import greenlet  # imported by the first parallel loop (see run_worker): this is a plain lookup

    return greenlet.getcurrent().parent.switch(awaitable)


async def run_worker(work: Callable[[], T], context: contextvars.Context) -> T:
    """Run `work()` in a new greenlet in `context` (where IN_WORKER is set), awaiting each of its suspends."""
    import greenlet

    child = greenlet.greenlet(work)
    child.gr_context = context
    result: Any = child.switch()
    while not child.dead:
        try:
            value = await result
        except BaseException as exc:  # the worker sees what its awaitable raised (CancelledError too)
            result = child.throw(exc)
        else:
            result = child.switch(value)
    return result


def in_new_thread(job: Callable[[], T]) -> T:
    """`job()` in a new thread, waited for: its result, or the exception it raised."""
    import threading

    outcome: list[tuple[bool, Any]] = []

    def target() -> None:
        try:
            outcome.append((True, job()))
        except BaseException as exc:  # handed to the waiting thread as it is
            outcome.append((False, exc))

    thread = threading.Thread(target=target, name="flowlang-loop")
    thread.start()
    thread.join()
    ok, value = outcome[0]
    if ok:
        return value
    raise value


def run_loop(coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` to its end on a new event loop in this thread (no HTTP client to lend one), then close it."""
    import asyncio  # here: a run without parallel loops never loads it

    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        try:
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        finally:
            loop.close()
