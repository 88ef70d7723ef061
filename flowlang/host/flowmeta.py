"""What a `.flow` file says about its flow: the `name:`, `slug:` and `description:` settings, as the host's
flow metadata (for templates and `flowlang push`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flowlang import nodes
from flowlang.loader import Project


@dataclass(frozen=True)
class FlowMeta:
    identifier: str  # `flow NAME`
    name: str  # the `name:` setting, else NAME
    slug: str | None  # the `slug:` setting when it is a valid host slug
    description: str


def _literal(value: nodes.Node) -> str | None:
    if isinstance(value, nodes.String) and all(isinstance(p, str) for p in value.parts):
        return "".join(str(p) for p in value.parts)
    return None


def slug_from_name(text: str) -> str:
    """A host slug made from a file stem or a name: `Order Webhook` -> `order-webhook`."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "flow"


def describe(project: Project) -> FlowMeta | None:
    """The metadata of the one flow of the project's root file (None when it has none or several)."""
    program = project.programs.get(project.root)
    if program is None or len(program.flows) != 1:
        return None
    flow = program.flows[0]
    settings = {s.key: _literal(s.value) for s in flow.settings}
    slug = settings.get("slug")
    if slug is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", slug):
        slug = None
    return FlowMeta(flow.name, settings.get("name") or flow.name, slug, settings.get("description") or "")
