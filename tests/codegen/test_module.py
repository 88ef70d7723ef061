"""The generated module: standalone, deterministic, ruff-clean and formatted, importable, and `.flow`-located errors."""

from __future__ import annotations

import ast
import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from .conftest import FIXED, CompileFlow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

SMALL = """
func greet(who) {
  return "hello " + upper(who)
}

flow hello {
  name: "Say Hello"
  names = source?.names ?? ["world"]
  return map(names, n => greet(n))
}
"""

WITH_SYSTEM = """
system shop {
  base_url: env("SHOP_URL", "http://127.0.0.1:9")
  auth: bearer(secret("SHOP_TOKEN"))
  GET list_orders "/orders" {
    items: "data"
    paginate: page(param: "page", start: 1)
  }
}

flow sync {
  return count(each shop.list_orders())
}
"""
# What only HTTP needs: inlined for a flow with systems, left out of one without.
HTTP_RUNTIME = ("http", "pagination", "auth", "bodies", "origin", "failures", "background")

FAILING = """
flow broken {
  order = {lines: [{quantity: 2}]}
  total = 0
  for line in order.lines {
    total += line.quantty
  }
  return total
}
"""


def load_module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"compiled_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # as `import` does: dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def run_script(
    path: Path, *args: str, block_flowlang: bool = False, block: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """Run the module as a script; with `block_flowlang`, any import of flowlang fails (of `block`: those)."""
    block = block or (("flowlang",) if block_flowlang else ())
    if block:
        blocked = "; ".join(f"sys.modules[{name!r}] = None" for name in block)
        boot = (
            f"import sys, runpy; {blocked}; sys.argv = sys.argv[1:]; "
            "runpy.run_path(sys.argv[0], run_name='__main__')"
        )
        command = [sys.executable, "-c", boot, str(path), *args]
    else:
        command = [sys.executable, str(path), *args]
    return subprocess.run(
        command, cwd=path.parent, env={**os.environ, **FIXED}, capture_output=True, text=True,
        timeout=60, check=False,
    )


