"""The loader: files and imports into a Project; I/O, encoding and import problems as diagnostics."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flowlang.checker import check
from flowlang.loader import load_paths, load_project

FLOW = "flow sync {\n  return 1\n}\n"


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: str, data: str | bytes) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        Path(path).write_bytes(data)
    else:
        Path(path).write_text(data, encoding="utf-8")


def test_root_and_imports_are_loaded_with_display_names() -> None:
    write("flows/main.flow", 'import "../lib/shared.flow"\n' + FLOW)
    write("lib/shared.flow", 'import "more/deep.flow"\nfunc f() {\n  return 1\n}\n')
    write("lib/more/deep.flow", "func g() {\n  return 2\n}\n")
    project = load_project("./flows/main.flow")
    assert project.root == "flows/main.flow"
    assert list(project.programs) == ["lib/more/deep.flow", "lib/shared.flow", "flows/main.flow"]
    assert project.imports["flows/main.flow"] == ["lib/shared.flow"]
    assert project.diagnostics == []


def test_a_file_imported_twice_is_loaded_once() -> None:
    write("main.flow", 'import "a.flow"\nimport "b.flow"\n' + FLOW)
    write("a.flow", 'import "c.flow"\n')
    write("b.flow", 'import "c.flow"\n')
    write("c.flow", "func c() {\n  return 1\n}\n")
    project = load_project("main.flow")
    assert sorted(project.programs) == ["a.flow", "b.flow", "c.flow", "main.flow"]
    assert check(project) == []


def test_missing_file() -> None:
    [diag] = load_project("nope.flow").diagnostics
    assert (diag.code, diag.message) == ("E010", "file 'nope.flow' not found")


def test_directory_given_as_a_file() -> None:
    os.mkdir("dir")
    [diag] = load_project("dir").diagnostics
    assert diag.code == "E013"


def test_not_utf8_reports_line_and_column_of_the_bad_byte() -> None:
    write("latin.flow", b'flow sync {\n  return "caf\xe9"\n}\n')
    [diag] = load_project("latin.flow").diagnostics
    assert (diag.code, diag.span.line, diag.span.column) == ("E012", 2, 14)
    assert "0xe9" in diag.message


def test_nul_byte_is_a_diagnostic() -> None:
    write("nul.flow", b"flow sync {\n  x\x00 = 1\n}\n")
    [diag] = load_project("nul.flow").diagnostics
    assert (diag.code, diag.span.line, diag.span.column) == ("E014", 2, 4)


def test_bom_is_stripped() -> None:
    write("bom.flow", b"\xef\xbb\xbf" + FLOW.encode())
    project = load_project("bom.flow")
    assert project.diagnostics == [] and check(project) == []
    assert not project.sources["bom.flow"].startswith("\ufeff")


def test_crlf_line_endings_keep_lines_and_columns() -> None:
    write("crlf.flow", b"flow sync {\r\n  x = 1\r\n  return y\r\n}\r\n")
    diags = check(load_project("crlf.flow"))
    assert [(d.code, d.span.line, d.span.column) for d in diags] == [("W102", 2, 3), ("E101", 3, 10)]


def test_missing_import_is_reported_at_the_import_string() -> None:
    write("main.flow", 'import "lib/x.flow"\n' + FLOW)
    [diag] = load_project("main.flow").diagnostics
    assert (diag.code, diag.span.line, diag.span.column, diag.span.end_column) == ("E015", 1, 8, 20)
    assert diag.message == "imported file 'lib/x.flow' not found"


def test_import_cycle_names_the_chain() -> None:
    write("a.flow", 'import "b.flow"\n' + FLOW)
    write("b.flow", 'import "c.flow"\n')
    write("c.flow", 'import "a.flow"\n')
    [diag] = load_project("a.flow").diagnostics
    assert diag.code == "E016"
    assert diag.message == "import cycle: a.flow -> b.flow -> c.flow -> a.flow"
    assert (diag.span.file, diag.span.line) == ("c.flow", 1)


def test_syntax_errors_are_collected_not_raised() -> None:
    write("bad.flow", "flow sync {\n  x = \n}\n")
    project = load_project("bad.flow")
    assert project.diagnostics and all(d.code < "E010" for d in project.diagnostics)
    assert project.programs == {}


def test_load_paths_searches_directories_recursively_in_order() -> None:
    write("flows/b.flow", FLOW)
    write("flows/a/z.flow", FLOW)
    write("flows/a.flow", FLOW)
    write("flows/notes.txt", "x")
    write("one.flow", FLOW)
    roots = [p.root for p in load_paths(["one.flow", "flows"])]
    assert roots == ["one.flow", "flows/a.flow", "flows/a/z.flow", "flows/b.flow"]


def test_load_paths_reports_a_directory_without_flows() -> None:
    os.mkdir("empty")
    [project] = load_paths(["empty"])
    assert [d.code for d in project.diagnostics] == ["E017"]
