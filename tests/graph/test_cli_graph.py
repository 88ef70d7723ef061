"""`flowlang graph`: formats, output file, choosing a flow, and errors as one clear line with an exit code."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from click.testing import CliRunner
from graph_support import EXAMPLES

from flowlang.cli import main

WEBHOOK = str(EXAMPLES / "order_webhook.flow")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["graph", *args])
    return result.exit_code, result.stdout, result.stderr


def test_mermaid_is_the_default_and_goes_to_stdout() -> None:
    code, out, _ = run(WEBHOOK)
    assert code == 0 and out.startswith("flowchart TD\n") and "POST erp.create_order" in out


def test_dot_and_svg_formats() -> None:
    code, out, _ = run(WEBHOOK, "--format", "dot")
    assert code == 0 and out.startswith('digraph "flow_order_to_erp" {')
    code, out, _ = run(WEBHOOK, "--format", "svg")
    assert code == 0 and ET.fromstring(out).get("data-testid") == "flowchart"


def test_output_file_is_written_and_named_on_stderr(tmp_path: Path) -> None:
    target = tmp_path / "chart.svg"
    code, out, err = run(WEBHOOK, "--format", "svg", "-o", str(target))
    assert (code, out, err.strip()) == (0, "", f"wrote {target}")
    ET.parse(target)


def test_an_unknown_flow_names_the_flows_there_are() -> None:
    code, out, err = run(WEBHOOK, "--flow", "nope")
    assert code == 1 and out == ""
    assert err.strip() == f"error: {WEBHOOK} has no flow 'nope'; its flows: order_to_erp"


def test_a_syntax_error_is_reported_at_its_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.flow"
    bad.write_text("flow f {\n  x = = 1\n}\n", encoding="utf-8")
    code, out, err = run(str(bad))
    assert code == 1 and out == ""
    assert f"{bad}:2:" in err and "error[" in err and "Traceback" not in err


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    code, _, err = run(str(tmp_path / "missing.flow"))
    assert code == 2 and "error[E010]" in err


def test_check_errors_other_than_syntax_do_not_stop_the_drawing(tmp_path: Path) -> None:
    draft = tmp_path / "draft.flow"
    draft.write_text("flow f {\n  call nowhere.op()\n  return undefined_name\n}\n", encoding="utf-8")
    code, out, _ = run(str(draft))
    assert code == 0 and "nowhere.op" in out