def test_the_module_runs_where_flowlang_cannot_be_imported(compile_flow: CompileFlow) -> None:
    compiled = compile_flow(SMALL)
    done = run_script(compiled.module, "--state", "s.db", block_flowlang=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["[", '"hello', 'WORLD"', "]"]


def test_the_module_imports_only_the_standard_library_and_httpx_and_greenlet_on_first_use(
    compile_flow: CompileFlow,
) -> None:
    source = compile_flow(SMALL).source

    def imported(nodes: list[ast.stmt] | list[ast.AST]) -> set[str]:
        names: set[str] = set()
        for node in nodes:
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                names.add((node.module or "").split(".")[0])
        return names

    tree = ast.parse(source)
    assert imported(list(ast.walk(tree))) <= set(sys.stdlib_module_names) | {"greenlet"}
    # imports in functions run on first use (greenlet: by the first parallel loop)
    assert not imported(tree.body) & {"httpx", "greenlet", "asyncio", "ssl"}
    assert 'httpx = LazyModule("httpx")' in compile_flow(WITH_SYSTEM).source


def test_a_flow_without_systems_gets_no_http_runtime_and_one_with_systems_gets_all(
    compile_flow: CompileFlow,
) -> None:
    without, with_system = compile_flow(SMALL).source, compile_flow(WITH_SYSTEM).source
    for module in HTTP_RUNTIME:
        assert f"inlined: flowlang/runtime/{module}.py\n" not in without
        assert f"inlined: flowlang/runtime/{module}.py\n" in with_system
    assert "class HttpClient" not in without and "LazyModule" not in without
    assert "\nHttpClient = None  # flowlang.runtime.http is not inlined" in without
    assert '"HttpClient": _default_http,' in without  # `flowlang test`: no client for no systems
    assert '"HttpClient": HttpClient,' in with_system and "\nHttpClient = None" not in with_system
    assert len(without.splitlines()) < len(with_system.splitlines()) - 1000


def test_the_harness_runs_a_flow_without_systems_with_the_default_factory(
    compile_flow: CompileFlow,
) -> None:
    import io

    module = load_module(compile_flow(SMALL).module)
    parts = module.harness_parts()
    client = parts["HttpClient"]({}, clock=None, transport=None, secrets=set(), on_request=None)
    client.close()
    store, log = parts["StateStore"](":memory:"), parts["RunLog"](io.StringIO(), fmt="json", secrets=set())
    ambient = parts["Ambient"](env={})
    token = parts["activate"](ambient)
    try:
        outcome = parts["execute"](flow_name=parts["flow_name"], slug=parts["slug"],
                                   build_systems=parts["build_systems"], body=parts["body"], source=None,
                                   store=store, ambient=ambient, log=log, make_http=parts["HttpClient"])
    finally:
        parts["deactivate"](token)
    assert (outcome.status, outcome.result) == ("ok", ["hello WORLD"])


def test_a_flow_without_systems_runs_without_httpx_asyncio_or_ssl(compile_flow: CompileFlow) -> None:
    compiled = compile_flow(SMALL)
    done = run_script(compiled.module, "--state", "s.db", block=("flowlang", "httpx", "asyncio", "ssl"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["[", '"hello', 'WORLD"', "]"]


def test_only_the_builtins_the_flow_uses_are_inlined(compile_flow: CompileFlow) -> None:
    source = compile_flow(SMALL).source
    assert "def fl_upper(" in source and "def fl_map(" in source
    assert "def fl_lower(" not in source and "def fl_sha256(" not in source
    assert "@builtin" not in source


def test_compiling_twice_gives_identical_bytes_whatever_the_hash_seed(compile_flow: CompileFlow) -> None:
    compiled = compile_flow(SMALL)
    outputs = []
    for seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-c", "from flowlang.cli import main; main(prog_name='flowlang')",
             "compile", compiled.file],
            cwd=compiled.folder, env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True,
            timeout=60, check=False,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert b"def flow_hello(rt: Any) -> Any:" in outputs[0]


def test_every_flow_statement_is_preceded_by_its_source_line_comment(compile_flow: CompileFlow) -> None:
    part = compile_flow(SMALL).flow_part()
    assert "    # main.flow:3: return \"hello \" + upper(who)\n" in part
    assert "    # main.flow:8: names = source?.names ?? [\"world\"]\n" in part
    assert "    # main.flow:9: return map(names, n => greet(n))\n" in part


def example_modules() -> list[Path]:
    return sorted(p for p in EXAMPLES.glob("*.flow") if "\nflow " in p.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compiled_examples(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    from .differential import compile_to

    out = tmp_path_factory.mktemp("examples")
    modules = []
    for path in example_modules():
        module = out / f"{path.stem}.py"
        compile_to(EXAMPLES, path.name, None, module)
        modules.append(module)
    return modules


def test_generated_modules_are_ruff_clean(compiled_examples: list[Path]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--select", "E,F,W,I,UP",
         "--ignore", "E501", *map(str, compiled_examples)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_generated_modules_are_ruff_formatted(compiled_examples: list[Path]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--isolated", "--diff", *map(str, compiled_examples)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_runtime_errors_point_at_the_flow_file_not_the_python_line(compile_flow: CompileFlow) -> None:
    compiled = compile_flow(FAILING)
    done = run_script(compiled.module, "--state", "s.db")
    assert done.returncode == 3
    assert "main.flow:6:14: error: line has no field 'quantty' (did you mean 'quantity'?)" in done.stderr
    assert "Traceback" not in done.stderr and ".py" not in done.stderr


def test_usage_errors_exit_with_2(compile_flow: CompileFlow) -> None:
    compiled = compile_flow(SMALL)
    assert run_script(compiled.module, "--input", "missing.json").returncode == 2
    assert run_script(compiled.module, "--log-format", "xml").returncode == 2


SPIN = """
flow spin {
  n = 0
  while true {
    n += 1
  }
}
"""


def test_max_steps_stops_an_endless_loop_early_as_flowlang_run_does(compile_flow: CompileFlow) -> None:
    compiled = compile_flow(SPIN)
    done = run_script(compiled.module, "--state", "s.db", "--max-steps", "5000")
    assert done.returncode == 3
    assert "main.flow:4:3: error: step limit reached (5,000 loop iterations and calls)" in done.stderr
    assert "--max-steps N" in done.stderr
    bad = run_script(compiled.module, "--max-steps", "0")
    assert bad.returncode == 2 and "at least 1" in bad.stderr


def test_run_returns_the_flows_result_when_imported(compile_flow: CompileFlow, tmp_path: Path) -> None:
    module = load_module(compile_flow(SMALL).module)
    result = module.run({"names": ["ada", "alan"]}, state_path=str(tmp_path / "state.db"))
    assert result == ["hello ADA", "hello ALAN"]


def test_run_raises_the_flow_error_when_imported(compile_flow: CompileFlow, tmp_path: Path) -> None:
    module = load_module(compile_flow(FAILING).module)
    with pytest.raises(module.FlowError) as caught:
        module.run(state_path=str(tmp_path / "state.db"))
    assert caught.value.where == ("main.flow", 6, 14)
    assert caught.value.kind == "data"


def test_choosing_a_flow_that_does_not_exist_is_a_codegen_error(compile_flow: CompileFlow) -> None:
    from flowlang.codegen import CodegenError

    with pytest.raises(CodegenError, match="has no flow 'nope'; its flows: hello"):
        compile_flow(SMALL, flow="nope")


class ProgressRun:
    """Just enough of a Run for a flow that loops: it records what the progress bar was told."""

    def __init__(self) -> None:
        self.source = None
        self.state: dict[str, object] = {}
        self.show_progress = True
        self.reports: list[tuple[int, int]] = []

    def progress(self, done: int, total: int) -> None:
        self.reports.append((done, total))

    def step(self, where: object) -> None:
        return None

    def log(self, level: str, value: object, where: object) -> None:
        return None


def test_outermost_loops_report_progress_as_the_interpreter_does(compile_flow: CompileFlow) -> None:
    from flowlang.interpreter import compile_project
    from flowlang.loader import load_project

    from .differential import environment

    text = """
    flow looping {
      total = 0
      for n in [1, 2, 3] {
        for m in [10, 20] {
          total += n * m
        }
      }
      return total
    }
    """
    compiled = compile_flow(text)
    module = load_module(compiled.module)
    compiled_run = ProgressRun()
    assert module.flow_looping(compiled_run) == 180
    with environment(compiled.folder, {}):
        interpreted = compile_project(load_project(compiled.file)).select_flow(None)
    interpreted_run = ProgressRun()
    assert interpreted.run(interpreted_run) == 180
    assert compiled_run.reports == interpreted_run.reports == [(0, 3), (1, 3), (2, 3), (3, 3)]
