"""What `flowlang test` prints, as snapshots a person has read (update with `pytest --snapshot-update`).

The snapshots show a passing run and a report with each kind of failure: a wrong value with the test's
message, a long value with its diff, a multi-line expectation, an `in` that does not hold, an expectation
that cannot be evaluated, and a call no `given` answers; each seen by both engines, so shown once.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion

from flowlang.testing.runner import main

FLOWS = Path(__file__).parent / "flows"


def report(monkeypatch: pytest.MonkeyPatch, *paths: str, cwd: Path = FLOWS, **options: object) -> tuple[int, str]:
    monkeypatch.chdir(cwd)
    out = io.StringIO()
    code = main(list(paths), out=out, **options)  # type: ignore[arg-type]
    text = re.sub(r"=+ (\d+ passed, \d+ failed) in \d+\.\d\ds =+", r"=== \1 in <time> ===", out.getvalue())
    return code, text


def test_the_report_of_failing_tests(monkeypatch: pytest.MonkeyPatch, snapshot: SnapshotAssertion) -> None:
    code, text = report(monkeypatch, "report_test.flow")
    assert code == 1
    assert text == snapshot


def test_the_report_of_passing_tests(monkeypatch: pytest.MonkeyPatch, snapshot: SnapshotAssertion) -> None:
    code, text = report(monkeypatch, "shop_test.flow", engine="interpreter")
    assert code == 0
    assert text == snapshot


def test_a_test_file_that_does_not_check(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                         snapshot: SnapshotAssertion) -> None:
    (tmp_path / "broken_test.flow").write_text(
        'import "shop.flow"\n\ntest "t" {\n  given shop.list_order returns {status: 200}\n  run invoice\n}\n',
        encoding="utf-8")
    (tmp_path / "shop.flow").write_text((FLOWS / "shop.flow").read_text(encoding="utf-8"), encoding="utf-8")
    code, text = report(monkeypatch, "broken_test.flow", cwd=tmp_path)
    assert code == 1
    assert text == snapshot
