"""The `flowlang` console script: `flowlang check` of paths runs without click; everything else is click's."""

from __future__ import annotations

import sys

from flowlang.cli.checking import fast_check_args, internal_error, plain_echo, run_check


def main(argv: list[str] | None = None) -> None:
    parsed = fast_check_args(sys.argv[1:] if argv is None else argv)
    if parsed is None:
        from flowlang.cli import main as click_main

        click_main(args=argv)
        return
    try:
        run_check(*parsed, echo=plain_echo)
    except SystemExit:
        raise
    except (KeyboardInterrupt, Exception) as exc:  # the guard every click command wears (core.guarded)
        internal_error(exc, plain_echo)
