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
        raise _missing(name, "set it in the environment or in an --env-file, or give env() a default", "")
    return default


def _missing(name: str, cli_hint: str, needed: str) -> FlowError:
    """The error of an unset name: a missing credential of the project on the host, else an environment variable."""
    where = current().credentials_of
    if where is not None:
        return FlowError("input", f"no credential {name} in {where}{needed}",
                         hint=f"store it: PUT /v2/credentials/{name}")
    return FlowError("input", f"environment variable {name} is not set{needed}", hint=cli_hint)


@builtin("secret")
def fl_secret(name: Any) -> str:
    """The environment variable `name`, masked as *** wherever it would appear in logs and errors."""
    name = _want_str("secret", name, "name")
    ambient = current()
    value = ambient.env.get(name)
    if value is None:
        raise _missing(name, "set it in the environment or in an --env-file", f" (needed for secret('{name}'))")
    if value:
        ambient.secrets.add(value)
    return value
