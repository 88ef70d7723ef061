"""RunLog: text and JSON lines, secret masking, success/failure counts, summary, progress bar."""

from __future__ import annotations

import io
import json
import threading
from datetime import datetime, timedelta, timezone

import pytest

from flowlang.runtime.errors import FlowError
from flowlang.runtime.runlog import LOG_LEVELS, RunLog, mask_secrets

NOON = datetime(2026, 1, 1, 12, 0, 3, 250000, tzinfo=timezone(timedelta(hours=1)))
WHERE = ("sync.flow", 14, 7)


def make_log(fmt: str = "text", **options: object) -> tuple[RunLog, io.StringIO]:
    stream = io.StringIO()
    return RunLog(stream, fmt=fmt, clock=lambda: NOON, **options), stream  # type: ignore[arg-type]


def test_a_text_line_has_time_level_location_and_message() -> None:
    log, out = make_log()
    log.record("info", "customer 7 created", WHERE)
    assert out.getvalue() == "12:00:03 INFO sync.flow:14 customer 7 created\n"


@pytest.mark.parametrize("level", LOG_LEVELS)
def test_every_level_is_written_in_upper_case(level: str) -> None:
    log, out = make_log()
    log.record(level, "x", WHERE)
    assert out.getvalue().split()[1] == level.upper()


def test_values_that_are_not_strings_are_logged_as_json_text() -> None:
    log, out = make_log()
    log.record("info", {"id": 7, "tags": ["a"], "ok": True}, WHERE)
    assert out.getvalue().endswith(' {"id": 7, "tags": ["a"], "ok": true}\n')


def test_a_json_line_is_one_object_with_time_level_file_line_message() -> None:
    log, out = make_log("json")
    log.record("warn", "slow réponse", WHERE)
    assert json.loads(out.getvalue()) == {
        "time": "2026-01-01T12:00:03.250+01:00",
        "level": "warn",
        "file": "sync.flow",
        "line": 14,
        "message": "slow réponse",
    }


def test_secrets_are_masked_in_text_lines() -> None:
    log, out = make_log(secrets={"s3cr3t-token"})
    log.record("info", "calling with s3cr3t-token and again s3cr3t-token", WHERE)
    assert "s3cr3t" not in out.getvalue()
    assert out.getvalue().endswith("calling with *** and again ***\n")


def test_secrets_are_masked_in_json_lines() -> None:
    log, out = make_log("json", secrets={'pa"ss'})
    log.record("error", 'bad password pa"ss', WHERE)
    assert json.loads(out.getvalue())["message"] == "bad password ***"


def test_secrets_read_after_the_log_was_made_are_masked_too() -> None:
    secrets: set[str] = set()
    log, out = make_log(secrets=secrets)
    secrets.add("late-secret")
    log.record("info", "token late-secret", WHERE)
    assert out.getvalue().endswith("token ***\n")


def test_a_short_secret_is_masked_where_it_stands_alone_not_inside_other_words() -> None:
    text = "pin 4242 sent; order 142420 at 14:42:42, user=4242&x, 'abc' in abcde"
    assert mask_secrets(text, {"4242", "abc"}) == "pin *** sent; order 142420 at 14:42:42, user=***&x, '***' in abcde"


def test_a_secret_of_six_characters_or_more_is_masked_everywhere() -> None:
    assert mask_secrets("xxs3cr3tyy and s3cr3t", {"s3cr3t"}) == "xx***yy and ***"


def test_a_longer_secret_containing_a_shorter_one_is_masked_whole() -> None:
    assert mask_secrets("key abcdef", {"abc", "abcdef"}) == "key ***"


def test_success_and_failure_records_are_counted() -> None:
    log, _ = make_log()
    for level in ("success", "success", "failure", "info", "warn", "error", "debug"):
        log.record(level, "x", WHERE)
    assert (log.succeeded, log.failed) == (2, 1)


def test_an_unknown_level_is_a_data_error_at_the_log_statement() -> None:
    log, _ = make_log()
    with pytest.raises(FlowError) as caught:
        log.record("verbose", "x", WHERE)
    assert (caught.value.kind, caught.value.where) == ("data", WHERE)


