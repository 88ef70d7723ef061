"""Where the HTTP client's coroutines run: event loops lent to the calling thread (LoopPool), each with its own
httpx client (lazy TLS), and a lock for coroutines of any loop (LoopLock)."""

from __future__ import annotations

import asyncio
import collections
import functools
import ssl
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import httpx

from flowlang.runtime.cooperative import cancel_left, in_new_thread

T = TypeVar("T")

MAX_LOOPS = 64  # threads that ask at once each borrow a loop; more wait for one
# Connections one loop's client opens at once (more requests wait for one): half the open-file limit, so a
# wide parallel loop fits in it (macOS allows 256 by default), and at most this many.
MAX_CONNECTIONS = 512
USER_AGENT = "flowlang"
# Idle connections are dropped before the 5 s keep-alive of uvicorn, node and Apache closes them under us.
KEEPALIVE = 4.0


class Lane:
    """The httpx client of one event loop (a client's connections belong to the loop that opened them)."""

    def __init__(self, make_client: Callable[[], httpx.AsyncClient]) -> None:
        self._make_client = make_client
        self._client: httpx.AsyncClient | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = self._make_client()
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.aclose()


Work = Callable[[Lane], Coroutine[Any, Any, T]]


class _Lent:
    """One loop of a LoopPool with its lane, and the task it runs while lent."""

    __slots__ = ("lane", "loop", "task")

    def __init__(self, make_client: Callable[[], httpx.AsyncClient]) -> None:
        self.loop = asyncio.new_event_loop()
        self.lane = Lane(make_client)
        self.task: asyncio.Task[Any] | None = None

    def shut(self) -> None:
        """Cancel what is left on the loop, close the client's connections and the loop (not while lent)."""
        if asyncio._get_running_loop() is not None:  # closed from async code: its loop cannot run this one
            in_new_thread(self.shut)
            return
        loop = self.loop
        try:
            cancel_left(loop)
            loop.run_until_complete(self.lane.aclose())
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()


class LoopPool:
    """Event loops, each with its own httpx client, lent to the calling thread for one request at a time.

    The thread that asks runs the request's coroutine itself, on a loop it borrows: no hand-over to another
    thread and back per request (docs/performance.md, section 13). A loop goes back to the pool with its
    warm connections; the pool grows to the most threads ever asking at once, up to `limit` (more wait for
    a loop). A run's parallel loop borrows one loop for all its workers (runtime/cooperative.py), whose
    requests then use that loop's client (`lane_here`). A thread that already runs an event loop of its own
    hands its request to a short-lived thread.
    """

    def __init__(self, make_client: Callable[[], httpx.AsyncClient], limit: int = MAX_LOOPS) -> None:
        self._make_client = make_client
        self._limit = limit
        self._idle: list[_Lent] = []  # the most recently returned last: its connections are the warmest
        self._lent: dict[asyncio.AbstractEventLoop, _Lent] = {}
        self._broken: list[_Lent] = []  # returned with their task unfinished (Ctrl-C): shut at close()
        self._changed = threading.Condition(threading.Lock())
        self._closed = False

    def run(self, work: Work[T]) -> T:
        """Run `work(lane)` on a borrowed loop in this thread and return its result (or raise its exception)."""
        if asyncio._get_running_loop() is not None:  # this thread's own loop is running: it cannot run another
            return in_new_thread(lambda: self.run(work))
        lent = self._borrow()
        try:
            task = lent.task = lent.loop.create_task(work(lent.lane))
            return lent.loop.run_until_complete(task)
        finally:
            self._give_back(lent)

    def _borrow(self) -> _Lent:
        with self._changed:
            while True:
                if self._closed:
                    raise RuntimeError("the HTTP client is closed")
                if self._idle:
                    lent = self._idle.pop()
                    break
                if len(self._lent) < self._limit:
                    lent = _Lent(self._make_client)
                    break
                self._changed.wait()
            self._lent[lent.loop] = lent
            return lent

    def lane_here(self) -> Lane:
        """The lane of the loop running in this thread: one this pool lent (to a parallel loop's workers)."""
        return self._lent[asyncio.get_running_loop()].lane

    def _give_back(self, lent: _Lent) -> None:
        task, lent.task = lent.task, None
        # A loop with a task left (Ctrl-C while it ran) is never lent again: close() shuts it.
        clean = task is not None and task.done() and not asyncio.all_tasks(lent.loop)
        with self._changed:
            if not self._closed:
                del self._lent[lent.loop]
                (self._idle if clean else self._broken).append(lent)
                self._changed.notify_all()
                return
        lent.shut()  # close() is waiting: it returns once every loop is shut
        with self._changed:
            del self._lent[lent.loop]
            self._changed.notify_all()

    def close(self) -> None:
        """Cancel requests in flight (their threads get CancelledError), wait for them, close every loop."""
        with self._changed:
            self._closed = True
            idle, self._idle, broken, self._broken = self._idle, [], self._broken, []
            for lent in self._lent.values():
                task = lent.task
                if task is not None:
                    lent.loop.call_soon_threadsafe(task.cancel)
            while self._lent:  # each borrower shuts its loop when it gives it back
                self._changed.wait()
        for lent in idle + broken:
            lent.shut()


