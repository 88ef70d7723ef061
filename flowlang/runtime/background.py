"""The HTTP client's asyncio loop in a background thread, and its httpx client (lazy TLS, shared pool)."""

from __future__ import annotations

import _thread
import asyncio
import functools
import ssl
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import httpx

T = TypeVar("T")

MAX_CONNECTIONS = 64  # parallel loops run up to this many requests at once without waiting for a connection
USER_AGENT = "flowlang"
# Idle connections are dropped before the 5 s keep-alive of uvicorn, node and Apache closes them under us.
KEEPALIVE = 4.0


class BackgroundLoop:
    """One asyncio loop in a daemon thread, started on first use; any thread may run coroutines on it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()
        self._closed = False

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run `coro` on the loop and wait for its result (or exception) in the calling thread."""
        try:
            loop = self._started()
            if threading.current_thread() is self.thread:
                raise RuntimeError(f"{self.name}: cannot wait for the loop from the loop's own thread")
        except RuntimeError:
            coro.close()
            raise
        # A bare lock is the cheapest way to wait for the loop (run_coroutine_threadsafe costs ~2x).
        done = _thread.allocate_lock()
        done.acquire()
        box: list[asyncio.Task[T]] = []
        loop.call_soon_threadsafe(_spawn, coro, box, done)
        done.acquire()
        return box[0].result()

    def _started(self) -> asyncio.AbstractEventLoop:
        if self._loop is not None:
            return self._loop
        with self._lock:
            if self._closed:
                raise RuntimeError(f"{self.name} is closed")
            if self._loop is None:
                loop = asyncio.new_event_loop()
                self.thread = threading.Thread(target=loop.run_forever, name=self.name, daemon=True)
                self.thread.start()
                self._loop = loop
        return self._loop

    @property
    def running(self) -> bool:
        return self._loop is not None

    def close(self, cleanup: Callable[[], Coroutine[Any, Any, None]] | None = None) -> None:
        """Cancel what still runs (its waiting threads get CancelledError), run `cleanup`, stop the thread."""
        with self._lock:
            self._closed = True
            loop, thread = self._loop, self.thread
            self._loop = None
        if loop is None or thread is None:
            return
        asyncio.run_coroutine_threadsafe(_shutdown(cleanup), loop).result()
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()


def _spawn(coro: Coroutine[Any, Any, T], box: list[asyncio.Task[T]], done: _thread.LockType) -> None:
    """On the loop: run `coro` as a task; when it ends, hand it over and release the waiting thread."""

    def finished(task: asyncio.Task[T]) -> None:
        box.append(task)
        done.release()

    asyncio.get_running_loop().create_task(coro).add_done_callback(finished)


async def _shutdown(cleanup: Callable[[], Coroutine[Any, Any, None]] | None) -> None:
    others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    for task in others:
        task.cancel()
    await asyncio.gather(*others, return_exceptions=True)
    if cleanup is not None:
        await cleanup()


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
    """The run's httpx client: a pool big enough for parallel loops; redirects are followed by origin.follow.

    Plain http needs no certificates, and loading them costs ~0.2 s, so https transports get them on
    first use (once per process). `transport` (tests) answers every request instead of the network.
    """
    if transport is not None:
        return httpx.AsyncClient(transport=transport, follow_redirects=False, headers={"user-agent": USER_AGENT})
    limits = httpx.Limits(
        max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_CONNECTIONS, keepalive_expiry=KEEPALIVE
    )
    plain = httpx.AsyncHTTPTransport(verify=False, limits=limits)
    lazy: Any = _lazy_transport()
    secure = lazy(lambda: httpx.AsyncHTTPTransport(verify=_verified_context(), limits=limits))
    return httpx.AsyncClient(
        transport=plain, mounts={"https://": secure}, follow_redirects=False, headers={"user-agent": USER_AGENT}
    )
