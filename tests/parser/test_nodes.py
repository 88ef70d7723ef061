"""Node classes behave like frozen, slotted dataclasses: fields in order, defaults, no assignment."""

from __future__ import annotations

import pytest

from flowlang import nodes
from flowlang.diagnostics import Span

AT = Span("f.flow", 1, 1, 1, 2)


def test_fields_are_the_base_span_then_the_declared_ones_in_order() -> None:
    attr = nodes.Attr(AT, nodes.Name(AT, "o"), "id", AT)
    assert nodes.node_fields(attr) == ("span", "obj", "name", "name_span", "optional")
    assert (attr.name, attr.optional) == ("id", False)


def test_keyword_arguments_and_defaults_work_as_in_a_dataclass() -> None:
    attr = nodes.Attr(span=AT, obj=nodes.Name(AT, "o"), name="id", name_span=AT, optional=True)
    assert attr.optional is True
    with pytest.raises(TypeError):
        nodes.Attr(AT, nodes.Name(AT, "o"))  # type: ignore[call-arg]


def test_nodes_are_frozen_and_have_no_dict() -> None:
    name = nodes.Name(AT, "o")
    with pytest.raises(AttributeError, match="frozen"):
        name.name = "p"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        name.other = 1  # type: ignore[attr-defined]
    assert not hasattr(name, "__dict__")


def test_nodes_compare_by_identity_and_print_their_fields() -> None:
    a, b = nodes.Name(AT, "o"), nodes.Name(AT, "o")
    assert a != b and a == a and len({a, b}) == 2
    assert repr(a) == f"Name(span={AT!r}, name='o')"
