"""Checks of JSON:API request documents: the `data` object, its `type`, and each attribute's shape.

Every problem found becomes one entry of a 422 envelope with `source.pointer` (all are reported at
once, not only the first). Messages read as the seed's: `data.name: "name" is required`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from flowlang.host.errors import ApiError, Problem

SLUG = re.compile(r"[A-Za-z0-9_-]+")
MAX_NAME = 255
MAX_DESCRIPTION = 10_000
MAX_SAMPLE_CHARS = 1_000_000

Check = Callable[[str, Any], str | None]  # (field, value) -> problem text or None


def _text(limit: int, *, empty: bool = False) -> Check:
    def check(name: str, value: Any) -> str | None:
        if not isinstance(value, str):
            return f"must be a string, not {json_kind(value)}"
        if not value.strip() and not empty:
            return "must not be empty"
        if len(value) > limit:
            return f"must be at most {limit:,} characters long"
        if value.startswith("$"):
            return "names and values starting with $ are not supported"
        return None

    return check


def slug(name: str, value: Any) -> str | None:
    problem = _text(64)(name, value)
    if problem is None and not SLUG.fullmatch(value):
        shown = "spaces" if " " in value else "characters other than letters, digits, - and _"
        return f"may only hold letters, digits, - and _ (found {shown} in {value!r})"
    return problem


def boolean(name: str, value: Any) -> str | None:
    return None if isinstance(value, bool) else f"must be true or false, not {json_kind(value)}"


def source(name: str, value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        return f"must be the text of a .flow file (a string) or null, not {json_kind(value)}"
    return None


def sample(name: str, value: Any) -> str | None:
    if value is not None and len(json.dumps(value)) > MAX_SAMPLE_CHARS:
        return f"must be at most {MAX_SAMPLE_CHARS:,} characters of JSON"
    return None


FLOW_FIELDS: dict[str, Check] = {
    "name": _text(MAX_NAME),
    "slug": slug,
    "description": _text(MAX_DESCRIPTION, empty=True),
    "enabled": boolean,
    "source": source,
    "sample": sample,
}


def json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


def resource(body: Any, kind: str, fields: dict[str, Check], *, required: tuple[str, ...] = (),
             allowed_extra: tuple[str, ...] = ()) -> dict[str, Any]:
    """The attributes of `{"data": {"type": kind, ...}}`, checked; 422 with every problem otherwise.

    JSON:API's nested `attributes` object is accepted too (its members count as `data`'s own).
    """
    if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
        found = json_kind(body.get("data")) if isinstance(body, dict) and "data" in body else None
        detail = 'data: "data" is required' if found is None else f"data: must be an object, not {found}"
        raise ApiError(422, [Problem(422, detail, pointer="/data")])
    problems: list[Problem] = []
    extra = sorted(set(body) - {"data", "meta"})
    problems += [Problem(422, f"{k}: unknown member of the document", pointer=f"/{k}") for k in extra]
    data = dict(body["data"])
    attributes = data.pop("attributes", None)
    if isinstance(attributes, dict):
        data.update(attributes)
    elif attributes is not None:
        problems.append(Problem(422, "data.attributes: must be an object", pointer="/data/attributes"))
    if "type" not in data:
        problems.append(Problem(422, 'data.type: "type" is required', pointer="/data/type"))
    elif data["type"] != kind:
        problems.append(Problem(422, f'data.type: must be "{kind}", not {json.dumps(data["type"])}',
                                pointer="/data/type"))
    values: dict[str, Any] = {}
    for name, value in data.items():
        if name == "type" or name in allowed_extra:
            continue
        check = fields.get(name)
        if check is None:
            problems.append(Problem(422, f"data.{name}: unknown field (known: {', '.join(fields)})",
                                    pointer=f"/data/{name}"))
            continue
        problem = check(name, value)
        if problem:
            problems.append(Problem(422, f"data.{name}: {problem}", pointer=f"/data/{name}"))
        else:
            values[name] = value
    for name in required:
        if name not in data:
            problems.append(Problem(422, f'data.{name}: "{name}" is required', pointer=f"/data/{name}"))
    if problems:
        raise ApiError(422, problems)
    return values
