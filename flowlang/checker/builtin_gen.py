"""Writes flowlang/checker/builtin_table.py from the live stdlib registry: `python -m flowlang.checker.builtin_gen`.

The checker reads only builtins' names and parameters; the table lets `flowlang check` know them without
importing the stdlib's modules (hashlib, zoneinfo, decimal, xml...). tests/checker/test_builtin_table.py
regenerates it and fails when the committed file differs, so it cannot go stale.
"""

from __future__ import annotations

from pathlib import Path

TABLE_PATH = Path(__file__).with_name("builtin_table.py")
HEADER = '''"""Builtin signatures for the checker: name -> ((parameter, required), ...), variadic parameter or None.

Generated from the stdlib registry by `python -m flowlang.checker.builtin_gen`: do not edit.
"""

from __future__ import annotations

BuiltinEntry = tuple[tuple[tuple[str, bool], ...], str | None]

BUILTIN_TABLE: dict[str, BuiltinEntry] = {
'''


def table_source() -> str:
    """The table module's text for the builtins registered now (every stdlib module imported)."""
    from flowlang.stdlib import load_all

    lines = [HEADER]
    for name, builtin in sorted(load_all().items()):
        params = tuple((p.name, p.required) for p in builtin.params if not p.variadic)
        variadic = next((p.name for p in builtin.params if p.variadic), None)
        lines.append(f"    {name!r}: ({params!r}, {variadic!r}),\n")
    lines.append("}\n")
    return "".join(lines)


if __name__ == "__main__":
    TABLE_PATH.write_text(table_source(), encoding="utf-8")
    print(f"wrote {TABLE_PATH}")
