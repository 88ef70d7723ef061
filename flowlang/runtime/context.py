"""`Run`: the one object both engines talk to while a flow runs (state, HTTP, logs, loops, limits)."""

from __future__ import annotations

import contextvars
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

from flowlang.runtime.clock import SYSTEM_CLOCK, Clock
from flowlang.runtime.cooperative import (
    IN_WORKER,
    WorkerLock,
    run_loop,
    run_worker,
    suspend,
)
from flowlang.runtime.counts import LocationCounts
from flowlang.runtime.errors import FlowError, Where
from flowlang.runtime.idempotency import PARALLEL_PATH
from flowlang.runtime.runlog import RunLog
from flowlang.runtime.state import RunStore
from flowlang.runtime.values import Stream, is_number, to_text

if TYPE_CHECKING:
    import asyncio

DEFAULT_STEP_LIMIT = 10_000_000
DEFAULT_RECURSION_LIMIT = 200


class HttpLike(Protocol):
    """What `Run` needs of `http.HttpClient` (tests pass a fake)."""

    def request(
        self, system: str, operation: str, args: dict[str, Any], where: Where
    ) -> dict[str, Any]: ...

    def records(
        self, system: str, operation: str, args: dict[str, Any], where: Where
    ) -> Iterator[Any]: ...

    def close(self) -> None: ...


class RunCancelled(BaseException):
    """Raised in the run's threads once the run was interrupted; `catch` never sees it."""


class _Frame:
    """One open flow or func call: its kind ("flow", "func"), its name, and where it was called from.

    A plain slotted class: one is made for every func call, and a frozen dataclass costs ~1 µs more.
    """

    __slots__ = ("called_at", "handling", "kind", "name")

    def __init__(self, kind: str, name: str, called_at: Where, handling: BaseException | None) -> None:
        self.kind = kind
        self.name = name
        self.called_at = called_at
        self.handling = handling  # the exception already being handled when the call began


_STACK: contextvars.ContextVar[list[_Frame]] = contextvars.ContextVar("flowlang_frames")

# How many entries of an unwinding error's stack the Run wrote.
_OWN_ENTRIES: weakref.WeakKeyDictionary[FlowError, int] = weakref.WeakKeyDictionary()


def _location(where: Where) -> str:
    return f"{where[0]}:{where[1]}:{where[2]}" if where else ""


