"""One RunJob through the interpreter: the version's files on disk once, compiled once, run by the launcher.

Every engine runs a flow with `run_job` (the in-process executor in a worker thread, a Temporal activity
in a worker process), so a flow behaves the same on each. The run uses the launcher's own `execute`: the
same logs, counts, errors, state commits and limits as `flowlang run`, with three differences: the
ambient environment is the project's credentials only (never the server's environment), every
credential value is masked wherever it would appear, and the state and log go to the host's Recorder.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
import time
import zlib
from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any, cast

from flowlang.host.executors.base import LogLine, Recorder, RunJob, RunOutcome
from flowlang.interpreter import CompiledProject, compile_project
from flowlang.loader import load_project
from flowlang.runtime.ambient import Ambient, activate, deactivate
from flowlang.runtime.context import Run, RunCancelled
from flowlang.runtime.errors import FlowError
from flowlang.runtime.launcher import execute
from flowlang.runtime.runlog import RunLog, mask_secrets
from flowlang.runtime.state import RunRecord
from flowlang.runtime.values import to_json

LOG_BATCH = 100  # lines sent to the recorder at once
LOG_INTERVAL = 0.25  # seconds a line may wait before it is sent


class JobError(Exception):
    """The job itself is unusable (a file name that escapes its folder, a root that is not among them)."""


def _safe_name(name: str) -> str:
    normal = os.path.normpath(name)
    if os.path.isabs(normal) or normal.startswith("..") or normal in (".", ""):
        raise JobError(f"file name {name!r} is not a relative path inside the flow's folder")
    return normal


class CompiledCache:
    """Compiled versions by content: each distinct set of files is written to disk and compiled once.

    A stored version is immutable, so its compiled closures are reused by every later run of it.
    """

    def __init__(self, folder: str | None = None, size: int = 64) -> None:
        self.folder = folder or tempfile.mkdtemp(prefix="flowlang-versions-")
        self.size = size
        self._lock = threading.Lock()
        self._compiled: OrderedDict[str, tuple[str, CompiledProject]] = OrderedDict()
        self._building: dict[str, threading.Lock] = {}

    def get(self, job: RunJob) -> tuple[str, CompiledProject]:
        """(folder the files are in, the compiled project) for the job's version."""
        key = self._key(job)
        with self._lock:
            if key in self._compiled:
                self._compiled.move_to_end(key)
                return self._compiled[key]
            building = self._building.setdefault(key, threading.Lock())
        with building:  # one thread compiles a version; the others wait for it
            with self._lock:
                if key in self._compiled:
                    return self._compiled[key]
            entry = self._build(key, job)
            with self._lock:
                self._compiled[key] = entry
                self._building.pop(key, None)
                while len(self._compiled) > self.size:
                    _, (old, _) = self._compiled.popitem(last=False)
                    shutil.rmtree(old, ignore_errors=True)
            return entry

    def _key(self, job: RunJob) -> str:
        digest = hashlib.sha256(job.root.encode())
        for name in sorted(job.files):
            digest.update(b"\0" + name.encode() + b"\0" + job.files[name].encode())
        return digest.hexdigest()[:32]

    def _build(self, key: str, job: RunJob) -> tuple[str, CompiledProject]:
        folder = os.path.join(self.folder, key)
        root = _safe_name(job.root)
        names = {_safe_name(n): text for n, text in job.files.items()}
        if root not in names:
            raise JobError(f"the version has no file {job.root!r}")
        for name, text in names.items():
            path = os.path.join(folder, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        project = load_project(os.path.join(folder, root))
        if project.diagnostics:
            first = project.diagnostics[0]
            span = first.span
            where = os.path.relpath(span.file, folder) if os.path.isabs(span.file) else span.file
            raise JobError(f"{where}:{span.line}:{span.column}: error[{first.code}]: {first.message}")
        return folder, compile_project(project, counting=True)  # the console's per-node counts

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class _LogSink:
    """The stream a RunLog writes JSON lines to: parsed into LogLines and sent to the recorder in batches."""

    def __init__(self, recorder: Recorder, run_id: str, folder: str) -> None:
        self.recorder = recorder
        self.run_id = run_id
        self.prefix = folder.rstrip(os.sep) + os.sep
        self._lines: list[LogLine] = []
        self._lock = threading.Lock()
        self._since = time.monotonic()

    def write(self, text: str) -> int:
        lines = []
        for raw in text.splitlines():
            if raw.strip():
                lines.append(self._parse(raw))
        with self._lock:
            if not self._lines:
                self._since = time.monotonic()
            self._lines.extend(lines)
            due = len(self._lines) >= LOG_BATCH or time.monotonic() - self._since >= LOG_INTERVAL
        if due:
            self.flush()
        return len(text)

    def _parse(self, raw: str) -> LogLine:
        raw = raw.replace(self.prefix, "")  # files are named as in the flow's version, not the scratch folder
        try:
            obj = json.loads(raw)
        except ValueError:
            obj = {"level": "info", "message": raw}
        if not isinstance(obj, dict):
            obj = {"level": "info", "message": raw}
        line = obj.pop("line", None)
        return LogLine(
            time=str(obj.pop("time", "") or _now()), level=str(obj.pop("level", "info")),
            message=str(obj.pop("message", "")), file=obj.pop("file", None),
            line=line if isinstance(line, int) else None, extra=obj,
        )

    def flush(self) -> None:
        with self._lock:
            lines, self._lines = self._lines, []
        if lines:
            self.recorder.log_lines(self.run_id, lines)

    def isatty(self) -> bool:
        return False


class HostRunStore:
    """The launcher's RunStore for a host run: state through the host's Recorder; the run's record and
    log are the host's own (the recorder has them already), so those methods only keep the counts."""

    path = ":memory:"  # no file lock: the host itself keeps one run of a job at a time

    def __init__(self, recorder: Recorder, job: RunJob) -> None:
        self.recorder = recorder
        self.job = job
        self.counts = (0, 0, 0)

    def load(self, flow: str) -> dict[str, Any]:
        try:
            return self.recorder.load_state(self.job.project, self.job.state_key)
        except Exception as exc:
            raise FlowError("input", f"cannot read the flow's state: {exc}") from None

    def save(self, flow: str, state: dict[str, Any]) -> None:
        values: dict[str, Any] = {}
        for key, value in dict(state).items():  # a copy: parallel iterations may still be writing
            if value is None:  # `state.k = null` deletes the key, as on the command line
                continue
            try:
                values[str(key)] = json.loads(to_json(value))
            except (TypeError, ValueError) as exc:
                raise FlowError("data", f"state.{key} cannot be saved: {exc}") from None
        try:
            self.recorder.save_state(self.job.project, self.job.state_key, values)
        except Exception as exc:
            raise FlowError("input", f"cannot save the flow's state: {exc}") from None

    def succeeded_runs(self, flow: str) -> int:
        """The attempt number of idempotency keys: unique per host run, the same when a run is retried."""
        return zlib.crc32(self.job.run_id.encode()) | (len(self.job.run_id) << 32)

    def interrupt_orphans(self, flow: str) -> list[RunRecord]:
        return []  # the host sweeps lost runs itself, at start and by lease

    def start_run(self, flow: str, run_id: str | None = None, started: str | None = None) -> str:
        return self.job.run_id  # the host recorded the run before it started

    def add_logs(self, run_id: str, lines: list[tuple[str, str, str | None, str]], first: int) -> None:
        """The lines already went to the recorder as they were written."""

    def finish_run(self, run_id: str, status: str, succeeded: int = 0, failed: int = 0,
                   requests: int = 0, error: str | None = None) -> None:
        self.counts = (succeeded, failed, requests)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _error_record(error: BaseException | None, secrets: set[str], prefix: str) -> dict[str, Any] | None:
    """The run's error for its record: masked, with `file:line:col` and the call stack."""

    def clean(text: str) -> str:
        return mask_secrets(text.replace(prefix, ""), secrets)

    if error is None:
        return None
    if isinstance(error, FlowError):
        where = error.where
        record: dict[str, Any] = {
            "message": clean(error.message), "kind": error.kind, "text": clean(error.render()),
            "file": clean(where[0]) if where else None, "line": where[1] if where else None,
            "column": where[2] if where else None, "stack": [clean(s) for s in error.stack],
        }
        if error.hint:
            record["hint"] = clean(error.hint)
        if error.status is not None:
            record["status"] = error.status
        return record
    if isinstance(error, RecursionError):
        return {"message": "recursion limit reached (the Python stack is exhausted)", "kind": "limit"}
    if not isinstance(error, Exception):  # RunCancelled, KeyboardInterrupt
        return {"message": "interrupted", "kind": "interrupted"}
    return {"message": clean(f"internal error: {type(error).__name__}: {error}"), "kind": "internal"}


class LiveRun:
    """A handle on a run in progress, for the engine: cancel it, or send its pending log lines now."""

    def __init__(self) -> None:
        self.run: Run | None = None
        self.sink: _LogSink | None = None
        self.cancelled = False

    def cancel(self) -> None:
        """Interrupt the run at its next step or wait (or before it starts)."""
        self.cancelled = True
        if self.run is not None:
            self.run.cancel()

    def flush(self) -> None:
        if self.sink is not None:
            self.sink.flush()


def run_job(job: RunJob, recorder: Recorder, cache: CompiledCache, live: LiveRun | None = None) -> RunOutcome:
    """Execute `job` in this thread and return its outcome (its log goes to the recorder as it runs).

    `live`, when given, is filled in as the run starts, so that the caller can cancel or flush it.
    """
    live = live or LiveRun()
    started = time.monotonic()
    secrets = {value for value in job.credentials.values() if value}
    try:
        folder, compiled = cache.get(job)
        flow = compiled.select_flow(job.flow_name)
    except (JobError, LookupError, OSError) as exc:
        message = mask_secrets(str(exc.args[0] if exc.args else exc), secrets)
        recorder.log_lines(job.run_id, [LogLine(_now(), "error", message)])
        return RunOutcome("failed", error={"message": message, "kind": "input"},
                          seconds=time.monotonic() - started)
    ambient = Ambient(env=dict(job.credentials), secrets=secrets,
                      credentials_of=f"project {job.project_slug or job.project}")
    sink = _LogSink(recorder, job.run_id, folder)
    log = RunLog(cast(Any, sink), fmt="json", secrets=ambient.secrets, interactive=False,
                 clock=lambda: datetime.now(UTC))
    state = HostRunStore(recorder, job)

    live.sink = sink

    def body(run: Run) -> Any:
        live.run = run
        if live.cancelled:
            raise RunCancelled()
        return flow.run(run)

    token = activate(ambient)
    try:
        outcome = execute(
            flow_name=flow.name, slug=job.state_key or flow.slug, build_systems=compiled.build_systems,
            body=body, source=job.input, store=state, ambient=ambient, log=log,
            max_steps=job.max_steps, count_locations=True,
        )
    except FlowError as err:  # the state could not be read: nothing ran
        sink.flush()
        record = _error_record(err, ambient.secrets, sink.prefix)
        recorder.log_lines(job.run_id, [LogLine(_now(), "error", (record or {}).get("text", str(err)))])
        return RunOutcome("failed", error=record, seconds=time.monotonic() - started)
    finally:
        deactivate(token)
    sink.flush()
    result = None
    if outcome.result_json is not None:
        result = json.loads(mask_secrets(outcome.result_json, ambient.secrets))
    succeeded, failed, requests = state.counts
    counts = live.run.counts if live.run is not None else None
    return RunOutcome(
        outcome.status, result=result, error=_error_record(outcome.error, ambient.secrets, sink.prefix),
        succeeded=succeeded, failed=failed, requests=requests, seconds=time.monotonic() - started,
        counts=counts.records(sink.prefix) if counts is not None else None,
    )
