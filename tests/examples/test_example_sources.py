"""Every example parses, checks clean, and is set up to run against the fake systems out of the box."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from example_paths import EXAMPLE_FILES, EXAMPLES

from flowlang import nodes
from flowlang.syntax.parser import parse

FLOW_FILES = EXAMPLE_FILES
RUNNABLE = [path for path in FLOW_FILES if path.name != "systems.flow"]


def parsed(path: Path) -> nodes.Program:
    return parse(path.read_text(encoding="utf-8"), str(path))


def settings(decl: nodes.Flow | nodes.System) -> dict[str, nodes.Expr]:
    return {setting.key: setting.value for setting in decl.settings}


def test_there_are_the_examples_the_readme_promises() -> None:
    names = {path.stem for path in RUNNABLE}
    assert {"p21_to_magento", "order_webhook", "inventory_sync", "elasticpath_flows"} <= names


@pytest.mark.parametrize("path", FLOW_FILES, ids=lambda p: p.name)
def test_example_parses(path: Path) -> None:
    program = parsed(path)
    assert program.systems or program.flows


@pytest.mark.parametrize("path", RUNNABLE, ids=lambda p: p.name)
def test_example_imports_the_shared_systems_and_declares_one_flow(path: Path) -> None:
    program = parsed(path)
    assert [imp.path for imp in program.imports] == ["systems.flow"]
    assert program.systems == ()
    assert len(program.flows) == 1


@pytest.mark.parametrize("path", RUNNABLE, ids=lambda p: p.name)
def test_example_flow_has_a_name_and_a_description(path: Path) -> None:
    flow = parsed(path).flows[0]
    assert {"name", "description"} <= settings(flow).keys()


@pytest.mark.parametrize("path", RUNNABLE, ids=lambda p: p.name)
def test_example_is_commented_for_readers(path: Path) -> None:
    comments = [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.lstrip().startswith("#")
    ]
    assert len(comments) >= 5


def test_every_system_defaults_to_the_fake_server_on_port_8765() -> None:
    program = parsed(EXAMPLES / "systems.flow")
    assert program.systems
    for system in program.systems:
        base_url = settings(system)["base_url"]
        assert isinstance(base_url, nodes.Call) and base_url.func == "env"
        variable, default = (arg.value for arg in base_url.args)
        assert isinstance(variable, nodes.String) and variable.parts == (
            f"{system.name.upper()}_URL",
        )
        assert isinstance(default, nodes.String)
        assert default.parts == (f"http://127.0.0.1:8765/{system.name}",)


def test_a_sample_file_exists_for_every_source_setting() -> None:
    for path in RUNNABLE:
        source = settings(parsed(path).flows[0]).get("source")
        if source is not None:
            assert isinstance(source, nodes.String)
            assert (path.parent / str(source.parts[0])).is_file()


def test_the_order_webhook_reads_its_sample_input() -> None:
    text = (EXAMPLES / "order_webhook.flow").read_text(encoding="utf-8")
    assert re.search(r'^\s*source: "samples/order_webhook\.json"', text, re.MULTILINE)
    assert (EXAMPLES / "samples" / "order_webhook.json").is_file()
