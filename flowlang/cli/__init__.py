"""The flowlang command line: the only package that prints or exits.

`core` holds the `main` group, `guarded` and the core commands; each other module of this package is one
family of commands that registers itself on `main` when imported. `from flowlang.cli import main` imports
them all (below); the console script `flowlang.cli.entry` runs `flowlang check` without any of them (or click).
A family imports its heavy parts (the host, the language server) inside its command bodies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flowlang.cli.core import main

__all__ = ["main"]


def __getattr__(name: str) -> Any:
    """`main`, with every command family registered on it (importing a family registers its commands)."""
    if name != "main":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from flowlang.cli import graph, history, host, ops, sync, test, tools, worker  # noqa: F401
    from flowlang.cli.core import main

    globals()["main"] = main
    return main
