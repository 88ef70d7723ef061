"""The flowlang standard library: every builtin, one implementation shared by both engines.

Each builtin is a plain top-level function registered with `@builtin`; `BUILTINS` maps the flowlang
name to its signature, which the checker uses for arity and named-argument checks.
"""

from __future__ import annotations

from flowlang.stdlib.registry import BUILTINS, Builtin, BuiltinParam, builtin

__all__ = ["BUILTINS", "Builtin", "BuiltinParam", "builtin", "load_all"]


def load_all() -> dict[str, Builtin]:
    """Import every stdlib module so that all builtins are registered, and return the registry."""
    from flowlang.stdlib import (  # noqa: F401
        codecs,
        collections,
        dates,
        formats,
        numbers,
        system,
        text,
        types,
    )

    return BUILTINS
