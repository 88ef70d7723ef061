"""The inliner: runtime and stdlib sources merged into one namespace without collisions."""

from __future__ import annotations

import ast
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from flowlang.codegen.inline import (
    InlineError,
    Module,
    _assemble,
    _choose,
    builtin_index,
    inline,
    parse_module,
)


def top_level_names(source: str) -> Counter[str]:
    names: Counter[str] = Counter()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names[node.name] += 1
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def test_every_builtin_can_be_inlined_without_a_name_defined_twice() -> None:
    inlined = inline(set(builtin_index()), {"run", "main"})
    source = "\n".join(inlined.import_lines) + "\n" + "\n\n".join(text for _, text in inlined.chunks)
    compile(source, "<inlined>", "exec")
    twice = [name for name, count in top_level_names(source).items() if count > 1]
    assert twice == []


def test_only_the_used_builtins_and_their_helpers_are_taken() -> None:
    inlined = inline({"trim"}, set())
    text = dict(inlined.chunks)["stdlib/text.py"]
    assert "def fl_trim(" in text
    assert "def fl_upper(" not in text and "@builtin" not in text
    assert inlined.builtins == {"trim": "fl_trim"}


def test_names_reserved_for_generated_code_are_never_taken_by_the_runtime() -> None:
    inlined = inline(set(), {"launch"})
    assert inlined.name("launcher", "launch") == "launch__launcher"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_renaming_leaves_locals_and_attributes_of_the_same_name_alone(tmp_path: Path) -> None:
    first = parse_module("flowlang.runtime.first", write(tmp_path, "first", "def helper():\n    return 1\n"), True)
    second = parse_module(
        "flowlang.runtime.second",
        write(
            tmp_path,
            "second",
            """
            import types


            def helper():
                return 2


            def uses_global():
                return helper() + types.SimpleNamespace(helper=3).helper


            def shadows(helper):
                return helper


            def nested():
                def inner():
                    return helper()

                return inner()
            """,
        ),
        True,
    )
    modules = (first, second)
    selections = {m.qualname: _choose(m, set(), set())[0] for m in modules}
    inlined = _assemble(modules, selections, set(), set(), {})
    text = dict(inlined.chunks)["flowlang/runtime/second.py"]
    namespace: dict[str, object] = {}
    exec(compile(dict(inlined.chunks)["flowlang/runtime/first.py"] + "\n" + text, "<t>", "exec"), namespace)
    assert "def helper__second():" in text
    assert "return helper__second() + types.SimpleNamespace(helper=3).helper" in text
    assert "def shadows(helper):\n    return helper" in text
    assert "return helper__second()\n\n    return inner()" in text


def test_a_collision_is_renamed_where_it_is_defined_and_where_it_is_imported(tmp_path: Path) -> None:
    runtime = parse_module("flowlang.runtime.values", write(tmp_path, "values", "def check(x):\n    return x\n"), True)
    common = parse_module(
        "flowlang.stdlib.common",
        write(tmp_path, "common", "def check(x):\n    return -x\n\n\ndef unused():\n    return 0\n"),
        False,
    )
    text = parse_module(
        "flowlang.stdlib.text",
        write(
            tmp_path,
            "text",
            """
            from flowlang.stdlib.common import check
            from flowlang.stdlib.registry import builtin


            @builtin("neg")
            def fl_neg(x):
                return check(x)
            """,
        ),
        False,
    )
    modules = (runtime, common, text)
    needed = {"flowlang.stdlib.common": {"check"}}
    selections = {
        m.qualname: _choose(m, {"neg"} if m is text else set(), needed.get(m.qualname, set()))[0]
        for m in modules
    }
    inlined = _assemble(modules, selections, {"neg"}, set(), {"neg": ("flowlang.stdlib.text", "fl_neg")})
    chunks = dict(inlined.chunks)
    assert "def check__common(x):" in chunks["stdlib/common.py"]
    assert "unused" not in chunks["stdlib/common.py"]
    assert "return check__common(x)" in chunks["stdlib/text.py"]
    assert "@builtin" not in chunks["stdlib/text.py"]
    namespace: dict[str, object] = {}
    exec(compile("\n\n".join(chunks.values()), "<t>", "exec"), namespace)
    assert namespace["fl_neg"](5) == -5  # type: ignore[operator]


def test_an_import_that_collides_with_a_definition_fails_loudly(tmp_path: Path) -> None:
    first = parse_module("flowlang.runtime.first", write(tmp_path, "first", "json = 1\n"), True)
    second = parse_module(
        "flowlang.runtime.second", write(tmp_path, "second", "import json\n\nX = json.dumps(1)\n"), True
    )
    modules: tuple[Module, ...] = (first, second)
    selections = {m.qualname: _choose(m, set(), set())[0] for m in modules}
    with pytest.raises(InlineError, match="collides"):
        _assemble(modules, selections, set(), set(), {})


def test_global_statements_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "bad", "COUNT = 0\n\n\ndef bump():\n    global COUNT\n    COUNT += 1\n")
    with pytest.raises(ValueError, match="global"):
        parse_module("flowlang.runtime.bad", path, True)


def test_lazy_modules_are_bound_on_first_use_and_never_read_as_the_module_loads(tmp_path: Path) -> None:
    fine = """
        import httpx


        def fetch(url: httpx.URL) -> httpx.Response:
            return httpx.get(url)
        """
    module = parse_module("flowlang.runtime.fine", write(tmp_path, "fine", fine), True)
    inlined = _assemble((module,), {module.qualname: _choose(module, set(), set())[0]}, set(), set(), {})
    assert inlined.lazy == ["httpx"] and "import httpx" not in inlined.import_lines
    for name, text in [("base", "import httpx\n\n\nclass Mine(httpx.ReadError):\n    pass\n"),
                       ("alias", "import httpx\n\nSend = dict[str, httpx.Request]\n"),
                       ("default", "import asyncio\n\n\ndef wait(lock=asyncio.Lock()):\n    return lock\n")]:
        bad = parse_module(f"flowlang.runtime.{name}", write(tmp_path, name, text), True)
        with pytest.raises(InlineError, match="as the module loads"):
            _assemble((bad,), {bad.qualname: _choose(bad, set(), set())[0]}, set(), set(), {})
    with pytest.raises(InlineError, match="only as `import httpx`"):
        parse_module("flowlang.runtime.eager", write(tmp_path, "eager", "from httpx import URL\n"), True)
