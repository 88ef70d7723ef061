"""`for … parallel N` against a real server on 127.0.0.1: N requests in flight, waits overlapping, both engines."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest
from runtime_http.servers import FakeServer, Reply

from e2e.harness import Result, _compile, flowlang, run_command

FLOW = """\
system api {
  base_url: env("API_URL")
  GET slow "/slow"
}

flow fan {
  total = 0
  for n in range(0, 24) parallel 8 {
    r = call api.slow(query: {n: n})
    wait 0.2s
    total += r.body.n
  }
  return {total: total}
}
"""


def _run(engine: str, flow: Path, url: str) -> tuple[Result, float]:
    env = {"API_URL": url}
    if engine == "compiled":  # compiled before the clock starts
        flow.with_suffix(".py").write_text(_compile(flow), encoding="utf-8")
    started = time.monotonic()
    if engine == "interpreter":
        result = flowlang("run", flow.name, "--state", "i.db", cwd=flow.parent, env=env)
    else:
        result = run_command([sys.executable, flow.with_suffix(".py").name, "--state", "c.db"], flow.parent, env=env)
    return result, time.monotonic() - started


@pytest.mark.parametrize("engine", ["interpreter", "compiled"])
def test_a_parallel_loop_keeps_n_requests_in_flight_and_its_waits_overlap(tmp_path: Path, engine: str) -> None:
    flow = tmp_path / "fan.flow"
    flow.write_text(FLOW, encoding="utf-8")
    with FakeServer() as server:
        server.route("GET", "/slow", lambda req: Reply(json={"n": int(req.arg("n") or 0)}, delay=0.2))
        result, seconds = _run(engine, flow, server.url)
        assert result.code == 0, result.err
        assert json.loads(result.out) == {"total": sum(range(24))}
        assert server.max_in_flight == 8
    # 24 items, 8 at a time, each 0.2 s of response and 0.2 s of wait: 1.2 s; waits one after the other: 5.4 s
    assert seconds < 3.5, f"{engine} took {seconds:.1f} s"
