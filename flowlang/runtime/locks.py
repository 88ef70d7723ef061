"""One run per flow and state database: an OS-level lock on a file beside the database, gone with its process.

The lock is `flock()` on `<state db>.<flow slug>.lock` (on Windows, `msvcrt.locking` on its first byte). The
kernel releases it when the process ends however it ends, kill -9 included, so a crashed run never leaves it
held. The holder writes who it is (run id, pid, start time) into the file, so a refused run can name it.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import IO, Any

from flowlang.runtime.errors import FlowError

_POLL = 0.1  # seconds between two tries while waiting for the lock
_SAFE_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,80}")


def lock_path(state_path: str, slug: str) -> str:
    """The lock file of `slug` beside the state database (a digest stands in for an unusual slug)."""
    if _SAFE_SLUG.fullmatch(slug):
        return f"{state_path}.{slug}.lock"
    import hashlib  # here: ~7 ms to import, for unusual slugs only

    name = hashlib.sha256(slug.encode("utf-8")).hexdigest()[:16]
    return f"{state_path}.{name}.lock"


def _try_lock(handle: IO[str]) -> bool:
    """Take the lock without waiting; False when another open file (any process) holds it."""
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def describe_holder(info: dict[str, Any]) -> str:
    """`run 20260101-120000-ab12cd (pid 4242, started 2026-01-01T12:00:00.000Z)` from the lock file's text."""
    run = info.get("run") or "of unknown id"
    pid = info.get("pid", "unknown")
    started = info.get("started") or "at an unknown time"
    return f"run {run} (pid {pid}, started {started})"


class RunLock:
    """The lock of one flow on one state database, held from `acquire()` to `release()`."""

    def __init__(self, state_path: str, slug: str, flow_name: str) -> None:
        self.path = lock_path(state_path, slug)
        self.state_path = state_path
        self.flow_name = flow_name
        self._handle: IO[str] | None = None

    def holder(self) -> dict[str, Any]:
        """What the current holder wrote into the lock file ({} when unreadable or not written yet)."""
        try:
            with open(self.path, encoding="utf-8") as f:
                info = json.loads(f.read() or "{}")
        except (OSError, ValueError):
            return {}
        return info if isinstance(info, dict) else {}

    def acquire(
        self,
        info: dict[str, Any],
        *,
        wait: bool = False,
        on_wait: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        """Take the lock and write `info` (run, pid, started) into it; raise FlowError if another run holds it.

        With `wait`, poll until the holder ends; `on_wait(holder)` is called once, before the first wait.
        """
        try:
            handle = open(self.path, "a+", encoding="utf-8")  # held open as long as the lock
        except OSError as exc:
            raise FlowError("input", f"cannot create the lock file '{self.path}': {exc.strerror or exc}",
                            hint="choose another state database with --state") from None
        told = False
        while not _try_lock(handle):
            if not wait:
                handle.close()
                raise self._busy(self.holder())
            if not told and on_wait is not None:
                on_wait(self.holder())
            told = True
            try:
                time.sleep(_POLL)
            except BaseException:
                handle.close()
                raise
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(info))
        handle.flush()
        self._handle = handle

    def _busy(self, holder: dict[str, Any]) -> FlowError:
        return FlowError(
            "input",
            f"flow '{self.flow_name}' is already running on the state database '{self.state_path}': "
            f"{describe_holder(holder)}",
            hint="wait for that run to end, pass --wait-lock to wait for it, or use another --state",
        )

    def release(self) -> None:
        """Give the lock up (closing the file releases it); the file itself stays, for the next run."""
        if self._handle is not None:
            handle, self._handle = self._handle, None
            try:
                handle.seek(0)
                handle.truncate()
            except OSError:
                pass
            handle.close()

    @property
    def held(self) -> bool:
        return self._handle is not None
