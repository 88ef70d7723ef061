"""System builtins: environment variables and secrets (masked in logs) from the run's ambient."""

from __future__ import annotations

from typing import Any

from flowlang.stdlib.common import _want_str
from flowlang.stdlib.registry import builtin

from flowlang.runtime.ambient import current
from flowlang.runtime.errors import FlowError

# Stands for "no default given": env("X", null) is a valid call that yields null when X is unset.
_NO_DEFAULT: Any = object()


@builtin("env")
def fl_env(name: Any, default: Any = _NO_DEFAULT) -> Any:
    """The environment variable `name` (or --env-file entry); `default` when it is not set."""
    name = _want_str("env", name, "name")
    value = current().env.get(name)
    if value is not None:
        return value
    if default is _NO_DEFAULT:
        raise FlowError(
            "input",
            f"environment variable {name} is not set",
            hint="set it in the environment or in an --env-file, or give env() a default",
        )
    return default


@builtin("secret")
def fl_secret(name: Any) -> str:
    """The environment variable `name`, masked as *** wherever it would appear in logs and errors."""
    name = _want_str("secret", name, "name")
    ambient = current()
    value = ambient.env.get(name)
    if value is None:
        raise FlowError(
            "input",
            f"environment variable {name} is not set (needed for secret('{name}'))",
            hint="set it in the environment or in an --env-file",
        )
    if value:
        ambient.secrets.add(value)
    return value
