"""How to reach Temporal: address, namespace, task queue, TLS and API key, heartbeat timeout (no SDK import).

Built once from the flags of `flowlang serve --engine temporal` and `flowlang worker` and the environment
(FLOWLANG_TEMPORAL, FLOWLANG_TEMPORAL_NAMESPACE, FLOWLANG_TEMPORAL_TASK_QUEUE, FLOWLANG_TEMPORAL_API_KEY,
FLOWLANG_TEMPORAL_TLS_CERT/_KEY/_CA, FLOWLANG_TEMPORAL_HEARTBEAT_TIMEOUT); flags win.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
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

    def __repr__(self) -> str:
        return (f"TemporalOptions(address={self.address!r}, namespace={self.namespace!r}, "
                f"task_queue={self.task_queue!r}, tls={self.uses_tls}, api_key={'set' if self.api_key else 'unset'})")

    @property
    def uses_tls(self) -> bool:
        return self.tls or bool(self.api_key or self.tls_cert or self.tls_ca)


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
    )
