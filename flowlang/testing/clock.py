"""The virtual clock of `flowlang test`: waits, backoff and Retry-After advance it at once, without sleeping."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta

DEFAULT_START = datetime(2025, 1, 1, tzinfo=UTC)  # where a test's clock starts without `given now`


class VirtualClock:
    """Duck-types `flowlang.runtime.clock.Clock` (both engines' copies): time moves only when the run waits."""

    def __init__(self, start: datetime = DEFAULT_START) -> None:
        self.start = start if start.tzinfo else start.replace(tzinfo=UTC)
        self.elapsed = 0.0  # seconds the run has waited, in total
        self.waits: list[float] = []  # every wait, in order
        self._lock = threading.Lock()

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.elapsed += max(0.0, seconds)
            self.waits.append(seconds)

    def monotonic(self) -> float:
        return 1_000_000.0 + self.elapsed

    def time(self) -> float:
        return self.start.timestamp() + self.elapsed

    def utcnow(self) -> datetime:
        return self.start + timedelta(seconds=self.elapsed)

    async def sleep(self, seconds: float) -> None:
        self.advance(seconds)
        await asyncio.sleep(0)

    def wait(self, cancelled: threading.Event, seconds: float) -> bool:
        if cancelled.is_set():
            return True
        self.advance(seconds)
        return cancelled.is_set()

    async def pause(self, cancelled: threading.Event, seconds: float) -> bool:
        """`wait` in a parallel loop's worker: the same, letting the other workers run once."""
        done = self.wait(cancelled, seconds)
        await asyncio.sleep(0)
        return done
