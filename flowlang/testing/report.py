"""What `flowlang test` prints: the header, a dot per test, each failure with its diff, the closing line, JUnit XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, TextIO

from flowlang.diagnostics import render_all_text

if TYPE_CHECKING:
    from flowlang.testing.cases import Failure
    from flowlang.testing.runner import Outcome, Session

WIDTH = 80


def _rule(title: str, char: str = "=") -> str:
    """`===== title =====`, WIDTH wide; a longer title is shown whole between short rules."""
    title = f" {title} " if title else ""
    side = max(3, (WIDTH - len(title)) // 2)
    return char * side + title + char * max(3, WIDTH - side - len(title))


def header(session: Session, out: TextIO) -> None:
    files = len(session.files)
    out.write(_rule("flowlang test") + "\n")
    out.write(f"{files} test file{'' if files == 1 else 's'}, engines: {', '.join(session.engines)}\n\n")


def _failure_lines(failure: Failure, file: str) -> list[str]:
    span = failure.where
    lines = [f"{file}:{span.line}:{span.column}", *(f"    {line}" for line in failure.text.splitlines())]
    lines += [f"  {detail}" for detail in failure.details]
    return lines


def _outcome_lines(outcome: Outcome) -> list[str]:
    """A failed test's report: failures seen by every engine are shown once, naming the engines."""
    lines: list[str] = []
    groups: dict[tuple[str, ...], list[str]] = {}
    for result in outcome.results:
        if not result.failures:
            continue
        key = tuple("\n".join(_failure_lines(f, outcome.case.file)) for f in result.failures)
        groups.setdefault(key, []).append(result.engine)
    for key, engines in groups.items():
        lines.append(f"[{', '.join(engines)}]")
        for block in key:
            lines.extend(block.splitlines())
    if outcome.disagreement:
        lines.append(f"{outcome.case.file}:{outcome.case.test.name_span.line}: the engines disagree")
        lines += [f"  {line}" for line in outcome.disagreement]
    return lines


def failures(session: Session, out: TextIO) -> None:
    failed = [o for o in session.outcomes if not o.passed]
    if not failed and not session.errors:
        return
    out.write("\n" + _rule("FAILURES") + "\n")
    blocks = [[_rule(f"{file} does not check", "_"), render_all_text(diagnostics, sources)]
              for file, diagnostics, sources in session.errors]
    blocks += [[_rule(f'"{outcome.case.name}"', "_"), *_outcome_lines(outcome)] for outcome in failed]
    out.write("\n\n".join("\n".join(block) for block in blocks) + "\n")


def closing(session: Session, out: TextIO) -> None:
    if not session.outcomes and not session.errors:
        out.write("no tests ran\n")
        return
    parts = [f"{session.passed} passed", f"{session.failed} failed"]
    out.write("\n" + _rule(f"{', '.join(parts)} in {session.seconds:.2f}s") + "\n")


def coverage(session: Session, out: TextIO) -> None:
    """Per flow file: how many statements a test reached, and the lines of those none reached."""
    from flowlang.testing.coverage import statement_lines

    out.write("\n" + _rule("coverage") + "\n")
    for file in sorted(statement_lines(session)):
        lines = statement_lines(session)[file]
        reached = session.reached.get(file, set()) & lines
        missed = sorted(lines - reached)
        share = 100 * len(reached) // len(lines) if lines else 100
        shown = ", ".join(str(n) for n in missed) if missed else "-"
        out.write(f"{file}: {len(reached)}/{len(lines)} statements ({share}%), not reached: {shown}\n")


def junit(session: Session) -> str:
    """JUnit XML: one testcase per test (classname: its file), a failure element with the report."""
    suite = ET.Element("testsuite", name="flowlang", tests=str(len(session.outcomes) + len(session.errors)),
                       failures=str(session.failed), time=f"{session.seconds:.3f}")
    for file, diagnostics, sources in session.errors:
        case = ET.SubElement(suite, "testcase", classname=file, name="check")
        error = ET.SubElement(case, "failure", message=f"{file} does not check")
        error.text = render_all_text(diagnostics, sources)
    for outcome in session.outcomes:
        case = ET.SubElement(suite, "testcase", classname=outcome.case.file, name=outcome.case.name,
                             time=f"{outcome.seconds:.3f}")
        if not outcome.passed:
            lines = _outcome_lines(outcome)
            failure = ET.SubElement(case, "failure", message=lines[1].strip() if len(lines) > 1 else "failed")
            failure.text = "\n".join(lines)
    ET.indent(suite)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"
