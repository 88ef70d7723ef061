"""Smoke tests of bench/: every benchmark runs on tiny sizes and its implementations agree (no timings)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from bench import gen_flow, gen_orders, mapping, mapping_hand  # noqa: E402
from bench.checker import bench_checker  # noqa: E402
from bench.common import Table, checked_project  # noqa: E402
from bench.http_sync import bench_http  # noqa: E402
from bench.memory import bench_memory  # noqa: E402
from bench.parallel import bench_parallel  # noqa: E402


@pytest.fixture(autouse=True)
def bytecode_caches(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Child processes keep bytecode caches (one directory for the session), as `bench/run.py` does."""
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
    monkeypatch.setenv("PYTHONPYCACHEPREFIX", str(tmp_path_factory.getbasetemp() / "pycache"))


def labels(table: Table) -> list[str]:
    return [row.label for row in table.rows]


def test_mapping_outputs_agree_across_implementations() -> None:
    table = mapping.bench_mapping(records=20, repeat=1)
    expected = ["hand-written Python", "flowlang compiled", "flowlang interpreter"]
    if mapping.jq_path() is not None:
        expected.append("jq (mapping only, see note)")
    assert labels(table) == expected
    assert any(note.startswith("outputs identical") for note in table.notes)


def test_mapping_reports_an_implementation_that_differs(monkeypatch: pytest.MonkeyPatch) -> None:
    original = mapping_hand.sales_order

    def wrong(order: dict[str, Any]) -> dict[str, Any]:
        return {**original(order), "country": "XX"}

    monkeypatch.setattr(mapping_hand, "sales_order", wrong)
    with pytest.raises(AssertionError, match="differ"):
        mapping.bench_mapping(records=5, repeat=1)


def test_mapping_without_jq_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mapping, "jq_path", lambda: None)
    table = mapping.bench_mapping(records=5, repeat=1)
    assert "jq not installed: the jq row is skipped" in table.notes
    assert not any(label.startswith("jq") for label in labels(table))


def test_http_engines_send_every_record_once() -> None:
    table = bench_http(records=40, repeat=1)  # raises unless each run's result and server count are 40
    assert labels(table) == ["hand-written httpx.AsyncClient", "flowlang compiled", "flowlang interpreter"]


def test_parallel_engines_send_every_record_once_at_each_number_in_flight() -> None:
    tables = bench_parallel(records=12, repeat=1, latency_ms=1, flights=[2, 4])  # raises unless 12 arrived
    assert [t.title.split(", ")[1] for t in tables] == ["2 in flight", "4 in flight"]
    assert all(labels(t) == ["hand-written httpx.AsyncClient", "flowlang compiled", "flowlang interpreter"]
               for t in tables)


def test_parallel_modules_compares_compiled_modules_side_by_side(tmp_path: Path) -> None:
    from bench.common import compile_flow
    from bench.parallel import FLOW
    from bench.parallel_modules import compare

    flow = tmp_path / "parallel_2.flow"
    flow.write_text(FLOW.format(n=2), encoding="utf-8")
    compile_flow(flow, tmp_path / "a.py")
    compile_flow(flow, tmp_path / "b.py")
    table = compare([tmp_path / "a.py", tmp_path / "b.py"], flight=2, records=6, repeat=1)
    assert [row.label for row in table.rows] == ["hand-written", "a.py", "b.py"]
    assert all(float(row.cells["best s"]) > 0 for row in table.rows)


def test_memory_runs_both_engines_over_all_pages() -> None:
    table = bench_memory(small=1, large=2, warm=False)  # raises unless each run returns every record
    assert labels(table) == ["flowlang interpreter", "flowlang compiled"]


def test_checker_bench_checks_generated_flows_and_times_the_cli() -> None:
    table = bench_checker(sizes=[200, 300], repeat=1, cli_repeat=1)
    assert [label for label in labels(table) if label.endswith("00 lines")] == [
        "parse+check in process, 200 lines", "`flowlang check`, 200 lines",
        "parse+check in process, 300 lines", "`flowlang check`, 300 lines",
    ]
    assert "`flowlang --version`" in labels(table)


def test_generated_flow_checks_clean(tmp_path: Path) -> None:
    path = tmp_path / "generated.flow"
    path.write_text(gen_flow.generate(500), encoding="utf-8")
    checked_project(path)  # raises on check errors


def test_order_generator_is_seeded() -> None:
    assert gen_orders.generate(50, seed=3) == gen_orders.generate(50, seed=3)
    assert gen_orders.generate(50, seed=3) != gen_orders.generate(50, seed=4)


@pytest.mark.parametrize(
    "script", [["gen_orders.py", "3"], ["gen_flow.py", "40"]], ids=["gen_orders", "gen_flow"]
)
def test_generator_scripts_write_their_output(script: list[str], tmp_path: Path) -> None:
    out = tmp_path / "out"
    subprocess.run([sys.executable, str(REPO / "bench" / script[0]), *script[1:], "-o", str(out)],
                   check=True, timeout=60)
    assert out.stat().st_size > 0
    if script[0] == "gen_orders.py":
        assert len(json.loads(out.read_text(encoding="utf-8"))) == 3


def test_openapi_load_script_exits_0() -> None:
    done = subprocess.run([sys.executable, str(REPO / "bench" / "openapi_load.py"), "--repeat", "1"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "check a flow against carts-orders" in done.stdout


def test_run_script_rejects_an_unknown_benchmark() -> None:
    done = subprocess.run([sys.executable, str(REPO / "bench" / "run.py"), "--only", "nonsense"],
                          capture_output=True, text=True, timeout=60, env={**os.environ})
    assert done.returncode == 2
    assert "unknown benchmark(s): nonsense" in done.stderr


def test_workloads_run_as_whole_processes_with_identical_outputs() -> None:
    from bench.workloads import WORKLOADS, bench_workloads

    table = bench_workloads(scale=0.0002, repeat=1, warm=False)  # 10, 20 and 40 records
    assert [row.label for row in table.rows] == [
        f"{w.name}: {impl}" for w in WORKLOADS for impl in ("hand-written", "compiled", "interpreter")]
    assert any(note.endswith("outputs byte-identical") for note in table.notes)


def test_workloads_report_an_engine_whose_output_differs(monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path: Path) -> None:
    from bench import workloads

    wrong = tmp_path / "report_hand.py"
    wrong.write_text("print('{}')\n", encoding="utf-8")
    monkeypatch.setattr(workloads.Workload, "hand", property(lambda self: wrong))
    with pytest.raises(AssertionError, match="differs from the hand-written"):
        workloads.bench_workload(workloads.WORKLOADS[1], records=5, repeat=1, warm=False)


def test_startup_benchmark_runs_every_row(monkeypatch: pytest.MonkeyPatch) -> None:
    from bench import startup

    monkeypatch.setattr(startup, "github_document", lambda: None)  # no 13 MB download in the tests
    table = startup.bench_startup(repeat=1)
    assert [row.label for row in table.rows][:2] == ["python -c pass", "hand-written mapping, empty input"]
    assert "npm not found (or offline): the github.flow rows are skipped" in table.notes
