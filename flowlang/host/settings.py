"""The host's settings: one frozen object built once from command-line flags and the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from flowlang.host.executors.temporal_options import (
    TemporalOptions,
    TemporalOptionsError,
    temporal_options,
)

DEFAULT_DB = ".flowlang/host.db"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
DEFAULT_MAX_BODY = 5 * 1024 * 1024  # bytes of one request body; a flow's source is rarely over 100 kB


class SettingsError(ValueError):
    """A flag or environment variable has a value the host cannot use (the message says which)."""


@dataclass(frozen=True)
class Settings:
    """Everything configurable about one `flowlang serve` process (and the CLI commands that share its store).

    `db` is a SQLite path or a `postgresql://` URL; `secret_key` (FLOWLANG_SECRET_KEY) wins over `key_file`,
    which is created with mode 0600 on first start when missing.
    """

    db: str = DEFAULT_DB
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    secret_key: str | None = None
    key_file: str | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY
    log_level: str = "info"
    workers: int = 4  # runs executed at once by the in-process executor (FLOWLANG_WORKERS)
    webhook_body_bytes: int = 1 << 20  # largest webhook delivery (FLOWLANG_WEBHOOK_MAX_BODY)
    retention_days: int | None = None  # runs and logs older than this are deleted (FLOWLANG_RUN_RETENTION_DAYS)
    test_clock: str | None = None  # test-only: a file holding the scheduler's time (FLOWLANG_TEST_CLOCK)
    engine: str = "inprocess"  # the executor that runs flows (--engine, FLOWLANG_ENGINE; executors.ENGINES)
    temporal: TemporalOptions | None = None  # where Temporal is, with --engine temporal (docs/scale-out.md)

    @property
    def is_postgres(self) -> bool:
        return self.db.startswith(("postgresql://", "postgres://", "postgresql+psycopg://"))

    @property
    def db_url(self) -> str:
        """The SQLAlchemy URL of the store."""
        if self.is_postgres:
            rest = self.db.split("://", 1)[1]
            return f"postgresql+psycopg://{rest}"
        return f"sqlite:///{os.path.abspath(self.db)}"

    @property
    def resolved_key_file(self) -> str:
        """Where the credentials key lives when FLOWLANG_SECRET_KEY is not set."""
        if self.key_file:
            return self.key_file
        if self.is_postgres:
            return os.path.join(".flowlang", "host.key")
        return os.path.join(os.path.dirname(os.path.abspath(self.db)), "host.key")

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def build_settings(flags: Mapping[str, Any], env: Mapping[str, str]) -> Settings:
    """Flags win over the environment (FLOWLANG_DB, FLOWLANG_SECRET_KEY, FLOWLANG_KEY_FILE,
    FLOWLANG_MAX_BODY), which wins over the defaults. Call once, at start-up."""
    max_body = flags.get("max_body_bytes") or env.get("FLOWLANG_MAX_BODY")
    try:
        max_body_bytes = int(max_body) if max_body is not None else DEFAULT_MAX_BODY
    except ValueError:
        raise SettingsError(f"FLOWLANG_MAX_BODY must be a number of bytes, not {max_body!r}") from None
    if max_body_bytes < 1024:
        raise SettingsError("the body limit must be at least 1024 bytes")
    try:
        workers = int(env.get("FLOWLANG_WORKERS") or 4)
        webhook_body = int(env.get("FLOWLANG_WEBHOOK_MAX_BODY") or (1 << 20))
        retention = int(env["FLOWLANG_RUN_RETENTION_DAYS"]) if env.get("FLOWLANG_RUN_RETENTION_DAYS") else None
    except ValueError:
        raise SettingsError("FLOWLANG_WORKERS FLOWLANG_WEBHOOK_MAX_BODY and FLOWLANG_RUN_RETENTION_DAYS must be whole numbers") from None
    if workers < 1:
        raise SettingsError("FLOWLANG_WORKERS must be at least 1")
    port = flags.get("port")
    port = DEFAULT_PORT if port is None else int(port)
    if not 0 <= port <= 65535:
        raise SettingsError(f"port {port} is out of range")
    engine = flags.get("engine") or env.get("FLOWLANG_ENGINE") or "inprocess"
    try:
        temporal = temporal_options(flags, env) if engine == "temporal" else None
    except TemporalOptionsError as exc:
        raise SettingsError(str(exc)) from None
    return Settings(
        temporal=temporal,
        db=flags.get("db") or env.get("FLOWLANG_DB") or DEFAULT_DB,
        host=flags.get("host") or DEFAULT_HOST,
        port=port,
        secret_key=env.get("FLOWLANG_SECRET_KEY") or None,
        key_file=flags.get("key_file") or env.get("FLOWLANG_KEY_FILE") or None,
        max_body_bytes=max_body_bytes,
        log_level=flags.get("log_level") or "info",
        workers=workers,
        webhook_body_bytes=webhook_body,
        retention_days=retention,
        test_clock=env.get("FLOWLANG_TEST_CLOCK") or None,
        engine=engine,
    )
