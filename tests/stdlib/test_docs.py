"""Every example in docs/stdlib.md runs through the interpreter and gives the documented result."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from flowlang.stdlib import load_all

from flowlang.interpreter import eval_expression

DOC = Path(__file__).resolve().parents[2] / "docs" / "stdlib.md"
EXAMPLE = re.compile(r"(?P<expr>\S.*?)  # => (?P<expected>\S.*)")


@dataclass(frozen=True)
class Example:
    section: str
    line: int
    expr: str
    expected: str

    def __str__(self) -> str:
        return f"{self.section}:{self.line}"


def read_examples() -> tuple[list[Example], list[str]]:
    """The examples of every ```flow block, and the lines in such blocks that are not examples."""
    examples: list[Example] = []
    malformed: list[str] = []
    section = ""
    in_block = False
    for number, line in enumerate(DOC.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("### "):
            section = line[4:].strip()
        elif line.strip() == "```flow":
            in_block = True
        elif line.strip() == "```":
            in_block = False
        elif in_block:
            m = EXAMPLE.fullmatch(line)
            if m:
                examples.append(Example(section, number, m["expr"], m["expected"]))
            else:
                malformed.append(f"{number}: {line}")
    return examples, malformed


EXAMPLES, MALFORMED = read_examples()


def test_every_line_of_a_flow_block_is_an_example() -> None:
    assert MALFORMED == []


def test_every_builtin_has_a_section_with_an_example() -> None:
    documented = {e.section for e in EXAMPLES}
    assert sorted(set(load_all()) - documented) == []


def test_every_section_gives_the_signature_and_the_errors() -> None:
    sections = re.split(r"^### ", DOC.read_text(encoding="utf-8"), flags=re.MULTILINE)[1:]
    for text in sections:
        name, _, body = text.partition("\n")
        assert re.search(rf"^`{name}\(.*\) -> \w+`$", body, re.MULTILINE), name
        assert re.search(r"^Errors: ", body, re.MULTILINE), name


def test_every_section_is_a_builtin_and_its_examples_call_it() -> None:
    builtins = load_all()
    for example in EXAMPLES:
        assert example.section in builtins, example
        assert re.search(rf"\b{example.section}\(", example.expr), example


@pytest.mark.parametrize("example", EXAMPLES, ids=str)
def test_example_gives_the_documented_result(example: Example) -> None:
    expected = json.loads(example.expected)
    result = eval_expression(example.expr)
    assert json.dumps(result, ensure_ascii=False) == json.dumps(expected, ensure_ascii=False)
