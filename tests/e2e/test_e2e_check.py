"""Mistakes a newcomer makes in `flowlang check`: the message says what to write instead."""

from __future__ import annotations

from pathlib import Path

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
    assert "/dev/zero:1:1: error[E011]: cannot read '/dev/zero': larger than 64 MiB" in result.out
