"""How to reach Temporal: address, namespace, task queue, TLS and API key, heartbeat timeout (no SDK import).

Built once from the flags of `flowlang serve --engine temporal` and `flowlang worker` and the environment
(FLOWLANG_TEMPORAL, FLOWLANG_TEMPORAL_NAMESPACE, FLOWLANG_TEMPORAL_TASK_QUEUE, FLOWLANG_TEMPORAL_API_KEY,
FLOWLANG_TEMPORAL_TLS_CERT/_KEY/_CA, FLOWLANG_TEMPORAL_HEARTBEAT_TIMEOUT); flags win. A project may have a
task queue and a namespace of its own (`--project-task-queue SLUG=QUEUE`, `--project-namespace SLUG=NS`, or
FLOWLANG_TEMPORAL_PROJECT_TASK_QUEUES / _NAMESPACES as `slug=value,slug=value`): its runs and schedules go there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

DEFAULT_NAMESPACE = "default"
DEFAULT_TASK_QUEUE = "flowlang-runs"
DEFAULT_HEARTBEAT_TIMEOUT = 30.0  # seconds without a heartbeat before another worker takes a run over


class TemporalUnreachable(Exception):
    """The Temporal frontend did not answer (the message names the address and namespace)."""


class TemporalOptionsError(ValueError):
    """An option has a value the Temporal executor cannot use (the message says which)."""


@dataclass(frozen=True)
class TemporalOptions:
    """Where the Temporal frontend is and how to talk to it. `api_key` is a secret: never printed."""

    address: str
    namespace: str = DEFAULT_NAMESPACE
    task_queue: str = DEFAULT_TASK_QUEUE
    tls: bool = False
    tls_cert: str | None = None  # client certificate (mTLS), PEM file
    tls_key: str | None = None
    tls_ca: str | None = None  # server root CA, PEM file (else the system's)
    api_key: str | None = None  # Temporal Cloud API key (implies TLS)
    heartbeat_timeout: float = DEFAULT_HEARTBEAT_TIMEOUT
    project_task_queues: Mapping[str, str] = field(default_factory=dict)  # project slug -> its task queue
    project_namespaces: Mapping[str, str] = field(default_factory=dict)  # project slug -> its namespace

    def task_queue_of(self, project_slug: str) -> str:
        """The task queue of a project's runs and schedules."""
        return self.project_task_queues.get(project_slug, self.task_queue)

    def namespace_of(self, project_slug: str) -> str:
        """The namespace of a project's workflows and schedules."""
        return self.project_namespaces.get(project_slug, self.namespace)

    def namespaces(self) -> list[str]:
        """Every namespace the server uses: its own and the projects'."""
        return sorted({self.namespace, *self.project_namespaces.values()})

    def __repr__(self) -> str:
        return (f"TemporalOptions(address={self.address!r}, namespace={self.namespace!r}, "
                f"task_queue={self.task_queue!r}, tls={self.uses_tls}, api_key={'set' if self.api_key else 'unset'})")

    @property
    def uses_tls(self) -> bool:
        return self.tls or bool(self.api_key or self.tls_cert or self.tls_ca)


def _per_project(option: str, given: Iterable[str] | None, env_value: str | None) -> dict[str, str]:
    """`SLUG=VALUE` pairs of a repeated flag (or of its variable, comma-separated): flags win over the variable."""
    pairs = list(given or []) or [part for part in (env_value or "").split(",") if part.strip()]
    routes: dict[str, str] = {}
    for pair in pairs:
        slug, equals, value = pair.strip().partition("=")
        if not equals or not slug.strip() or not value.strip():
            raise TemporalOptionsError(f"{option} takes SLUG=VALUE (a project's slug and its value), not {pair!r}")
        routes[slug.strip()] = value.strip()
    return routes


def temporal_options(flags: Mapping[str, Any], env: Mapping[str, str]) -> TemporalOptions:
    """The options from flags (`temporal`, `namespace`, `task_queue`, `tls`, `tls_cert`, `tls_key`, `tls_ca`)
    and the environment; raises TemporalOptionsError when the address is missing or a value is unusable."""
    address = flags.get("temporal") or env.get("FLOWLANG_TEMPORAL")
    if not address:
        raise TemporalOptionsError("the Temporal engine needs --temporal HOST:PORT (or $FLOWLANG_TEMPORAL)")
    host, _, port = str(address).rpartition(":")
    if not host or not port.isdigit():
        raise TemporalOptionsError(f"--temporal must be HOST:PORT, not {address!r}")
    raw_timeout = env.get("FLOWLANG_TEMPORAL_HEARTBEAT_TIMEOUT") or DEFAULT_HEARTBEAT_TIMEOUT
    try:
        timeout = float(raw_timeout)
    except ValueError:
        raise TemporalOptionsError("FLOWLANG_TEMPORAL_HEARTBEAT_TIMEOUT must be a number of seconds") from None
    if not 1 <= timeout <= 600:
        raise TemporalOptionsError("FLOWLANG_TEMPORAL_HEARTBEAT_TIMEOUT must be between 1 and 600 seconds")
    cert = flags.get("tls_cert") or env.get("FLOWLANG_TEMPORAL_TLS_CERT") or None
    key = flags.get("tls_key") or env.get("FLOWLANG_TEMPORAL_TLS_KEY") or None
    if bool(cert) != bool(key):
        raise TemporalOptionsError("--tls-cert and --tls-key go together (a client certificate and its key)")
    return TemporalOptions(
        address=str(address),
        namespace=flags.get("namespace") or env.get("FLOWLANG_TEMPORAL_NAMESPACE") or DEFAULT_NAMESPACE,
        task_queue=flags.get("task_queue") or env.get("FLOWLANG_TEMPORAL_TASK_QUEUE") or DEFAULT_TASK_QUEUE,
        tls=bool(flags.get("tls")), tls_cert=cert, tls_key=key,
        tls_ca=flags.get("tls_ca") or env.get("FLOWLANG_TEMPORAL_TLS_CA") or None,
        api_key=env.get("FLOWLANG_TEMPORAL_API_KEY") or None, heartbeat_timeout=timeout,
        project_task_queues=_per_project("--project-task-queue", flags.get("project_task_queue"),
                                         env.get("FLOWLANG_TEMPORAL_PROJECT_TASK_QUEUES")),
        project_namespaces=_per_project("--project-namespace", flags.get("project_namespace"),
                                        env.get("FLOWLANG_TEMPORAL_PROJECT_NAMESPACES")),
    )
