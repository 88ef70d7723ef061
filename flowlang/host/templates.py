"""Core flows: the examples offered as templates (`GET /v2/templates`, `POST /v2/flows?template=SLUG`)."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any

from flowlang.host import examples
from flowlang.host.bundle import check_bundle, materialized
from flowlang.host.flowmeta import describe, slug_from_name


@dataclass(frozen=True)
class Template:
    slug: str  # the template's id: the example's file stem, dashed (order_webhook.flow -> order-webhook)
    file: str
    name: str
    flow_slug: str  # the slug a flow made from it gets unless the request names another
    description: str
    source: str
    sample: Any  # examples/samples/<stem>.json, or None
    files: dict[str, str]  # the shared files it uses (imports, OpenAPI documents)


@functools.cache
def templates() -> dict[str, Template]:
    """Every example with exactly one flow, by template slug (read and checked once per process)."""
    from flowlang.loader import load_project

    available = examples.listing()
    found: dict[str, Template] = {}
    for file, source in available.items():
        if not file.endswith(".flow") or "/" in file:
            continue
        others = {p: t for p, t in available.items() if p != file}
        with materialized(file, source, others) as root:
            meta = describe(load_project(root))
        if meta is None:
            continue
        stem = file.removesuffix(".flow")
        try:
            sample = json.loads(examples.read(f"samples/{stem}.json"))
        except (OSError, ValueError):
            sample = None
        slug = slug_from_name(stem)
        found[slug] = Template(slug, file, meta.name, meta.slug or slug, meta.description, source, sample,
                               check_bundle(file, source, others).used)
    return found
