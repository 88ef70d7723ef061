"""`flowlang runs show`, `flowlang state show|set|reset` and `flowlang ops`, on real state files and specs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from flowlang.cli import main
from flowlang.runtime.state import StateStore

ROOT = Path(__file__).resolve().parents[2]
FLOW = """\
flow counter {
  state.count = (state.count ?? 0) + 1
  log info "count is {state.count}"
  log success "one record"
  if state.count > 1 {
    fail "second run"
  }
}
"""


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # log lines name files as the command line did


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _two_runs(tmp_path: Path) -> tuple[str, list[str]]:
    (tmp_path / "counter.flow").write_text(FLOW, encoding="utf-8")
    db = str(tmp_path / "s.db")
    assert cli("run", "counter.flow", "--state", db)[0] == 0
    assert cli("run", "counter.flow", "--state", db)[0] == 3
    with StateStore(db) as store:
        return db, [r.id for r in store.list_runs()]  # newest first


def test_runs_show_prints_the_record_counts_and_stored_log_lines(tmp_path: Path) -> None:
    db, (failed, ok) = _two_runs(tmp_path)
    code, out, _ = cli("runs", "show", ok, "--state", db)
    assert code == 0
    fields = dict(line.split(None, 1) for line in out.split("\n\n")[0].splitlines())
    assert (fields["run"], fields["flow"], fields["status"], fields["succeeded"]) == (ok, "counter", "ok", "1")
    assert "INFO counter.flow:3 count is 1" in out and "SUCCESS counter.flow:4 one record" in out
    code, out, _ = cli("runs", "show", failed[:-2], "--state", db)  # a unique start of the id
    assert code == 0 and "failed" in out and 'counter.flow:6:5: error: second run' in out


def test_runs_show_as_json(tmp_path: Path) -> None:
    db, (failed, _) = _two_runs(tmp_path)
    code, out, _ = cli("runs", "show", failed, "--state", db, "--format", "json")
    assert code == 0
    shown = json.loads(out)
    assert shown["run"]["id"] == failed and shown["run"]["status"] == "failed"
    assert shown["run"]["pid"] > 0 and shown["run"]["seconds"] >= 0
    assert [line["level"] for line in shown["logs"]][:3] == ["info", "success", "error"]
    assert shown["logs"][0] == {**shown["logs"][0], "location": "counter.flow:3", "message": "count is 2"}


def test_runs_show_of_an_unknown_or_ambiguous_id_is_a_usage_error(tmp_path: Path) -> None:
    db, _ = _two_runs(tmp_path)
    assert cli("runs", "show", "nope", "--state", db)[0] == 2
    code, _, err = cli("runs", "show", "2", "--state", db)
    assert code == 2 and "more than one run" in err


def test_runs_still_lists_the_history(tmp_path: Path) -> None:
    db, ids = _two_runs(tmp_path)
    code, out, _ = cli("runs", "--state", db, "--flow", "counter")
    assert code == 0 and all(i in out for i in ids)


def test_state_show_set_and_reset(tmp_path: Path) -> None:
    db, _ = _two_runs(tmp_path)
    code, out, _ = cli("state", "show", "--flow", "counter", "--state", db)
    assert code == 0 and json.loads(out) == {"count": 1}
    assert cli("state", "set", "--flow", "counter", "--state", db, "cursor", '{"page": 3}')[0] == 0
    assert cli("state", "set", "--flow", "counter", "--state", db, "count", "null")[0] == 0  # null deletes
    assert json.loads(cli("state", "show", "--flow", "counter", "--state", db)[1]) == {"cursor": {"page": 3}}
    code, _, err = cli("state", "reset", "--flow", "counter", "--state", db)
    assert code == 0 and "deleted 1 key" in err
    assert json.loads(cli("state", "show", "--flow", "counter", "--state", db)[1]) == {}


def test_state_set_refuses_a_value_that_is_not_json_with_a_hint(tmp_path: Path) -> None:
    db, _ = _two_runs(tmp_path)
    code, _, err = cli("state", "set", "--flow", "counter", "--state", db, "name", "ada")
    assert code == 2 and "not JSON" in err and """'"ada"'""" in err


def test_state_of_a_flow_named_by_a_name_that_slugifies_to_its_slug(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    with StateStore(db) as store:
        store.save("sync-orders", {"k": 1})
    assert json.loads(cli("state", "show", "--flow", "sync_orders", "--state", db)[1]) == {"k": 1}


def test_state_without_a_database_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = cli("state", "show", "--flow", "x", "--state", str(tmp_path / "none.db"))
    assert code == 2 and "no state database" in err


DECLARED = """\
system shop {
  base_url: "http://127.0.0.1:1"
  GET list_orders "/orders" {
    items: "orders"
  }
  POST update_order "/orders/{id}"
}
"""


def test_ops_lists_declared_operations(tmp_path: Path) -> None:
    (tmp_path / "shop.flow").write_text(DECLARED, encoding="utf-8")
    code, out, _ = cli("ops", str(tmp_path / "shop.flow"))
    assert code == 0
    lines = [line.split() for line in out.splitlines()]
    assert lines == [["OPERATION", "METHOD", "PATH", "PARAMETERS", "SUMMARY"],
                     ["shop.list_orders", "GET", "/orders", "-"],
                     ["shop.update_order", "POST", "/orders/{id}", "id"]]


def test_ops_lists_an_openapi_systems_operations_with_parameters_and_summary(tmp_path: Path) -> None:
    flow = ROOT / "examples" / "systems.flow"
    code, out, _ = cli("ops", str(flow), "ep", "--format", "json")
    assert code == 0
    rows = {row["operation"]: row for row in json.loads(out)}
    entry = rows["createAnEntry"]
    assert (entry["method"], entry["path"], entry["summary"]) == ("POST", "/v2/flows/{flowSlug}/entries", "Create an Entry")
    assert entry["parameters"] == ["flowSlug", "body"]
    code, out, _ = cli("ops", str(flow), "ep")
    assert code == 0 and "ep.createAnEntry" in out and "Create an Entry" in out
    assert "p21." not in out  # only the system asked for


def test_ops_of_an_unknown_system_suggests_one(tmp_path: Path) -> None:
    (tmp_path / "shop.flow").write_text(DECLARED, encoding="utf-8")
    code, _, err = cli("ops", str(tmp_path / "shop.flow"), "shpo")
    assert code == 2 and "did you mean 'shop'?" in err


def test_ops_of_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    assert cli("ops", str(tmp_path / "none.flow"))[0] == 2


def test_runs_filters_by_status_and_prints_json(tmp_path: Path) -> None:
    db, (failed, ok) = _two_runs(tmp_path)
    code, out, _ = cli("runs", "--state", db, "--status", "failed", "--format", "json")
    assert code == 0
    assert [(r["id"], r["status"]) for r in json.loads(out)] == [(failed, "failed")]
    assert [r["id"] for r in json.loads(cli("runs", "--state", db, "--format", "json")[1])] == [failed, ok]
    code, _, err = cli("runs", "--state", db, "--pipe", "p1")
    assert code == 2 and "--pipe needs --host URL" in err
