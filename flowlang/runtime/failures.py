"""How a request fails: bounded waits before a retry, whole-request deadlines, and transport errors worded right."""

from __future__ import annotations

import asyncio
import functools
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar, cast

import httpx

T = TypeVar("T")


class _MidResponse(Protocol):
    status: int


@functools.cache
def _errors() -> tuple[type[httpx.ReadError], type[httpx.TimeoutException]]:
    """MidResponse and Deadline, httpx errors of our own: made on first use, since a compiled module imports
    httpx on first use (codegen/inline.py, LAZY_MODULES) and a class statement would import it at load."""

    class MidResponse(httpx.ReadError):
        """The connection closed (or reset) after the response's status line and headers had arrived."""

        def __init__(self, exc: httpx.TransportError, status: int) -> None:
            super().__init__(str(exc) or type(exc).__name__, request=exc.request)
            self.status = status

    class Deadline(httpx.TimeoutException):
        """The whole request (connect to last byte, redirects included) took longer than its `timeout`."""

    return MidResponse, Deadline


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta seconds or an HTTP date); may be inf or nan."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            # imported here: ~15 ms (socket, calendar, …), for HTTP dates only
            from email.utils import parsedate_to_datetime

            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    return seconds if math.isnan(seconds) else max(0.0, seconds)


def wait_refused(header: str | None, wait: float | None, max_wait: float) -> str | None:
    """Why a server's `Retry-After` is not waited for (not finite, or beyond `max_wait`), or None."""
    if wait is None:
        return None
    if not math.isfinite(wait):
        return f"sends Retry-After {header!r}, which is not a finite number of seconds"
    if wait > max_wait:
        return f"asks to wait {wait:g}s (Retry-After: {header}), more than max_wait ({max_wait:g}s)"
    return None


async def within(
    seconds: float | None, work: Callable[[], Awaitable[T]], request: Callable[[], httpx.Request]
) -> T:
    """Run `work()` within `seconds` (None: no bound); past it, raise Deadline for `request()`."""
    if seconds is None:
        return await work()
    try:
        async with asyncio.timeout(seconds):
            return await work()
    except TimeoutError:
        raise _errors()[1](f"no complete response within {seconds:g}s", request=request()) from None


async def read_body(response: httpx.Response) -> httpx.Response:
    """Read a streamed response's body; a connection lost meanwhile is a MidResponse, not a failure to connect."""
    try:
        await response.aread()
    except httpx.TransportError as exc:
        if isinstance(exc, httpx.TimeoutException):
            raise
        mid_response: Any = _errors()[0]
        raise mid_response(exc, response.status_code) from None
    finally:
        await response.aclose()
    return response


def describe(exc: Exception, request: httpx.Request, timeout: float | None, label: str) -> tuple[str, str, str | None]:
    """(kind, message, hint) of a request that got no usable response; `label` reads `sys.op: request`."""
    target = f"{request.method} {request.url}"
    reason = str(exc) or type(exc).__name__
    mid_response, deadline = _errors()
    if isinstance(exc, httpx.TimeoutException):
        after = f" after {timeout:g}s" if timeout is not None else ""
        whole = " (the whole request is bounded by timeout:)" if isinstance(exc, deadline) else ""
        return "timeout", f"{label} timed out{after} ({target}){whole}", None
    if isinstance(exc, mid_response):
        status = cast(_MidResponse, exc).status
        return ("connection", f"{label} failed: the server closed the connection mid-response (after HTTP "
                f"{status} began; {target}): {reason}", None)
    if isinstance(exc, httpx.ConnectError):
        hint = f"is the server at {request.url.scheme}://{request.url.netloc.decode()} running and reachable?"
        return "connection", f"{label} could not reach the server ({target}): {reason}", hint
    if isinstance(exc, httpx.TransportError):
        return ("connection", f"{label} failed: the server closed the connection without a response ({target}): "
                f"{reason}", None)
    return "connection", f"{label} failed: the response to {target} could not be read: {reason}", None
