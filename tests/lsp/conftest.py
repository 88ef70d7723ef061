"""The language server under test: one real `flowlang lsp` process per module, driven over stdio.

The project (tests/lsp/project: two .flow files, an OpenAPI document, a source sample) is copied to a
temporary directory first, so that tests may change files on disk.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("pygls", reason="the language server needs pygls: pip install -e '.[lsp]'")

from flowlang.tools.lsp.client import StdioClient

PROJECT = Path(__file__).parent / "project"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lsp") / "project"
    shutil.copytree(PROJECT, root)
    return root


@pytest.fixture(scope="module")
def client(project: Path) -> Iterator[StdioClient]:
    lsp = StdioClient(cwd=str(project))
    lsp.initialize(project, {"debounce": 0.05})
    yield lsp
    status = lsp.shutdown()
    assert status == 0, b"".join(lsp.stderr).decode(errors="replace")
