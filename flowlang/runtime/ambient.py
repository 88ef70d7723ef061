"""What builtins may ask of the run they belong to: environment, secrets, clock and random seed."""

from __future__ import annotations

import os
import random
from collections.abc import Mapping
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from datetime import datetime

from flowlang.runtime.clock import SYSTEM_CLOCK, Clock


@dataclass
class Ambient:
    """The run-wide context of builtins; one per run, set with `activate()`."""

    env: Mapping[str, str]
    secrets: set[str] = field(default_factory=set)
    fixed_now: datetime | None = None  # from FLOWLANG_NOW (an ISO timestamp)
    rng: random.Random = field(default_factory=random.Random)
    seeded: bool = False  # FLOWLANG_SEED given: uuid() is reproducible
    run_scope: str = ""  # the flow and its attempt, for idempotency keys (idempotency.run_scope)
    clock: Clock = SYSTEM_CLOCK  # the run's time (a virtual clock in `flowlang test`)
    credentials_of: str | None = None  # on the host, "project SLUG": env()/secret() read its credentials

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Ambient:
        """Build from an environment (os.environ merged with an --env-file); bad values raise ValueError."""
        fixed_now = None
        if env.get("FLOWLANG_NOW"):
            fixed_now = datetime.fromisoformat(env["FLOWLANG_NOW"].replace("Z", "+00:00"))
        seed = env.get("FLOWLANG_SEED")
        rng = random.Random(seed) if seed is not None else random.Random()
        return cls(dict(env), set(), fixed_now, rng, seed is not None)


_CURRENT: ContextVar[Ambient] = ContextVar("flowlang_ambient")


def current() -> Ambient:
    """The ambient of the running flow; outside a run, one built from os.environ."""
    try:
        return _CURRENT.get()
    except LookupError:
        ambient = Ambient.from_env(os.environ)
        _CURRENT.set(ambient)
        return ambient


def activate(ambient: Ambient) -> Token[Ambient]:
    """Make `ambient` current for this context; pass the token to `deactivate` when the run ends."""
    return _CURRENT.set(ambient)


def deactivate(token: Token[Ambient]) -> None:
    _CURRENT.reset(token)
