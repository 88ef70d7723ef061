"""Run a published version of a flow with its project's credentials, through the interpreter's public
`run_project` — the one function the pipes' executors call (`run_published`).

Credentials reach the run as its env file, written into a named pipe (FIFO) in a 0700 temporary
directory: the values never touch the disk in clear and never enter this process's os.environ, so
concurrent runs of different projects cannot see each other's secrets. Every credential value is also
masked (***) in what the run writes to stdout and stderr, even where the flow read it with env().
"""

from __future__ import annotations

import io
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TextIO, cast

from flowlang.host.bundle import materialized, root_name
from flowlang.host.store import Store
from flowlang.host.store import credentials as credentials_repo
from flowlang.host.store import flows as flows_repo
from flowlang.host.store import versions as versions_repo
from flowlang.host.vault import Vault


class NotRunnable(Exception):
    """The flow cannot run: unknown, disabled, never published, or its version no longer checks."""


@dataclass(frozen=True)
class RunResult:
    exit_code: int  # as `flowlang run`: 0 ok, 2 usage or I/O, 3 the flow failed
    flow_id: str
    version: int


class MaskingStream(io.TextIOBase):
    """A text stream that writes through to `target` with every secret value replaced by ***."""

    def __init__(self, target: TextIO, secrets: list[str], strip: str = "") -> None:
        self.target = target
        self.strip = strip  # a prefix removed wherever it appears (the run's temporary directory)
        # every form a value may be written in (as is, JSON-escaped, repr-escaped), longest first so a
        # secret that contains another is masked whole
        forms = {form for s in secrets if s for form in _forms(s)}
        self.secrets = sorted(forms, key=len, reverse=True)
        self._multiline = any("\n" in form for form in self.secrets)
        self._holdback = len(self.secrets[0]) - 1 if self.secrets else 0
        self._pending = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        # Whole lines are written, masked. A secret holding a line break could still be cut at a line's
        # end, so then the last (longest form - 1) characters wait for what follows.
        self._pending = self._mask(self._pending + text)
        cut = self._pending.rfind("\n") + 1
        if self._multiline:
            cut = min(cut, max(0, len(self._pending) - self._holdback))
        if cut:
            self.target.write(self._pending[:cut])
            self._pending = self._pending[cut:]
        return len(text)

    def flush(self) -> None:
        """Flush the target; held-back text of a multi-line secret waits for `finish`."""
        if self._pending and not self._multiline:
            self.target.write(self._pending)
            self._pending = ""
        self.target.flush()

    def finish(self) -> None:
        """Write whatever is left (the run has ended)."""
        if self._pending:
            self.target.write(self._pending)
            self._pending = ""
        self.target.flush()

    def _mask(self, text: str) -> str:
        if self.strip:
            text = text.replace(self.strip, "")
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


def _forms(secret: str) -> list[str]:
    return [secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1],
            repr(secret)[1:-1], repr(secret.encode("utf-8"))[2:-1]]


def env_line(name: str, value: str) -> str:
    """One `NAME="value"` line of an env file, escaped so any value reads back unchanged."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    escaped = escaped.replace("\t", "\\t").replace("$", "\\$")
    return f'{name}="{escaped}"\n'


@contextmanager
def env_pipe(directory: str, values: dict[str, str]) -> Iterator[str]:
    """A FIFO in `directory` that yields `values` as an env file to the one reader that opens it."""
    path = os.path.join(directory, ".credentials.env")
    os.mkfifo(path, 0o600)
    text = "".join(env_line(k, v) for k, v in sorted(values.items()))

    def feed() -> None:
        try:
            with open(path, "w", encoding="utf-8") as pipe:  # blocks until the run opens it
                pipe.write(text)
        except OSError:  # the run ended without reading it (released below)
            pass

    writer = threading.Thread(target=feed, name="flowlang-credentials", daemon=True)
    writer.start()
    try:
        yield path
    finally:
        if writer.is_alive():  # nobody read the pipe: open it ourselves so the writer finishes
            try:
                fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
                writer.join(timeout=5)
                os.close(fd)
            except OSError:
                pass
        writer.join(timeout=5)


def run_published(store: Store, vault: Vault, project_id: str, flow_id: str, *, input: Any = None,
                  version: int | None = None, stdout: TextIO, stderr: TextIO,
                  state_path: str | None = None, log_format: str = "json",
                  max_steps: int | None = None) -> RunResult:
    """Run the latest published version of a flow (or version `version`) as `flowlang run` would.

    `input` is the payload the flow reads as `source`; the run's result goes to `stdout` as JSON and its
    log to `stderr` (`log_format` text or json), both with credential values masked. Raises NotRunnable
    for a flow that is unknown in the project, disabled, or has no (such) published version.
    """
    from flowlang.checker import check
    from flowlang.interpreter import run_project
    from flowlang.loader import load_project

    with store.read() as conn:
        flow = flows_repo.get_flow(conn, project_id, flow_id)
        if flow is None:
            raise NotRunnable(f"no flow {flow_id} in this project")
        if not flow.enabled:
            raise NotRunnable(f"flow {flow.slug} is disabled")
        chosen = (versions_repo.latest(conn, flow_id) if version is None
                  else versions_repo.get_version(conn, flow_id, version))
        sealed = credentials_repo.ciphertexts(conn, project_id)
    if chosen is None:
        raise NotRunnable(f"flow {flow.slug} has no published version" if version is None
                          else f"flow {flow.slug} has no version {version}")
    secrets = {name: vault.decrypt(text, name) for name, text in sealed.items()}
    with materialized(root_name(flow.slug), chosen.source, chosen.files) as root:
        strip = os.path.dirname(root) + os.sep
        out = MaskingStream(stdout, list(secrets.values()), strip)
        err = MaskingStream(stderr, list(secrets.values()), strip)
        project = load_project(root)
        errors = [d for d in check(project) if d.is_error]
        if errors:
            raise NotRunnable(f"version {chosen.number} of {flow.slug} no longer checks: {errors[0].message}")
        payload = io.StringIO(json.dumps(input)) if input is not None else None
        with env_pipe(os.path.dirname(root), secrets) as env_file:
            code = run_project(project, None, input_path="-" if payload is not None else None,
                               stdin=payload, state_path=state_path, env_file=env_file,
                               log_format=log_format, stdout=cast(TextIO, out),
                               stderr=cast(TextIO, err), max_steps=max_steps)
        out.finish()
        err.finish()
    return RunResult(code, flow_id, chosen.number)
