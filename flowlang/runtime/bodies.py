"""Request bodies: a flowlang value as JSON, form-urlencoded or multipart/form-data bytes."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flowlang.runtime.values import to_json, to_text, type_name

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
TEXT = "text/plain; charset=utf-8"

# (property, style, explode) from an OpenAPI `encoding` map; see `form_pairs`.
Styles = tuple[tuple[str, str, bool], ...]
_DELIMITERS = {"pipeDelimited": "|", "spaceDelimited": " "}


class BodyError(ValueError):
    """A body that cannot be sent in the operation's format."""


def encode_body(body: Any, fmt: str, styles: Styles = ()) -> tuple[bytes | None, str | None]:
    """The bytes and Content-Type of `body` sent as `fmt` ("json", "form" or "multipart").

    A string is sent as it is (text/plain for json, the form type for form); null sends no body.
    """
    if body is None:
        return None, None
    if fmt == "json":
        if isinstance(body, str):
            return body.encode(), TEXT
        try:
            return to_json(body).encode(), JSON
        except (TypeError, ValueError, RecursionError) as exc:  # a function, a cycle, too deep
            raise BodyError(f"the body cannot be sent as JSON: {exc}") from None
    if fmt == "form":
        if isinstance(body, str):
            return body.encode(), FORM
        return urlencode(form_pairs(_object(body, "form"), styles)).encode(), FORM
    return multipart(_object(body, "multipart"))


def _object(body: Any, fmt: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BodyError(f"a {fmt} body must be an object of fields, got {type_name(body)}")
    return body


def _scalar(value: Any, where: str) -> str:
    if isinstance(value, list | dict) or callable(value):
        raise BodyError(f"form field '{where}' cannot hold {type_name(value)} here")
    return to_text(value)


def _nested(prefix: str, value: Any, out: list[tuple[str, str]]) -> None:
    """`a[b][c]=v` for objects and `a[0]=v` for list items (the deepObject style, nested)."""
    if value is None:
        return
    if isinstance(value, dict):
        for key, inner in value.items():
            _nested(f"{prefix}[{key}]", inner, out)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            _nested(f"{prefix}[{index}]", inner, out)
    else:
        out.append((prefix, _scalar(value, prefix)))


def form_pairs(body: dict[str, Any], styles: Styles = ()) -> list[tuple[str, str]]:
    """The fields of a form body, in order; null fields are left out.

    Without an OpenAPI style: a list of scalars repeats its key (`tag=a&tag=b`), objects and lists of
    objects nest with brackets (`meta[k]=v`, `lines[0][sku]=A`). With one: `deepObject` nests with
    brackets; `form` with explode repeats list keys and spreads an object's fields (`k=v`), without
    explode joins with commas (`tag=a,b`, `meta=k,v`); `pipeDelimited`/`spaceDelimited` join lists.
    """
    given = {name: (style, explode) for name, style, explode in styles}
    out: list[tuple[str, str]] = []
    for key, value in body.items():
        name = str(key)
        if value is None:
            continue
        style, explode = given.get(name, ("", True))
        if not isinstance(value, list | dict) or style == "deepObject" or (not style and isinstance(value, dict)):
            _nested(name, value, out)
        elif isinstance(value, list) and not style and any(isinstance(v, list | dict) for v in value):
            _nested(name, value, out)
        elif isinstance(value, list):
            items = [_scalar(v, name) for v in value if v is not None]
            if style in _DELIMITERS:
                out.append((name, _DELIMITERS[style].join(items)))
            elif explode:
                out.extend((name, item) for item in items)
            else:
                out.append((name, ",".join(items)))
        elif explode:  # style form, an object: its fields become fields
            out.extend((str(k), _scalar(v, f"{name}.{k}")) for k, v in value.items() if v is not None)
        else:
            flat = [part for k, v in value.items() if v is not None for part in (str(k), _scalar(v, name))]
            out.append((name, ",".join(flat)))
    return out


def _quoted(name: str) -> str:
    """A part name for Content-Disposition (as browsers escape it)."""
    return name.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def multipart(body: dict[str, Any]) -> tuple[bytes, str]:
    """multipart/form-data: one part per field (a list repeats it); objects go as JSON parts."""
    import uuid  # here: ~3 ms to import, for multipart bodies only

    boundary = f"flowlang-{uuid.uuid4().hex}"
    chunks: list[bytes] = []
    for key, value in body.items():
        for item in value if isinstance(value, list) and not any(isinstance(v, list | dict) for v in value) else [value]:
            if item is None:
                continue
            head = f'--{boundary}\r\nContent-Disposition: form-data; name="{_quoted(str(key))}"\r\n'
            if isinstance(item, list | dict):
                try:
                    text = to_json(item)
                except (TypeError, ValueError, RecursionError) as exc:
                    raise BodyError(f"multipart field '{key}' cannot be sent as JSON: {exc}") from None
                head += f"Content-Type: {JSON}\r\n"
            else:
                text = _scalar(item, str(key))
            chunks.append(head.encode() + b"\r\n" + text.encode() + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def with_field(body: Any, path: str, value: Any) -> Any:
    """A copy of the object `body` (null: {}) with the dotted `path` set to `value`."""
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise BodyError(f"the body must be an object to carry '{path}', got {type_name(body)}")
    top, _, rest = path.partition(".")
    copy = dict(body)
    copy[top] = with_field(copy.get(top), rest, value) if rest else value
    return copy
