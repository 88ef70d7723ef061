"""Random mutations of the examples never crash or hang the parser and checker: diagnostics only."""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowlang.checker import check
from flowlang.diagnostics import Diagnostic
from flowlang.loader import load_project

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SOURCES = {p.name: p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.flow"))}
# fragments that stress the grammar: brackets, quotes, interpolation, keywords, odd bytes
FRAGMENTS = [
    "{", "}", "(", ")", "[", "]", '"', '"""', "{x}", "\\", "\n", "\r\n", "\t", "#", ",", ":", "=", "=>",
    "?.", "??", "if ", " else ", "for ", " in ", "each ", "call ", "parallel ", "return ", "log info ",
    "try {", "} catch e {", "1e", "5ms", "-", "not ", "\x00", "\ufeff", "é", "😀", "state.", "source.",
]


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, str]:
    name = draw(st.sampled_from(sorted(SOURCES)))
    text = SOURCES[name]
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 40)))
        action = draw(st.sampled_from(["delete", "insert", "replace", "duplicate"]))
        if action == "delete":
            text = text[:i] + text[j:]
        elif action == "insert":
            text = text[:i] + draw(st.sampled_from(FRAGMENTS)) + text[i:]
        elif action == "replace":
            text = text[:i] + draw(st.text(max_size=5)) + text[j:]
        else:
            text = text[:i] + text[i:j] * 2 + text[j:]
    return name, text


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=mutated())
def test_mutated_examples_give_diagnostics_not_crashes(case: tuple[str, str], tmp_path: Path) -> None:
    name, text = case
    workdir = tmp_path / "w"
    if not workdir.exists():
        shutil.copytree(EXAMPLES, workdir, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    target = workdir / name
    target.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    diagnostics = check(load_project(str(target)))
    assert all(isinstance(d, Diagnostic) for d in diagnostics)
    for d in diagnostics:
        assert d.span.line >= 1 and d.span.column >= 1 and d.message
