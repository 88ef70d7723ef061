"""Text format builtins: XML and CSV documents (responses that are not JSON) as flowlang values."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from typing import Any

from flowlang.stdlib.common import _want_bool, _want_list, _want_str, _wrong_type
from flowlang.stdlib.registry import builtin

from flowlang.runtime.errors import FlowError


def _xml_name(name: str) -> str:
    """An element or attribute name without its namespace: `{urn:x}order` -> `order`."""
    return name.rsplit("}", 1)[-1]


def _xml_value(element: ET.Element, lists: frozenset[str]) -> Any:
    """An element as a value: its text when it has no attributes and no children, else an object."""
    children = [child for child in element if isinstance(child.tag, str)]  # not comments
    if not children and not element.attrib:
        return element.text or ""
    value: dict[str, Any] = {f"@{_xml_name(k)}": v for k, v in element.attrib.items()}
    groups: dict[str, list[Any]] = {}
    for child in children:
        groups.setdefault(_xml_name(child.tag), []).append(_xml_value(child, lists))
    for name, items in groups.items():
        value[name] = items if len(items) > 1 or name in lists else items[0]
    text = "".join([element.text or "", *(child.tail or "" for child in element)]).strip()
    if text:
        value["#text"] = text
    return value


@builtin("parse_xml")
def fl_parse_xml(text: Any, lists: Any = None) -> Any:
    """The XML document `text` as `{root name: value}` (see docs/stdlib.md for the shape)."""
    source = _want_str("parse_xml", text)
    always: set[str] = set()
    for name in _want_list("parse_xml", [] if lists is None else lists, "lists"):
        always.add(_want_str("parse_xml", name, "lists"))
    if "<!ENTITY" in source:
        raise FlowError("data", "parse_xml() does not accept XML that declares entities (<!ENTITY …>)")
    try:
        root = ET.fromstring(source)
    except ET.ParseError as exc:
        line, column = exc.position
        reason = str(exc).split(":", 1)[0]
        raise FlowError(
            "data", f"parse_xml() got XML that is not well-formed at line {line}, column {column + 1}: {reason}"
        ) from None
    try:
        return {_xml_name(root.tag): _xml_value(root, frozenset(always))}
    except RecursionError:
        raise FlowError("data", "parse_xml() got XML nested too deeply") from None


@builtin("parse_csv")
def fl_parse_csv(text: Any, separator: Any = ",", header: Any = True) -> list[Any]:
    """The rows of CSV `text`: objects keyed by the header row, or lists of fields without a header."""
    source = _want_str("parse_csv", text).removeprefix("\ufeff")
    sep = _want_str("parse_csv", separator, "separator")
    if len(sep) != 1 or sep in "\"\r\n":
        raise _wrong_type("parse_csv", "one character other than a quote or a line break", sep, "separator")
    with_header = _want_bool("parse_csv", header, "header")
    reader = csv.reader(io.StringIO(source, newline=""), delimiter=sep, strict=True)
    rows: list[Any] = []
    names: list[str] | None = None
    try:
        for fields in reader:
            if not fields:
                continue  # a blank line
            if not with_header:
                rows.append(fields)
            elif names is None:
                names = fields
                twice = next((n for n in names if names.count(n) > 1), None)
                if twice is not None:
                    raise FlowError("data", f"parse_csv(): the header names the column '{twice}' twice")
            elif len(fields) != len(names):
                raise FlowError(
                    "data", f"parse_csv(): line {reader.line_num} has {len(fields)} fields, the header has "
                    f"{len(names)}",
                )
            else:
                rows.append(dict(zip(names, fields, strict=True)))
    except csv.Error as exc:
        raise FlowError("data", f"parse_csv(): line {reader.line_num}: {exc}") from None
    return rows