def test_the_summary_of_a_successful_run() -> None:
    log, out = make_log()
    log.record("success", "a", WHERE)
    log.record("failure", "b", WHERE)
    out.truncate(0)
    out.seek(0)
    log.summary("ok", requests=12, seconds=0.4213)
    assert out.getvalue() == "12:00:03 INFO run finished: 1 succeeded, 1 failed, 12 requests in 0.42s\n"


def test_the_summary_of_a_failed_run_is_an_error_line() -> None:
    log, out = make_log()
    log.summary("failed", requests=1, seconds=2)
    assert out.getvalue() == "12:00:03 ERROR run failed: 0 succeeded, 0 failed, 1 request in 2.00s\n"


def test_the_json_summary_carries_the_counts_as_fields() -> None:
    log, out = make_log("json")
    log.record("success", "a", WHERE)
    log.summary("interrupted", requests=3, seconds=1.23456)
    summary = json.loads(out.getvalue().splitlines()[-1])
    assert summary["level"] == "warn"
    assert (summary["status"], summary["succeeded"], summary["failed"], summary["requests"], summary["seconds"]) == (
        "interrupted", 1, 0, 3, 1.235,
    )


def test_an_error_report_shows_the_error_then_the_call_stack() -> None:
    log, out = make_log(secrets={"hunter2"})
    err = FlowError("data", "bad token hunter2", ("sync.flow", 31, 18), hint="did you mean 'quantity'?")
    err.stack = ["func normalize at sync.flow:31:18", "flow sync at sync.flow:12:5"]
    log.error_report(err)
    assert out.getvalue().splitlines() == [
        "sync.flow:31:18: error: bad token *** (did you mean 'quantity'?)",
        "  in func normalize at sync.flow:31:18",
        "  in flow sync at sync.flow:12:5",
    ]


def test_a_json_error_report_is_one_object_with_kind_and_stack() -> None:
    log, out = make_log("json")
    err = FlowError("http", "POST /customers answered 422", ("sync.flow", 3, 9), status=422)
    err.stack = ["flow sync at sync.flow:3:9"]
    log.error_report(err)
    report = json.loads(out.getvalue())
    assert (report["level"], report["kind"], report["status"], report["line"], report["column"]) == (
        "error", "http", 422, 3, 9,
    )
    assert report["stack"] == ["flow sync at sync.flow:3:9"]


def test_no_progress_bar_when_not_a_terminal() -> None:
    log, out = make_log(interactive=False)
    log.progress(1, 10)
    assert out.getvalue() == ""


def test_no_progress_bar_in_json_logs_even_on_a_terminal() -> None:
    log, out = make_log("json", interactive=True)
    log.progress(1, 10)
    assert out.getvalue() == ""


def test_a_progress_bar_on_a_terminal_is_drawn_then_cleared_when_done() -> None:
    log, out = make_log(interactive=True)
    log.progress(5, 10)
    assert out.getvalue().endswith("[" + "#" * 15 + "." * 15 + "] 5/10")
    log.progress(10, 10)
    assert out.getvalue().endswith("\r\x1b[K")


def test_a_log_line_during_progress_is_written_above_the_bar() -> None:
    log, out = make_log(interactive=True)
    log.progress(1, 4)
    log.record("info", "hello", WHERE)
    assert out.getvalue().endswith("\r\x1b[K12:00:03 INFO sync.flow:14 hello\n[" + "#" * 7 + "." * 23 + "] 1/4")


def test_lines_written_from_many_threads_are_never_interleaved() -> None:
    log, out = make_log()

    def write(n: int) -> None:
        for i in range(200):
            log.record("info", f"thread {n} line {i} " + "x" * 50, WHERE)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = out.getvalue().splitlines()
    assert len(lines) == 1600
    assert all(line.startswith("12:00:03 INFO sync.flow:14 thread ") and line.endswith("x" * 50) for line in lines)


def test_a_deep_recursion_in_the_stack_is_shortened_with_a_count() -> None:
    log, out = make_log()
    err = FlowError("limit", "recursion limit reached (200 nested calls)", ("r.flow", 5, 10))
    err.stack = ["func down at r.flow:5:10"] * 200 + ["flow rec at r.flow:9:10"]
    log.error_report(err)
    assert out.getvalue().splitlines()[1:] == [
        "  in func down at r.flow:5:10",
        "  in func down at r.flow:5:10",
        "  in func down at r.flow:5:10",
        "  ... the line above repeated 197 more times",
        "  in flow rec at r.flow:9:10",
    ]
