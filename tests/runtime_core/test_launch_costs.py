"""What launch() does for speed (issue 16) without changing what a run does: GC frozen around the input,
no httpx for a flow without systems, the result parsed back only when asked for."""

from __future__ import annotations

import gc
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from flowlang.runtime.ambient import Ambient
from flowlang.runtime.context import Run
from flowlang.runtime.launcher import EXIT_OK, EXIT_USAGE, execute, launch
from flowlang.runtime.runlog import RunLog
from flowlang.runtime.state import StateStore


def _launch(tmp_path: Path, body: Any, input_text: str | None = None) -> tuple[int, str]:
    stdout = io.StringIO()
    input_path = None
    if input_text is not None:
        input_path = tmp_path / "input.json"
        input_path.write_text(input_text, encoding="utf-8")
    code = launch(file="f.flow", flow_name="f", slug="f", build_systems=dict, body=body,
                  input_path=str(input_path) if input_path else None, state_path=str(tmp_path / "s.db"),
                  stdout=stdout, stderr=io.StringIO())
    return code, stdout.getvalue()


def test_the_input_is_parsed_with_the_collector_paused_and_frozen_during_the_run(tmp_path: Path) -> None:
    seen: dict[str, Any] = {}

    def body(run: Run) -> Any:
        seen["frozen"] = gc.get_freeze_count()
        seen["enabled"] = gc.isenabled()
        return len(run.source)

    code, out = _launch(tmp_path, body, json.dumps([{"n": i} for i in range(1000)]))
    assert (code, json.loads(out)) == (EXIT_OK, 1000)
    assert seen["frozen"] > 1000 and seen["enabled"]  # the input's objects are frozen, the collector runs
    assert gc.get_freeze_count() == 0 and gc.isenabled()  # all given back when launch() returns


def test_a_bad_input_leaves_the_collector_as_it_was(tmp_path: Path) -> None:
    code, _ = _launch(tmp_path, lambda run: None, "[1, 2")
    assert code == EXIT_USAGE
    assert gc.get_freeze_count() == 0 and gc.isenabled()


def test_the_result_is_printed_as_before_and_parsed_back_only_when_read(tmp_path: Path) -> None:
    result = {"b": [1, 2.5, "é"], "a": None}
    code, out = _launch(tmp_path, lambda run: result)
    assert code == EXIT_OK
    assert out == json.dumps(result, ensure_ascii=False, indent=2) + "\n"
    store = StateStore(str(tmp_path / "x.db"))
    with store:
        outcome = execute(flow_name="f", slug="f", build_systems=dict, body=lambda run: result, source=None,
                          store=store, ambient=Ambient.from_env({}), log=RunLog(io.StringIO()))
    assert outcome.result_json == json.dumps(result, ensure_ascii=False, indent=2)
    assert outcome.result == result and outcome.result is not outcome.result  # parsed on each read


def test_a_flow_without_systems_never_imports_httpx_or_asyncio(tmp_path: Path) -> None:
    flow = tmp_path / "plain.flow"
    flow.write_text('flow plain {\n  return {n: count(source)}\n}\n', encoding="utf-8")
    data = tmp_path / "in.json"
    data.write_text("[1, 2, 3]", encoding="utf-8")
    probe = ("import sys\nfrom flowlang.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in ('httpx', 'asyncio', 'ssl') if m in sys.modules), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", probe, "run", str(flow), "--input", str(data), "--state",
                           str(tmp_path / "s.db")], capture_output=True, text=True, timeout=60)
    assert json.loads(done.stdout) == {"n": 3}
    assert done.stderr.strip().splitlines()[-1] == "[]"
