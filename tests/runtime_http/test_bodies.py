"""Request bodies as form fields (OpenAPI styles) and multipart parts; sent to a real server in test_requests."""

from __future__ import annotations

from typing import Any

import pytest

from flowlang.runtime.bodies import BodyError, encode_body, form_pairs, with_field
from flowlang.runtime.config import build_operation
from flowlang.runtime.errors import FlowError

from .conftest import MakeClient, op
from .servers import FakeServer

BODY = {"tags": ["a", "b"], "meta": {"k": "v", "n": 2}}


@pytest.mark.parametrize(
    ("styles", "expected"),
    [
        ((), [("tags", "a"), ("tags", "b"), ("meta[k]", "v"), ("meta[n]", "2")]),
        ((("tags", "form", False), ("meta", "form", False)), [("tags", "a,b"), ("meta", "k,v,n,2")]),
        ((("tags", "form", True), ("meta", "form", True)), [("tags", "a"), ("tags", "b"), ("k", "v"), ("n", "2")]),
        ((("tags", "pipeDelimited", False),), [("tags", "a|b"), ("meta[k]", "v"), ("meta[n]", "2")]),
        ((("tags", "spaceDelimited", False),), [("tags", "a b"), ("meta[k]", "v"), ("meta[n]", "2")]),
        ((("tags", "deepObject", True),), [("tags[0]", "a"), ("tags[1]", "b"), ("meta[k]", "v"), ("meta[n]", "2")]),
    ],
    ids=["default", "form", "form-explode", "pipe", "space", "deep"],
)
def test_form_fields_follow_the_openapi_style_of_each_property(styles: Any, expected: Any) -> None:
    assert form_pairs(BODY, styles) == expected


def test_form_fields_nest_lists_of_objects_with_indexes_and_leave_out_nulls() -> None:
    body = {"lines": [{"sku": "A", "qty": 1}, {"sku": "B", "note": None}], "x": None, "ok": True}
    assert form_pairs(body) == [("lines[0][sku]", "A"), ("lines[0][qty]", "1"), ("lines[1][sku]", "B"), ("ok", "true")]


def test_form_and_multipart_bodies_must_be_objects() -> None:
    with pytest.raises(BodyError, match="a multipart body must be an object of fields, got number"):
        encode_body(3, "multipart")
    assert encode_body("a=1&b=2", "form") == (b"a=1&b=2", "application/x-www-form-urlencoded")


def test_with_field_sets_a_nested_field_of_a_copy() -> None:
    body = {"q": "x", "page": {"size": 5}}
    assert with_field(body, "page.after", "c1") == {"q": "x", "page": {"size": 5, "after": "c1"}}
    assert body == {"q": "x", "page": {"size": 5}}
    assert with_field(None, "cursor", 1) == {"cursor": 1}


def test_body_format_must_be_json_form_or_multipart() -> None:
    with pytest.raises(FlowError, match='\'body_format\' must be "json", "form" or "multipart", got \'xml\''):
        build_operation("send", "POST", "/x", {"body_format": "xml"})
    assert build_operation("send", "POST", "/x", {}, body_format="form").body_format == "form"
    assert build_operation("send", "POST", "/x", {"body_format": "json"}, body_format="form").body_format == "json"


def test_a_form_body_reaches_the_server_form_encoded(server: FakeServer, make_client: MakeClient) -> None:
    server.reply("POST", "/token", json={})
    client = make_client(server.url, [op("token", "POST", "/token", body_format="form")])
    client.request("api", "token", {"body": {"grant_type": "password", "user": {"name": "a b"}}})
    assert server.requests[0].headers["content-type"] == "application/x-www-form-urlencoded"
    assert server.requests[0].body == b"grant_type=password&user%5Bname%5D=a+b"
