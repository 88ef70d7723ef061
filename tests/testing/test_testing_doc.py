"""docs/testing.md runs as written: its files are written, its `$ flowlang …` commands run, their output shown."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e.harness import flowlang
from runtime_http.servers import FakeServer, Reply

DOC = (Path(__file__).parents[2] / "docs" / "testing.md").read_text(encoding="utf-8")
FENCE = re.compile(r"^```(\w+)(?: path=(\S+))?\n(.*?)^```", re.M | re.S)
FILES = {path: text for lang, path, text in FENCE.findall(DOC) if path}


def commands() -> list[tuple[str, str]]:
    """Each `$ command` of a sh block with the text block that follows it."""
    found: list[tuple[str, str]] = []
    pending: str | None = None
    for lang, _path, text in FENCE.findall(DOC):
        if lang == "sh" and text.startswith("$ "):
            pending = text[2:].strip()
        elif lang == "text" and pending is not None:
            found.append((pending, text))
            pending = None
    return found


def normal(text: str, port: int) -> str:
    """Output without durations, ports and rule lengths (`===== x =====` is `=== x ===`)."""
    text = re.sub(r" in \d+\.\d\ds", " in <time>", text).replace(f"127.0.0.1:{port}", "127.0.0.1:<port>")
    return re.sub(r"([=_])\1{2,}", r"\1\1\1", text)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, FakeServer]]:
    """The page's files in one directory, and the shop they talk to on 127.0.0.1."""
    folder = tmp_path_factory.mktemp("testing_doc")
    for name, text in FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    with FakeServer() as shop:
        orders = {"orders": [{"id": "A", "total": 10}, {"id": "B", "total": 20}]}
        shop.reply("GET", "/shop/orders", json=orders)
        shop.reply("POST", "/shop/search", json=orders)
        shop.sequence("POST", "/shop/invoices", [Reply(201, json={"id": "INV-1"}), Reply(422, json={"error": "closed"})])
        yield folder, shop


def test_the_page_shows_files_and_commands() -> None:
    assert {"shop.flow", "shop_test.flow", "failing_test.flow", "plan.flow", "replay_test.flow"} <= FILES.keys()
    assert len(commands()) >= 4


def test_the_flow_code_is_formatted() -> None:
    from flowlang.tools.fmt import format_text

    for name, text in FILES.items():
        if name.endswith(".flow"):
            assert format_text(text, name).new == text, f"{name} is not as `flowlang fmt` lays it out"


@pytest.mark.parametrize("command, shown", commands(), ids=[c for c, _ in commands()])
def test_a_command_prints_what_the_page_shows(command: str, shown: str, project: tuple[Path, FakeServer]) -> None:
    folder, shop = project
    args = shlex.split(command)
    assert args[0] == "flowlang"
    done = flowlang(*args[1:], cwd=folder, env={"SHOP_URL": f"{shop.url}/shop", "SHOP_TOKEN": "tok-doc-4d2c81"})
    assert normal(done.out, shop.port) == normal(shown, shop.port), done.err


def test_the_plan_warning_is_the_one_shown(project: tuple[Path, FakeServer]) -> None:
    folder, shop = project
    shown = re.search(r"^WARN plan\.flow:.*$", DOC, re.M)
    assert shown is not None
    done = flowlang("run", "plan.flow", "--plan", cwd=folder, env={"SHOP_URL": f"{shop.url}/shop",
                                                                   "SHOP_TOKEN": "tok-doc-4d2c81"})
    assert [line[9:] for line in done.err.splitlines() if " WARN " in line] == [shown[0]]
