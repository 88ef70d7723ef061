"""Where the examples are: inside the wheel (package `flowlang.examples`, mapped from examples/ in
pyproject.toml) or, in a source checkout, the repository's examples/ directory.

They are the host's templates (core flows) and hold the Create-a-Flow contract the host serves
(`specs/elasticpath-flows.yaml`, Elastic Path's MIT-licensed Flows API document).
"""

from __future__ import annotations

import functools
import importlib.util
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

CONTRACT = "specs/elasticpath-flows.yaml"


@functools.cache
def examples_dir() -> Traversable:
    """The examples, packaged or in the checkout (an editable install does not map the package)."""
    if importlib.util.find_spec("flowlang.examples") is not None:
        return resources.files("flowlang.examples")
    return Path(__file__).resolve().parents[2] / "examples"


def read(path: str) -> str:
    """The text of one file of the examples (a relative path such as `specs/elasticpath-flows.yaml`)."""
    node = examples_dir()
    for part in path.split("/"):
        node = node.joinpath(part)
    return node.read_text(encoding="utf-8")


def listing() -> dict[str, str]:
    """Every .flow file, OpenAPI document and sample payload of the examples: relative path -> text."""
    found: dict[str, str] = {}
    root = examples_dir()
    for entry in root.iterdir():
        if entry.is_file() and entry.name.endswith(".flow"):
            found[entry.name] = entry.read_text(encoding="utf-8")
    for folder in ("specs", "samples"):
        node = root.joinpath(folder)
        if node.is_dir():
            for entry in node.iterdir():
                if entry.name.endswith((".yaml", ".yml", ".json")):
                    found[f"{folder}/{entry.name}"] = entry.read_text(encoding="utf-8")
    return dict(sorted(found.items()))
