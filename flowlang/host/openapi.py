"""The host's own OpenAPI document (/openapi.json): the contract's flow operations plus flowlang's additions."""

from __future__ import annotations

import copy
import functools
from typing import Any

import yaml

from flowlang import __version__
from flowlang.host import examples

CONTRACT_PATHS = ("/v2/flows", "/v2/flows/{flowID}")

@functools.cache
def contract() -> dict[str, Any]:
    """The seed's document, parsed once (examples/specs/, shipped inside the wheel)."""
    text = examples.read(examples.CONTRACT)
    doc: dict[str, Any] = yaml.safe_load(text)
    return doc


def document(extras: list[dict[str, Any]]) -> dict[str, Any]:
    """The document served at /openapi.json; `extras` are the routers' `OPENAPI` fragments
    (`{"paths": {...}, "schemas": {...}}`)."""
    seed = contract()
    doc: dict[str, Any] = {
        "openapi": seed["openapi"],
        "info": {
            "title": "flowlang host",
            "version": __version__,
            "description": "Projects, flows, versions and credentials of `flowlang serve`. The /v2/flows "
                           "operations follow Elastic Path's Flows API (MIT, Copyright (c) 2024 Elastic "
                           "Path Software).",
        },
        "security": [{"bearerAuth": []}],
        "paths": {p: copy.deepcopy(seed["paths"][p]) for p in CONTRACT_PATHS},
        "components": copy.deepcopy(seed["components"]),
    }
    for extra in extras:
        for path, operations in extra.get("paths", {}).items():
            doc["paths"].setdefault(path, {}).update(copy.deepcopy(operations))
        doc["components"]["schemas"].update(copy.deepcopy(extra.get("schemas", {})))
    return doc
