"""`flowlang test` on real test blocks: both engines, mocks, the virtual clock, failure output, JUnit."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

from flowlang.testing.runner import main

FLOWS = Path(__file__).parent / "flows"


def run(*paths: Path, **options: object) -> tuple[int, str]:
    out = io.StringIO()
    code = main([str(p) for p in paths], out=out, **options)  # type: ignore[arg-type]
    return code, re.sub(r" in \d+\.\d\ds", " in <time>", out.getvalue())


def test_passing_tests_pass_on_both_engines() -> None:
    code, out = run(FLOWS / "shop_test.flow")
    assert code == 0, out
    assert "engines: interpreter, compiled" in out
    assert "4 passed, 0 failed" in out


def test_retry_after_an_hour_takes_no_real_time() -> None:
    started = time.perf_counter()
    code, out = run(FLOWS / "shop_test.flow", pattern="virtual clock")
    assert code == 0, out
    assert "1 passed, 0 failed" in out
    assert time.perf_counter() - started < 1.0


def test_failures_show_the_expectation_the_values_and_unmocked_calls() -> None:
    code, out = run(FLOWS / "failing_test.flow", engine="interpreter")
    assert code == 1
    file = str(FLOWS / "failing_test.flow")
    assert out.splitlines()[-1].startswith("=") and "0 passed, 2 failed in <time>" in out
    assert f"{file}:9:3\n    expect result == {{invoiced: 3}}, \"every order is invoiced\"\n" in out
    assert "  every order is invoiced\n  expected: {\"invoiced\": 3}\n  actual:   {\"invoiced\": 1}\n" in out
    assert "unmocked call GET http://127.0.0.1:9/shop/orders/A (shop.get_order): mock it with " \
           "`given shop.get_order returns {status: …}`" in out


def test_junit_report(tmp_path: Path) -> None:
    target = tmp_path / "junit.xml"
    code, _ = run(FLOWS / "failing_test.flow", engine="compiled", junit=str(target))
    xml = target.read_text(encoding="utf-8")
    assert code == 1
    assert '<testsuite name="flowlang" tests="2" failures="2"' in xml
    assert 'name="expects the wrong count"' in xml and "<failure" in xml


def test_a_junit_file_that_cannot_be_written_fails_before_any_test_runs(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    code, out = run(FLOWS / "shop_test.flow", junit=str(blocker / "junit.xml"))
    assert code == 2
    assert out == f"error: cannot write {blocker / 'junit.xml'}: Not a directory\n"  # and no test ran


def test_coverage_on_the_interpreter_alone_is_a_usage_error_saying_why() -> None:
    code, out = run(FLOWS / "shop_test.flow", engine="interpreter", coverage=True)
    assert code == 2
    assert "--coverage is measured on the compiled engine" in out


def test_coverage_lists_statements_no_test_reached() -> None:
    code, out = run(FLOWS / "shop_test.flow", pattern="virtual clock", coverage=True)
    assert code == 0
    line = next(line for line in out.splitlines() if line.startswith(str(FLOWS / "shop.flow")))
    assert "not reached: 15, 16, 17, 18, 19, 21" in line, line
