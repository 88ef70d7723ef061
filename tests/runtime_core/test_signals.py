"""A run stopped by Ctrl-C or SIGTERM is recorded as interrupted, keeps its state, and exits 130/143."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flowlang.runtime.state import StateStore

SCRIPT = textwrap.dedent(
    """
    import sys
    from flowlang.runtime.launcher import launch

    class NoHttp:
        def __init__(self, systems, **options): pass
        def close(self): pass

    def body(run):
        run.state["cursor"] = 1
        if sys.argv[2] == "parallel":
            def one(item):
                if item == 3:
                    run.log("info", "ready", ("wait.flow", 1, 1))
                run.wait(60, ("wait.flow", 2, 1))
            run.parallel_for(range(100), 4, one, ("wait.flow", 3, 1))
        else:
            run.log("info", "ready", ("wait.flow", 1, 1))
            run.wait(60, ("wait.flow", 2, 1))

    sys.exit(launch(file="wait.flow", flow_name="wait", slug="wait", build_systems=dict, body=body,
                    state_path=sys.argv[1], make_http=NoHttp))
    """
)


@pytest.mark.parametrize(
    ("signum", "code", "mode"),
    [(signal.SIGINT, 130, "wait"), (signal.SIGTERM, 143, "wait"), (signal.SIGINT, 130, "parallel"),
     (signal.SIGTERM, 143, "parallel")],
)
def test_a_signal_interrupts_the_run(tmp_path: Path, signum: int, code: int, mode: str) -> None:
    state_path = tmp_path / "state.db"
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(state_path), mode],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    assert "ready" in proc.stderr.readline()
    proc.send_signal(signum)
    _, rest = proc.communicate(timeout=20)
    assert proc.returncode == code
    assert "Traceback" not in rest
    assert "run interrupted" in rest
    with StateStore(state_path) as store:
        assert store.list_runs()[0].status == "interrupted"
        assert store.load("wait") == {}