class Run:
    """One run of one flow. Engines call its methods; the launcher creates it and ends it."""

    def __init__(
        self,
        *,
        flow: str,
        log: RunLog,
        state: dict[str, Any] | None = None,
        source: Any = None,
        http: HttpLike | None = None,
        store: RunStore | None = None,
        step_limit: int = DEFAULT_STEP_LIMIT,
        recursion_limit: int = DEFAULT_RECURSION_LIMIT,
        clock: Clock = SYSTEM_CLOCK,
        count_locations: bool = False,
    ) -> None:
        """`count_locations`: count how often each place of the flow ran (runtime/counts.py), in `counts`."""
        self.flow = flow
        self.clock = clock  # `wait` waits on it  # the slug: the key of the state and of the run history
        self.state: dict[str, Any] = state if state is not None else {}
        self.source = source
        self.http = http
        self.runlog = log
        self.store = store
        self.lock = WorkerLock()  # engines hold it around `+=`/`-=` on outer variables in parallel loops
        self.requests = 0
        self._requests_lock = threading.Lock()
        self._steps = 0
        self._step_limit = step_limit
        self._configured_step_limit = step_limit
        self._recursion_limit = recursion_limit
        # The call stack: a list of frames per context (a thread, a parallel iteration), innermost last; one
        # run at a time per thread. A parallel iteration starts with a copy of the frames open where the loop
        # is, so its errors carry them too.
        _STACK.set([])
        self._cancelled = threading.Event()
        # Engines may skip computing progress when nobody can see it.
        self.show_progress = log.interactive
        self.progress: Callable[[int, int], None] = log.progress if log.interactive else _no_progress
        self.counts: LocationCounts | None = None
        if count_locations:
            self._count_locations()

    # ---------------------------------------------------------------- counts

    def _count_locations(self) -> None:
        """Count iterations, API calls and func calls by rebinding the methods engines call for them,
        so a run that does not count pays nothing (not even a test of a flag)."""
        counts = self.counts = LocationCounts()
        iteration, called, func = counts.adder("iteration"), counts.adder("call"), counts.adder("func")
        step, request, stream, enter = self.step, self.call, self.each, self.enter_call

        def counted_step(where: Where) -> None:
            step(where)
            iteration(where)

        def counted_call(system: str, operation: str, args: dict[str, Any], where: Where) -> dict[str, Any]:
            called(where)
            return request(system, operation, args, where)

        def counted_each(system: str, operation: str, args: dict[str, Any], where: Where) -> Stream:
            called(where)
            return stream(system, operation, args, where)

        def counted_enter(name: str, where: Where, kind: str = "func") -> None:
            enter(name, where, kind)
            if kind == "func":
                func(where)

        self.step = counted_step  # type: ignore[method-assign]
        self.call = counted_call  # type: ignore[method-assign]
        self.each = counted_each  # type: ignore[method-assign]
        self.enter_call = counted_enter  # type: ignore[method-assign]
        self.hit = counts.adder("statement")  # type: ignore[method-assign,assignment]

    def hit(self, where: Where) -> None:
        """A statement at `where` began (only code compiled for counting reports this; counted when the
        run counts, see _count_locations)."""

    def caught(self, error: BaseException, where: Where) -> None:
        """The `catch` block at `where` handles `error` (only code compiled for counting reports this)."""
        if self.counts is not None:
            self.counts.add("catch", where)
            self.count_failure(error)

    def count_failure(self, error: BaseException) -> None:
        """An error was raised at its `file:line` (caught, or the one that ended the run)."""
        if self.counts is not None and isinstance(error, FlowError):
            self.counts.add("failure", error.where)

    # ------------------------------------------------------------------- HTTP

    def call(self, system: str, operation: str, args: dict[str, Any], where: Where) -> dict[str, Any]:
        """`call sys.op(…)`: one request (after retries) -> {status, ok, headers, body}."""
        if self.http is None:
            raise RuntimeError("the run has no HTTP client")
        try:
            return self.http.request(system, operation, args, where)
        except FlowError as err:
            raise err.located(where) from None

    def each(self, system: str, operation: str, args: dict[str, Any], where: Where) -> Stream:
        """`each sys.op(…)`: a lazy stream of the records of every page; nothing is fetched until iterated."""

        def records() -> Iterator[Any]:
            if self.http is None:
                raise RuntimeError("the run has no HTTP client")
            found = iter(self.http.records(system, operation, args, where))
            return self._counted(found, f"{system}.{operation}") if self.show_progress else found

        return Stream(records, f"{system}.{operation}")

    def _counted(self, records: Iterator[Any], label: str) -> Iterator[Any]:
        """The records of a stream, drawing `label: N records, P pages, R/s` on the terminal as they come.

        Pages are the requests sent while the stream fetched its next record (not those of the loop body).
        """
        pages = count = 0
        started = time.monotonic()
        try:
            while True:
                before = self.requests
                try:
                    record = next(records)
                except StopIteration:
                    return
                pages += self.requests - before
                count += 1
                self.runlog.stream_progress(label, count, pages, time.monotonic() - started)
                yield record
        finally:
            self.runlog.end_progress()

    def count_request(self, *_args: Any, **_kwargs: Any) -> None:
        """The HttpClient's `on_request` hook: counts every request sent (retries included)."""
        with self._requests_lock:
            self.requests += 1

    # ------------------------------------------------------- log, wait, state

    def log(self, level: str, value: Any, where: Where) -> None:
        """`log LEVEL value`; `success`/`failure` are counted for the run summary."""
        self.runlog.record(level, value, where)

    @property
    def succeeded(self) -> int:
        return self.runlog.succeeded

    @property
    def failed(self) -> int:
        return self.runlog.failed

    def wait(self, seconds: Any, where: Where) -> None:
        """`wait 2s`: sleep, but wake up at once when the run is interrupted."""
        if not is_number(seconds) or seconds < 0:
            raise FlowError("data", f"wait needs a number of seconds of at least 0, not {to_text(seconds)}", where)
        if IN_WORKER.get():  # a parallel loop's worker: the others go on while it waits
            cancelled = suspend(self.clock.pause(self._cancelled, seconds))
        else:
            cancelled = self.clock.wait(self._cancelled, seconds)
        if cancelled:
            raise RunCancelled()

    def checkpoint(self, where: Where) -> None:
        """`checkpoint`: commit the flow's state now, so a later failure keeps it."""
        if self.store is None:
            return
        with self.lock:
            try:
                self.store.save(self.flow, self.state)
            except FlowError as err:
                raise err.located(where) from None

    # ---------------------------------------------------------------- limits

    def step(self, where: Where) -> None:
        """Count one loop iteration or call; past the run-wide limit the run fails (kind `limit`)."""
        self._steps += 1
        if self._steps > self._step_limit:
            self._stop(where)

    def _stop(self, where: Where) -> None:
        if self._cancelled.is_set():
            raise RunCancelled()
        raise FlowError(
            "limit",
            f"step limit reached ({self._configured_step_limit:,} loop iterations and calls)",
            where,
            hint="is this loop endless? `--max-steps N` sets the limit",
        )

    def cancel(self) -> None:
        """Interrupt the run: every thread stops at its next step or wait (used on Ctrl-C)."""
        self._cancelled.set()
        self._step_limit = -1

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    # ------------------------------------------------------------ call stack

    def enter_flow(self, name: str, where: Where = None) -> None:
        """Push the frame of the flow itself (the launcher does this; engines push only funcs)."""
        self.enter_call(name, where, "flow")

    def enter_call(self, name: str, where: Where, kind: str = "func") -> None:
        """Push the frame of func `name` called at `where`; past the recursion limit: FlowError("limit").

        Call it before a `try` whose `finally` calls `exit_call()`. This runs for every func call,
        so it does as little as it can: the frame's label is only written if an error unwinds it.
        """
        try:  # self._frames(), without the call: this runs for every func call
            frames: list[_Frame] = _STACK.get()
        except LookupError:
            frames = self._frames()
        if len(frames) >= self._recursion_limit:
            raise FlowError(
                "limit",
                f"recursion limit reached ({self._recursion_limit} nested calls)",
                where,
                hint="does a func call itself without end?",
            )
        frames.append(_Frame(kind, name, where, sys.exception()))

    def exit_call(self) -> None:
        """Pop the innermost frame. When a FlowError is unwinding through it, add the frame to its stack."""
        try:
            frame = _STACK.get().pop()
        except (LookupError, IndexError):  # no frame open here
            return
        error = sys.exception()
        if error is not None and error is not frame.handling and isinstance(error, FlowError):
            own = _OWN_ENTRIES.get(error, 0)
            del error.stack[own:]  # an entry an engine added for this frame itself: ours replaces it
            inside = error.stack_where if error.stack else error.where
            label = f"{frame.kind} {frame.name}"
            error.stack.append(f"{label} at {_location(inside)}" if inside else label)
            error.stack_where = frame.called_at
            _OWN_ENTRIES[error] = len(error.stack)

    @property
    def depth(self) -> int:
        """How many flow/func frames are open here (in this thread, or this parallel iteration)."""
        return len(self._frames())

    def _frames(self) -> list[_Frame]:
        try:
            return _STACK.get()
        except LookupError:
            frames: list[_Frame] = []
            _STACK.set(frames)
            return frames

    def _iteration(self, frames: tuple[_Frame, ...], body: Callable[[Any], Any], item: Any, index: int) -> Any:
        """One parallel iteration (in its own context copy), inside the frames open where the loop is."""
        _STACK.set(list(frames))
        PARALLEL_PATH.set((*PARALLEL_PATH.get(), index))
        return body(item)

    # -------------------------------------------------------- parallel loops

    def parallel_for(
        self, items: Iterable[Any], limit: Any, body: Callable[[Any], Any], where: Where
    ) -> None:
        """`for x in e parallel N`: `body(item)` for each item, at most `limit` at once.

        Items are pulled lazily (a stream is never read ahead of the workers). On the first error no new
        item starts; the ones in flight finish, then the error of the earliest failed item is raised.
        """
        if not (isinstance(limit, int) and not isinstance(limit, bool) and limit >= 1):
            raise FlowError(
                "data", f"parallel needs a whole number of at least 1, not {to_text(limit)}", where
            )
        if limit == 1:
            for item in items:
                body(item)
            return
        try:
            import greenlet  # noqa: F401 - the workers' (runtime/cooperative.py)
        except ImportError:
            raise FlowError("input", "a parallel loop needs the Python package greenlet, which is not installed",
                            where, hint="pip install greenlet (it comes with flowlang)") from None
        workers = _Workers(self, iter(items), body, limit)
        try:
            if IN_WORKER.get():  # a loop in a loop: its workers join the outer loop's
                suspend(workers.drive())
            else:  # on a loop the HTTP client lends, or a loop of its own
                (getattr(self.http, "drive", None) or run_loop)(workers.drive())
        except BaseException:  # Ctrl-C: stop every worker at its next step
            self.cancel()
            workers.stopped = True
            raise
        if workers.failures:  # a signal first (Ctrl-C, SIGTERM: the others then stopped), else the earliest item's
            interrupts = [f for f in workers.failures if isinstance(f[1], KeyboardInterrupt)]
            raise min(interrupts or workers.failures, key=lambda failure: failure[0])[1]


