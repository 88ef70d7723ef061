"""Mistakes a newcomer makes in `flowlang check`: the message says what to write instead."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from e2e.harness import Write, flowlang


def test_commas_between_operation_options_get_a_one_per_line_hint(write: Write) -> None:
    flow = write("comma.flow", 'system api {\n  base_url: "http://x"\n  GET a "/a" { items: "data", retry: 2 }\n}\n')
    result = flowlang("check", flow.name, cwd=flow.parent)
    assert result.code == 1
    assert result.out.splitlines()[0] == "comma.flow:3:29: error[E001]: unexpected `,`; expected `}` or end of line"
    assert "hint: in a block, settings, options and statements go one per line, without commas" in result.out


def test_an_endless_file_is_refused_instead_of_read_into_memory(tmp_path: Path) -> None:
    result = flowlang("check", "/dev/zero", cwd=tmp_path)
    assert result.code == 2
    assert "/dev/zero:1:1: error[E011]: cannot read '/dev/zero': it is a character device, not a regular file" in result.out


@pytest.mark.parametrize("command", ["check", "run", "compile", "fmt", "test"])
def test_a_fifo_is_refused_at_once_instead_of_waited_on(tmp_path: Path, command: str) -> None:
    os.mkfifo(tmp_path / "pipe.flow")  # no writer ever opens it: reading would block forever
    result = flowlang(command, "pipe.flow", cwd=tmp_path)
    assert result.code in (1, 2)
    assert "cannot read 'pipe.flow': it is a named pipe (FIFO), not a regular file" in result.out + result.err \
        or "cannot read pipe.flow: it is a named pipe (FIFO), not a regular file" in result.err


def test_an_import_of_a_fifo_is_refused_at_the_import(write: Write) -> None:
    os.mkfifo(write("main.flow", 'import "pipe.flow"\nflow f {\n  return 1\n}\n').parent / "pipe.flow")
    result = flowlang("check", "main.flow", cwd=write("x", "").parent)
    assert result.code == 2
    assert result.out.splitlines()[:3] == [
        "main.flow:1:8: error[E011]: cannot read 'pipe.flow': it is a named pipe (FIFO), not a regular file",
        '   1 | import "pipe.flow"',
        "     |        ^^^^^^^^^^^",
    ]


SEPARATORS = "\u2028\u2029\x85\f\v"


@pytest.mark.parametrize("char", list(SEPARATORS), ids=["U+2028", "U+2029", "NEL", "form feed", "vertical tab"])
def test_a_line_separator_inside_a_string_never_shifts_the_excerpt_or_caret(write: Write, char: str) -> None:
    flow = write("sep.flow", f'flow f {{\n  note = "a{char}b" + qqq\n  x = zzz\n  return [note, x]\n}}\n')
    result = flowlang("check", flow.name, cwd=flow.parent)
    assert result.code == 1
    assert result.out.splitlines()[:6] == [
        "sep.flow:2:18: error[E101]: undefined variable 'qqq'",
        '   2 |   note = "a␤b" + qqq' if char in "\u2028\u2029\x85" else
        f'   2 |   note = "a{chr(0x2400 + ord(char))}b" + qqq',
        "     |                  ^^^",
        "sep.flow:3:7: error[E101]: undefined variable 'zzz'",
        "   3 |   x = zzz",
        "     |       ^^^",
    ]
