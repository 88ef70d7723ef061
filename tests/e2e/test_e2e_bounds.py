"""Bounded waits and deadlines through `flowlang run` and the compiled module alike."""

from __future__ import annotations

from runtime_http.raw_servers import RawServer, reset_mid_response, trickle
from runtime_http.servers import FakeServer

from e2e.harness import Write, flowlang, run_both

FLOW = """\
system busy {
  base_url: env("BUSY_URL")
  retry: 3
  max_wait: 2m
  GET report "/report"
}
system slow {
  base_url: env("SLOW_URL")
  timeout: 1s
  GET report "/report"
}
system flaky {
  base_url: env("FLAKY_URL")
  GET report "/report"
}
flow bounded {
  try {
    call busy.report()
  } catch e {
    log warn e.message
  }
  try {
    call slow.report()
  } catch e {
    log warn "{e.kind}: {e.message}"
  }
  call flaky.report()
}
"""


def test_retry_after_timeouts_and_resets_end_in_clear_errors_on_both_engines(write: Write) -> None:
    with FakeServer() as busy, RawServer(trickle(b'{"rows": [1, 2, 3, 4, 5]}', every=0.2)) as slow, \
            RawServer(reset_mid_response(b'{"rows": [', length=100)) as flaky:
        busy.reply("GET", "/report", 503, headers={"retry-after": "86400"})
        flow = write("bounded.flow", FLOW)
        result = run_both(flow, env={"BUSY_URL": busy.url, "SLOW_URL": slow.url, "FLAKY_URL": flaky.url})
    assert result.code == 3
    assert ("WARN bounded.flow:20 busy.report failed: HTTP 503 Service Unavailable, and the server asks to wait "
            "86400s (Retry-After: 86400), more than max_wait (120s)") in result.err
    assert "WARN bounded.flow:25 timeout: slow.report: request timed out after 1s" in result.err
    assert ("bounded.flow:27:3: error: flaky.report: request failed: the server closed the connection "
            "mid-response (after HTTP 200 began") in result.err
    assert len(busy.received()) == 2  # one attempt per engine, no retry after a refused wait


def test_the_checker_knows_max_wait(write: Write) -> None:
    flow = write("wait.flow", 'system a {\n  base_url: "http://x"\n  max_wait: -1s\n}\nflow f {\n  return 1\n}\n')
    result = flowlang("check", flow.name, cwd=flow.parent)
    assert result.code == 1 and "wait.flow:3:13: error[E215]: 'max_wait' must be greater than 0" in result.out + result.err
