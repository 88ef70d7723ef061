"""Runaway flows and interrupted runs end with a clear message and the documented exit code."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time

from e2e.harness import TRACEBACK, Write, flowlang, run_both

MEMORY = 600_000_000  # bytes of address space: enough to start, soon exhausted by a doubling text


def test_a_flow_that_exhausts_memory_fails_with_a_limit_error(write: Write) -> None:
    flow = write("grow.flow", 'flow a {\n  s = "ab"\n  while true {\n    s = s + s\n  }\n}\n')
    result = run_both(flow, memory=MEMORY)
    assert result.code == 3
    assert "error: the flow ran out of memory (does a loop make a list or a text grow without end?)" in result.err


def test_a_builtin_given_an_absurd_size_is_a_located_data_error(write: Write) -> None:
    flow = write("pad.flow", 'flow a {\n  return pad_left("7", 1e300)\n}\n')
    result = run_both(flow)
    assert result.code == 3
    assert "pad.flow:2:10: error: pad_left() expects width to be between" in result.err


def test_ctrl_c_stops_a_compiled_module_and_records_the_run_as_interrupted(write: Write) -> None:
    # 1e10 seconds is longer than the platform's clock can wait in one go
    flow = write("slow.flow", 'flow a {\n  log info "waiting"\n  wait 1e10\n}\n')
    assert flowlang("compile", flow.name, "-o", "slow.py", cwd=flow.parent).code == 0
    process = subprocess.Popen([sys.executable, "slow.py", "--state", "s.db"], cwd=flow.parent,
                               stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert process.stderr is not None
    assert "waiting" in process.stderr.readline()  # the run has started
    time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert "run interrupted" in err and TRACEBACK not in err
    with sqlite3.connect(flow.parent / "s.db") as con:
        assert [row[0] for row in con.execute("SELECT status FROM runs")] == ["interrupted"]


def test_runs_refuses_a_limit_below_one(write: Write) -> None:
    result = flowlang("runs", "--limit", "0", cwd=write("x.flow", "").parent)
    assert result.code == 2
    assert "Invalid value for '--limit'" in result.err


def test_a_value_nested_too_deeply_to_log_fails_with_a_hint(write: Write) -> None:
    flow = write("deep.flow", "flow a {\n  x = {}\n  n = 0\n  while n < 20000 {\n    x = {a: x}\n    n += 1\n  }\n"
                 "  log info x\n}\n")
    result = run_both(flow)
    assert result.code == 3
    assert "or is a value nested thousands of levels deep?" in result.err
