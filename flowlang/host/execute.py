"""A published version of a flow as a RunJob, and a run of it here and now: one path for every engine.

`published_job` builds the `RunJob` of a flow's latest published version (or a given one) with its
project's credentials; the host's run queue hands exactly that job to its executor (in-process or
Temporal), and `run_published` runs it in the calling thread through the same `run_job`. So a flow's
`env()` and `secret()` see the project's credentials and nothing else (never the server's
`os.environ`), and every credential value is masked in its log, result and error, on every path.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any, TextIO

from sqlalchemy import Connection, select

from flowlang.host.bundle import root_name
from flowlang.host.executors.base import LogLine, RunJob, RunOutcome
from flowlang.host.executors.flowrun import CompiledCache, run_job
from flowlang.host.store import Store
from flowlang.host.store import credentials as credentials_repo
from flowlang.host.store import flows as flows_repo
from flowlang.host.store import versions as versions_repo
from flowlang.host.store.schema import projects
from flowlang.host.vault import Vault, VaultError
from flowlang.runtime.launcher import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK
from flowlang.runtime.state import StateStore


class NotRunnable(Exception):
    """The flow cannot run: unknown in the project, disabled, or without (such) a published version."""


@dataclass(frozen=True)
class RunResult:
    exit_code: int  # as `flowlang run`: 0 ok, 3 the flow failed, 130 interrupted
    flow_id: str
    version: int
    outcome: RunOutcome | None = None


def published_job(conn: Connection, vault: Vault, project_id: str, flow_id: str, *, run_id: str,
                  version: int | None = None, input: Any = None, max_steps: int | None = None) -> RunJob:
    """The job that runs the latest published version of a flow (or version `version`), never its draft.

    Its only environment is the project's decrypted credentials. Raises NotRunnable for a flow that is
    not in the project, is disabled, or has no (such) published version, and for a project credential
    the server's key cannot decrypt.
    """
    flow = flows_repo.get_flow(conn, project_id, flow_id)
    if flow is None:
        raise NotRunnable(f"no flow {flow_id} in this project (was it deleted?)")
    if not flow.enabled:
        raise NotRunnable(f"flow {flow.slug} is disabled")
    chosen = (versions_repo.latest(conn, flow_id) if version is None
              else versions_repo.get_version(conn, flow_id, version))
    if chosen is None:
        raise NotRunnable(f"flow {flow.slug} has no published version" if version is None
                          else f"flow {flow.slug} has no version {version}")
    sealed = credentials_repo.ciphertexts(conn, project_id)
    try:
        secrets = {name: vault.decrypt(text, name) for name, text in sealed.items()}
    except VaultError as exc:  # this run fails with the vault's message; the queue goes on
        raise NotRunnable(str(exc)) from None
    root = root_name(flow.slug)
    slug = conn.execute(select(projects.c.slug).where(projects.c.id == project_id)).scalar_one_or_none()
    return RunJob(run_id=run_id, project=project_id, flow_id=flow_id, flow_name=None, version=chosen.number,
                  root=root, files={**chosen.files, root: chosen.source}, input=input,
                  credentials=secrets, state_key=flow_id, max_steps=max_steps,
                  project_slug=slug or "")


class StreamRecorder:
    """A Recorder for one run in the calling thread: log lines to a stream, state in a StateStore file
    (or in memory when there is none)."""

    def __init__(self, stream: TextIO, log_format: str = "json", state_path: str | None = None) -> None:
        self.stream = stream
        self.log_format = log_format
        self.store = StateStore(state_path) if state_path else None
        self.memory: dict[str, dict[str, Any]] = {}
        self.outcome: RunOutcome | None = None

    def log_lines(self, run_id: str, lines: list[LogLine]) -> None:
        for line in lines:
            if self.log_format == "json":
                self.stream.write(json.dumps(line.as_dict(), default=str) + "\n")
            else:
                where = f"{line.file}:{line.line}: " if line.file and line.line else ""
                self.stream.write(f"{line.time} {line.level:<5} {where}{line.message}\n")
        self.stream.flush()

    def load_state(self, project: str, state_key: str) -> dict[str, Any]:
        if self.store is not None:
            return self.store.load(state_key)
        return dict(self.memory.get(state_key, {}))

    def save_state(self, project: str, state_key: str, state: dict[str, Any]) -> None:
        if self.store is not None:
            self.store.save(state_key, state)
        else:
            self.memory[state_key] = dict(state)

    def finish(self, run_id: str, outcome: RunOutcome) -> None:
        self.outcome = outcome


def run_published(store: Store, vault: Vault, project_id: str, flow_id: str, *, input: Any = None,
                  version: int | None = None, stdout: TextIO, stderr: TextIO,
                  state_path: str | None = None, log_format: str = "json",
                  max_steps: int | None = None) -> RunResult:
    """Run the latest published version of a flow (or version `version`) in this thread, as the host's
    executors run it (`published_job` + `run_job`).

    `input` is the payload the flow reads as `source`; the result goes to `stdout` as JSON and the log
    (then the error, if any) to `stderr` (`log_format` text or json), all with credential values masked.
    Raises NotRunnable for a flow that is unknown in the project, disabled, or has no such version.
    """
    with store.read() as conn:
        job = published_job(conn, vault, project_id, flow_id, run_id=str(uuid.uuid4()), version=version,
                            input=input, max_steps=max_steps)
    recorder = StreamRecorder(stderr, log_format, state_path)
    cache = CompiledCache()
    try:
        outcome = run_job(job, recorder, cache)
    finally:
        cache.close()
    if outcome.status == "ok":
        stdout.write(json.dumps(outcome.result, ensure_ascii=False) + "\n")
    elif outcome.error:
        stderr.write(str(outcome.error.get("text") or outcome.error.get("message")) + "\n")
    codes = {"ok": EXIT_OK, "failed": EXIT_FAILED, "interrupted": EXIT_INTERRUPTED}
    return RunResult(codes[outcome.status], flow_id, job.version, outcome)