class _Workers:
    """The workers of one parallel loop (up to `limit`, started as items come), each a greenlet on one event
    loop (runtime/cooperative.py). A free worker takes the next item itself, so a stream is never read ahead
    and nothing is handed over per item. Each iteration runs in its own copy of the loop's context."""

    def __init__(self, run: Run, items: Iterator[Any], body: Callable[[Any], Any], limit: int) -> None:
        self.run_ = run
        self.items = items
        self.body = body
        self.limit = limit
        self.frames = tuple(run._frames())
        self.context = contextvars.copy_context()  # where items are read; each worker runs in a copy
        self.context.run(IN_WORKER.set, True)
        self.tasks: list[asyncio.Task[None]] = []
        self.taking = WorkerLock()  # held while a worker reads the next item (a stream's next page suspends it)
        self.index = 0  # of the next item
        self.started = 0  # workers
        self.failures: list[tuple[int, BaseException]] = []  # (item index, error)
        self.stopped = False  # interrupted: no new item starts

    async def drive(self) -> None:
        """Run every item; return when every worker has ended (when one is interrupted, it cancels the rest)."""
        import asyncio

        self._spawn()
        try:
            ended = 0
            while ended < len(self.tasks):  # workers start while others run
                await self.tasks[ended]
                ended += 1
        finally:  # a worker was interrupted, or this was cancelled: no worker outlives the loop
            for task in self.tasks:
                task.cancel()
            await asyncio.gather(*self.tasks, return_exceptions=True)

    def _spawn(self) -> None:
        import asyncio

        self.started += 1
        worker = run_worker(self._work, self.context.copy())
        self.tasks.append(asyncio.get_running_loop().create_task(worker))

    def _next(self) -> tuple[int, Any] | None:
        """The next item and its index, or None: no more, or an iteration failed (no new item starts)."""
        with self.taking:
            if self.failures or self.stopped:
                return None
            index = self.index
            try:
                item = self.context.run(next, self.items)
            except StopIteration:
                return None
            except BaseException as exc:  # fetching the next page of a stream failed
                self.failures.append((index, exc))
                return None
            self.index += 1
            if self.started < self.limit:  # every worker is busy: one more may take the next item
                self._spawn()
            return index, item

    def _work(self) -> None:
        run = self.run_
        while (taken := self._next()) is not None:
            index, item = taken
            try:
                self.context.copy().run(run._iteration, self.frames, self.body, item, index)
            except Exception as exc:  # the others finish the iterations they are in
                self.failures.append((index, exc))
            except BaseException as exc:  # Ctrl-C, a cancelled run or request: every worker stops now
                self.failures.append((index, exc))
                run.cancel()
                self.stopped = True
                raise


def _no_progress(done: int, total: int) -> None:
    """The progress hook when stderr is not a terminal."""
