"""JSON:API paging: `page[limit]` / `page[offset]` in, `links` (first/last/prev/next/current) and `meta` out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flowlang.host.errors import ApiError

DEFAULT_LIMIT = 25
MAX_LIMIT = 100
MAX_OFFSET = 10_000


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int


def _number(query: Mapping[str, str], name: str, default: int, high: int, low: int) -> int:
    text = query.get(name)
    if text is None:
        return default
    if not text.strip().isdigit():
        raise ApiError.one(400, f"{name} must be a whole number, not {text!r}", parameter=name)
    value = int(text)
    if not low <= value <= high:
        raise ApiError.one(400, f"{name} must be between {low} and {high}, not {value}", parameter=name)
    return value


def page_of(query: Mapping[str, str]) -> Page:
    """The page a request asks for; 400 for values that are not numbers or out of range."""
    return Page(_number(query, "page[limit]", DEFAULT_LIMIT, MAX_LIMIT, 1),
                _number(query, "page[offset]", 0, MAX_OFFSET, 0))


def paged(data: list[Any], total: int, page: Page, url: str, extra: Mapping[str, str] | None = None
          ) -> dict[str, Any]:
    """The list document: data, links for moving between pages, and meta.page / meta.results."""

    def link(offset: int) -> str:
        params = {**(extra or {}), "page[limit]": str(page.limit), "page[offset]": str(offset)}
        return f"{url}?{urlencode(params)}"

    last_offset = max(0, (total - 1) // page.limit * page.limit)
    pages = max(1, -(-total // page.limit))
    return {
        "data": data,
        "links": {
            "current": link(page.offset),
            "first": link(0),
            "last": link(last_offset) if pages > 1 else None,
            "prev": link(max(0, page.offset - page.limit)) if page.offset > 0 else None,
            "next": link(page.offset + page.limit) if page.offset + page.limit < total else None,
        },
        "meta": {
            "page": {"limit": page.limit, "offset": page.offset,
                     "current": page.offset // page.limit + 1, "total": pages},
            "results": {"total": total},
        },
    }
