"""Parallel loops on one thread: each worker is a greenlet; what it waits for, the thread's event loop awaits.

The iterations of a parallel loop are ordinary synchronous engine code. Each worker runs them in a greenlet
of its own; where an iteration would wait (an HTTP request, a `wait`), `suspend(awaitable)` switches to the
greenlet that runs the event loop, which awaits it together with every other worker's and switches back
with the result. One thread and one loop for all of them: no thread hand-over and no GIL contention per
request (docs/performance.md, section 13). Code between two waits runs without interruption; where a worker
waits while holding a lock (`run.lock` around `+=` of a stream), WorkerLock makes the others wait on the loop.
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


class WorkerLock:
    """A lock for the workers of parallel loops (and for threads): `with lock:`.

    `run.lock` is one (held around `+=` on outer variables): its holder may wait inside it, reading a stream's
    next page, and a worker that then finds it taken must not block the thread the holder runs on. So a
    worker waits on the event loop, and the holder hands the lock straight to the first one waiting when it
    lets go. Any other thread waits for the lock itself.
    """

    def __init__(self) -> None:
        import threading

        self._lock = threading.Lock()
        self._waiting: list[Any] = []  # futures of workers waiting for a hand-over, first first

    def __enter__(self) -> None:
        if self._lock.acquire(blocking=False):
            return
        if not IN_WORKER.get():
            self._lock.acquire()
            return
        import asyncio

        turn = asyncio.get_running_loop().create_future()
        self._waiting.append(turn)
        try:
            suspend(turn)  # handed the lock: it stays acquired
        except BaseException:
            if turn.done() and not turn.cancelled():  # handed it as it was cancelled: pass it on
                self._release()
            elif turn in self._waiting:
                self._waiting.remove(turn)
            raise

    def __exit__(self, *exc: object) -> None:
        self._release()

    def _release(self) -> None:
        import asyncio

        while self._waiting:
            turn = self._waiting.pop(0)
            if turn.done():  # its worker was cancelled while waiting
                continue
            if turn.get_loop() is asyncio._get_running_loop():
                turn.set_result(None)
            else:  # released by another thread than the waiting worker's
                turn.get_loop().call_soon_threadsafe(self._hand_over, turn)
            return
        self._lock.release()

    def _hand_over(self, turn: Any) -> None:
        if turn.done():  # cancelled before the hand-over arrived: the next one
            self._release()
        else:
            turn.set_result(None)


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
    """Run `coro` to its end on a new event loop (no HTTP client to lend one), then close it. In this thread,
    unless it runs an event loop of its own already (it cannot run a second one)."""
    import asyncio  # here: a run without parallel loops never loads it

    if asyncio._get_running_loop() is not None:
        return in_new_thread(lambda: run_loop(coro))
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        try:
            cancel_left(loop)
        finally:
            loop.close()


def cancel_left(loop: Any) -> None:
    """Cancel the tasks still on `loop` (not running) and run them until they have ended."""
    import asyncio

    pending = asyncio.all_tasks(loop)
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
