"""The run's clock: every wait, retry backoff, rate-limit gap and Retry-After date reads it (tests swap it)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

PAUSE_POLL = 0.1  # seconds: how often a `wait` in a parallel loop looks whether the run was cancelled


class Clock:
    """Real time. `flowlang test` passes a virtual clock with the same methods, so waits take no time.

    One clock serves a whole run: the HTTP client's loop (`sleep`, `monotonic`, `time`), `wait` statements
    (`wait`) and the date builtins (`utcnow`).
    """

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        """Seconds since the epoch (Retry-After dates are measured against it)."""
        return time.time()

    def utcnow(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        """On the HTTP client's loop: backoff, Retry-After and rate-limit gaps."""
        import asyncio  # here, not at the top: a run without requests never loads asyncio

        await asyncio.sleep(seconds)

    def wait(self, cancelled: threading.Event, seconds: float) -> bool:
        """A `wait` statement: True when the run was cancelled before `seconds` passed."""
        return cancelled.wait(min(seconds, threading.TIMEOUT_MAX))  # longer waits overflow the platform's clock

    async def pause(self, cancelled: threading.Event, seconds: float) -> bool:
        """A `wait` statement in a parallel loop's worker (on its event loop): as `wait`, looking at
        `cancelled` every 0.1 s (a cancel from another thread cannot wake the loop sooner)."""
        import asyncio

        deadline = time.monotonic() + seconds
        while not cancelled.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            await asyncio.sleep(min(left, PAUSE_POLL))
        return True


SYSTEM_CLOCK = Clock()
