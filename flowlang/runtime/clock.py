"""The run's clock: every wait, retry backoff, rate-limit gap and Retry-After date reads it (tests swap it)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime


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


SYSTEM_CLOCK = Clock()