class LoopLock:
    """A lock for coroutines running on any loop in any thread (an asyncio.Lock belongs to one loop).

    A waiter sleeps on a future of its own loop; the holder hands the lock to the first waiter through
    that loop. Cancelling a waiter takes it out of the queue, or passes the lock on if it was just handed it.
    """

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._held = False
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()

    async def __aenter__(self) -> None:
        with self._mutex:
            if not self._held:
                self._held = True
                return
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            with self._mutex:
                if waiter in self._waiters:  # not handed the lock yet
                    self._waiters.remove(waiter)
                    raise
            self._release()  # handed the lock as it was cancelled: pass it on
            raise

    async def __aexit__(self, *exc: object) -> None:
        self._release()

    def _release(self) -> None:
        while True:
            with self._mutex:
                if not self._waiters:
                    self._held = False
                    return
                waiter = self._waiters.popleft()  # the lock stays held: it passes to `waiter`
            try:
                waiter.get_loop().call_soon_threadsafe(_wake, waiter)
                return
            except RuntimeError:  # its loop was closed (the client is closing): the next waiter
                continue


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


@functools.cache
def _connection_limit() -> int:
    """How many connections a loop's client may open at once (see MAX_CONNECTIONS)."""
    try:
        import resource
    except ImportError:  # Windows: no such limit
        return MAX_CONNECTIONS
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft == resource.RLIM_INFINITY:
        return MAX_CONNECTIONS
    return max(8, min(MAX_CONNECTIONS, soft // 2))


@functools.cache
def _verified_context() -> ssl.SSLContext:
    """The certificate-checking TLS context, built once per process."""
    return httpx.create_ssl_context()


@functools.cache
def _lazy_transport() -> type[httpx.AsyncBaseTransport]:
    """The class of a transport created on its first request (made on first use: a compiled module imports
    httpx on first use, see codegen/inline.py, LAZY_MODULES; a class statement would import it at load)."""

    class LazyTransport(httpx.AsyncBaseTransport):
        def __init__(self, factory: Callable[[], httpx.AsyncBaseTransport]) -> None:
            self._factory = factory
            self._transport: httpx.AsyncBaseTransport | None = None

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if self._transport is None:
                self._transport = self._factory()
            return await self._transport.handle_async_request(request)

        async def aclose(self) -> None:
            if self._transport is not None:
                await self._transport.aclose()

    return LazyTransport


def make_async_client(transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    """A loop's httpx client (connections opened as requests need them); redirects are followed by origin.follow.

    Plain http needs no certificates, and loading them costs ~0.2 s, so https transports get them on
    first use (once per process). `transport` (tests) answers every request instead of the network.
    """
    if transport is not None:
        return httpx.AsyncClient(transport=transport, follow_redirects=False, headers={"user-agent": USER_AGENT})
    connections = _connection_limit()
    limits = httpx.Limits(
        max_connections=connections, max_keepalive_connections=connections, keepalive_expiry=KEEPALIVE
    )
    plain = httpx.AsyncHTTPTransport(verify=False, limits=limits)
    lazy: Any = _lazy_transport()
    secure = lazy(lambda: httpx.AsyncHTTPTransport(verify=_verified_context(), limits=limits))
    return httpx.AsyncClient(
        transport=plain, mounts={"https://": secure}, follow_redirects=False, headers={"user-agent": USER_AGENT}
    )
