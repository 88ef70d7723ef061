"""Each builtin's signature and description as docs/stdlib.md writes them, for hover and completion."""

from __future__ import annotations

import functools
import inspect
import re
from pathlib import Path

from flowlang.checker.context import load_builtins

STDLIB_MD = Path(__file__).resolve().parents[3] / "docs" / "stdlib.md"
_SECTION = re.compile(r"^### (\w+)\n(.*?)(?=^#{1,3} |\Z)", re.M | re.S)


@functools.cache
def builtin_docs(path: Path = STDLIB_MD) -> dict[str, str]:
    """builtin name -> Markdown: the signature line and the text up to the examples.

    Without docs/stdlib.md (an installed wheel has no docs/) the signature comes from the registry and the
    text from the function's docstring.
    """
    docs: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        text = ""
    for m in _SECTION.finditer(text):
        body = m.group(2).split("```flow")[0].strip()
        docs[m.group(1)] = body
    for name, builtin in load_builtins().items():
        if name not in docs:
            params = ", ".join(("*" if p.variadic else "") + p.name + ("" if p.required or p.variadic else " = …")
                               for p in builtin.params)
            doc = inspect.getdoc(builtin.fn) or ""
            docs[name] = f"`{name}({params})`\n\n{doc}".strip()
    return docs


def signature_line(name: str) -> str:
    """`name(params) -> type`, the first line of a builtin's doc (without the backquotes)."""
    doc = builtin_docs().get(name, "")
    first = doc.split("\n", 1)[0].strip()
    return first.strip("`") if first.startswith("`") else name + "(…)"
