"""The stdlib obeys the rules that let the code generator inline it into one standalone module."""

from __future__ import annotations

import ast
import builtins
import sys
from pathlib import Path

import flowlang.stdlib
import pytest
from flowlang.stdlib import load_all

STDLIB_DIR = Path(flowlang.stdlib.__file__).parent
RUNTIME_DIR = STDLIB_DIR.parent / "flowlang" / "runtime"
SHARED_RUNTIME = ("errors", "values", "ambient")
MODULES = sorted(p for p in STDLIB_DIR.glob("*.py") if p.name not in ("__init__.py", "registry.py"))
ALLOWED_FLOWLANG = (
    {f"flowlang.runtime.{m}" for m in SHARED_RUNTIME}
    | {f"flowlang.stdlib.{p.stem}" for p in MODULES}
    | {"flowlang.stdlib.registry"}
)

# LANGUAGE.md §5: the builtins every flowlang has.
REQUIRED = """
upper lower trim split join replace starts_with ends_with contains substring pad_left pad_right slugify
matches regex_replace length round floor ceil abs min max sum number int string format_number map filter
find any all sort_by group_by unique flatten chunk first last range keys values entries from_entries merge
pick omit get count zip type_of to_json parse_json now today parse_date format_date to_timezone
add_duration date_diff base64_encode base64_decode url_encode sha256 uuid env secret
""".split()


def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def top_level_names(tree: ast.Module) -> list[str]:
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
    return names


def imported_bindings(tree: ast.Module) -> dict[str, str]:
    """Name bound at module level -> what it is ("json", "datetime.datetime")."""
    bound: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound[alias.asname or alias.name.split(".")[0]] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            for alias in node.names:
                bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return bound


def test_every_builtin_of_the_language_brief_is_registered() -> None:
    assert sorted(set(REQUIRED) - set(load_all())) == []


def test_builtins_live_in_the_stdlib_modules_with_prefixed_python_names() -> None:
    for name, entry in load_all().items():
        assert entry.fn.__name__ == f"fl_{name}", name
        assert entry.module.startswith("flowlang.stdlib."), name


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_module_imports_only_the_python_standard_library_and_the_shared_runtime(path: Path) -> None:
    for node in ast.walk(parsed(path)):
        if isinstance(node, ast.Import):
            modules = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            modules = [node.module or ""]
        else:
            continue
        for module in modules:
            top = module.split(".")[0]
            assert (
                top in sys.stdlib_module_names or top == "__future__" or module in ALLOWED_FLOWLANG
            ), module


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_imports_are_at_module_top(path: Path) -> None:
    tree = parsed(path)
    top = set(map(id, tree.body))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            assert id(node) in top, f"{path.name}:{node.lineno}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_module_level_names_are_builtins_or_private(path: Path) -> None:
    for name in top_level_names(parsed(path)):
        assert name.startswith(("fl_", "_")), f"{path.name}: {name}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_mutable_module_globals(path: Path) -> None:
    for node in parsed(path).body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            assert not isinstance(node.value, ast.List | ast.Dict | ast.Set), (
                f"{path.name}:{node.lineno}"
            )


def test_module_level_names_are_unique_across_the_stdlib_and_shared_runtime() -> None:
    owners: dict[str, str] = {}
    paths = MODULES + [RUNTIME_DIR / f"{m}.py" for m in SHARED_RUNTIME]
    for path in paths:
        for name in top_level_names(parsed(path)):
            assert name not in owners, f"{name} defined in {owners.get(name)} and {path.name}"
            assert not hasattr(builtins, name), f"{path.name}: {name} shadows a Python builtin"
            owners[name] = path.name


def test_an_imported_name_means_the_same_thing_everywhere() -> None:
    meaning: dict[str, tuple[str, str]] = {}
    paths = MODULES + [RUNTIME_DIR / f"{m}.py" for m in SHARED_RUNTIME]
    for path in paths:
        for name, target in imported_bindings(parsed(path)).items():
            seen = meaning.setdefault(name, (target, path.name))
            assert seen[0] == target, f"{name}: {seen[0]} in {seen[1]}, {target} in {path.name}"
