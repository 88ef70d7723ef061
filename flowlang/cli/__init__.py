"""The flowlang command line: the only package that prints or exits.

`core` holds the `main` group, `guarded` and the core commands; each other module of this package is one
family of commands that registers itself on `main` when imported below. A family imports its heavy parts
(the host, the language server) inside its command bodies, so `flowlang check` starts fast.
"""

from __future__ import annotations

from flowlang.cli import test as _test  # noqa: F401  (registers `flowlang test`)
from flowlang.cli import tools as _tools  # noqa: F401  (registers fmt and lsp)
from flowlang.cli.core import main

__all__ = ["main"]

# Command families: importing one registers its commands on `main`.
from flowlang.cli import graph as _graph  # noqa: F401
from flowlang.cli import history as _history  # noqa: F401
from flowlang.cli import host as _host  # noqa: F401
from flowlang.cli import ops as _ops  # noqa: F401
from flowlang.cli import sync as _sync  # noqa: F401
from flowlang.cli import worker as _worker  # noqa: F401
