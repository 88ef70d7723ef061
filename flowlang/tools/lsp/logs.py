"""The language server's log: each record of pygls one line on stderr, a traceback only when debugging."""

from __future__ import annotations

import json
import logging
import sys
from typing import TextIO


def _describe(exc: BaseException) -> str:
    """An exception in one line: what a malformed message was, not where pygls noticed it."""
    if isinstance(exc, json.JSONDecodeError):
        return f"not JSON ({exc})"
    text = f"{type(exc).__name__}: {exc}"
    cause = exc.__cause__
    if cause is not None:
        text += f" ({type(cause).__name__}: {cause})"
    return " ".join(text.split())


class OneLine(logging.Handler):
    """`flowlang lsp: error: Unable to handle message: not JSON (Expecting value: line 1 column 1 (char 0))`."""

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(logging.WARNING)
        self.stream = stream

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("Unable to deserialize message"):
            return  # the traceback of a message that is not JSON-RPC; the reader's record of it follows
        line = (message.splitlines() or [""])[0]
        if record.exc_info and record.exc_info[1] is not None:
            line += f": {_describe(record.exc_info[1])}"
        stream = self.stream or sys.stderr
        try:
            stream.write(f"flowlang lsp: {record.levelname.lower()}: {line}\n")
            stream.flush()
        except (OSError, ValueError):  # stderr closed: nothing left to tell
            pass


def install(debug: bool = False) -> None:
    """Route pygls's log through OneLine (with `debug`, leave Python's default: records with tracebacks)."""
    if debug:
        return
    log = logging.getLogger("pygls")
    log.addHandler(OneLine())
    log.propagate = False
