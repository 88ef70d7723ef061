"""Pagination strategies (page, offset, cursor, next_link, link_header): which request fetches the next page."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from flowlang.runtime.config import (
    CursorPaginate,
    LinkHeaderPaginate,
    NextLinkPaginate,
    OffsetPaginate,
    PagePaginate,
    PaginateConfig,
)

_MISSING = object()


@dataclass(frozen=True)
class PageRequest:
    """What to ask for next: extra query parameters, or a whole URL to follow (its query included)."""

    query: dict[str, Any] = field(default_factory=dict)
    url: str | None = None


def lookup_path(value: Any, path: str) -> Any:
    """The value at a dotted path ("meta.next_cursor", "result.0.id"); `_MISSING` when absent.

    The path "" or "." is the value itself.
    """
    if path in ("", "."):
        return value
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.lstrip("-").isdigit() and -len(value) <= int(part) < len(value):
            value = value[int(part)]
        else:
            return _MISSING
    return value


def is_missing(value: Any) -> bool:
    return value is _MISSING


_LINK = re.compile(r"<([^>]*)>((?:\s*;\s*[^;,]*)*)")
_REL = re.compile(r"""(?i)\brel\s*=\s*(?:"([^"]*)"|([^\s;,"]+))""")


def parse_link_header(header: str) -> dict[str, str]:
    """RFC 8288 `Link` header -> {rel: url}; a link with several relation types appears under each."""
    links: dict[str, str] = {}
    for match in _LINK.finditer(header):
        rel = _REL.search(match.group(2))
        if rel:
            for name in (rel.group(1) or rel.group(2) or "").lower().split():
                links.setdefault(name, match.group(1).strip())
    return links


class Pager:
    """One strategy's state machine: `first()`, then `next(...)` after every page until it gives None."""

    def first(self) -> PageRequest:
        return PageRequest()

    def next(
        self, current: PageRequest, url: str, body: Any, headers: dict[str, str], records: list[Any]
    ) -> PageRequest | None:
        return None


class PagePager(Pager):
    """`page(param, start, size_param?, size?)`: page numbers; stop on an empty page."""

    def __init__(self, config: PagePaginate) -> None:
        self.config = config

    def _query(self, number: int) -> dict[str, Any]:
        query: dict[str, Any] = {self.config.param: number}
        if self.config.size_param is not None:
            query[self.config.size_param] = self.config.size
        return query

    def first(self) -> PageRequest:
        return PageRequest(self._query(self.config.start))

    def next(
        self, current: PageRequest, url: str, body: Any, headers: dict[str, str], records: list[Any]
    ) -> PageRequest | None:
        if not records:
            return None
        return PageRequest(self._query(current.query[self.config.param] + 1))


class OffsetPager(Pager):
    """`offset(param, limit_param, limit)`: record offsets; stop on a short page."""

    def __init__(self, config: OffsetPaginate) -> None:
        self.config = config

    def first(self) -> PageRequest:
        return PageRequest({self.config.param: 0, self.config.limit_param: self.config.limit})

    def next(
        self, current: PageRequest, url: str, body: Any, headers: dict[str, str], records: list[Any]
    ) -> PageRequest | None:
        if len(records) < self.config.limit:
            return None
        start = current.query[self.config.param] + len(records)
        return PageRequest({self.config.param: start, self.config.limit_param: self.config.limit})


class CursorPager(Pager):
    """`cursor(param, from)`: the next cursor is read from the body; stop when null, missing or repeated."""

    def __init__(self, config: CursorPaginate) -> None:
        self.config = config

    def next(
        self, current: PageRequest, url: str, body: Any, headers: dict[str, str], records: list[Any]
    ) -> PageRequest | None:
        token = lookup_path(body, self.config.from_)
        if token is _MISSING or token is None or token == "" or token is False:
            return None
        if current.query.get(self.config.param) == token:
            return None  # the server sent the same cursor again: stop rather than loop forever
        return PageRequest({self.config.param: token})


class NextLinkPager(Pager):
    """`next_link(from)`: follow the URL read from the body (absolute or relative) until null."""

    def __init__(self, config: NextLinkPaginate) -> None:
        self.config = config

    def next(
        self, current: PageRequest, url: str, body: Any, headers: dict[str, str], records: list[Any]
    ) -> PageRequest | None:
        link = lookup_path(body, self.config.from_)
        if not isinstance(link, str) or not link:
            return None
        target = urljoin(url, link)
        return None if target == url else PageRequest(url=target)


class LinkHeaderPager(Pager):
    """`link_header()`: follow the RFC 8288 `Link: <…>; rel="next"` header until there is none."""

    def next(
        self, current: PageRequest, url: str, body: Any, headers: dict[str, str], records: list[Any]
    ) -> PageRequest | None:
        link = parse_link_header(headers.get("link", "")).get("next")
        if not link:
            return None
        target = urljoin(url, link)
        return None if target == url else PageRequest(url=target)


def make_pager(config: PaginateConfig | None) -> Pager:
    """The pager for an operation's `paginate` option; without one, a single page."""
    if isinstance(config, PagePaginate):
        return PagePager(config)
    if isinstance(config, OffsetPaginate):
        return OffsetPager(config)
    if isinstance(config, CursorPaginate):
        return CursorPager(config)
    if isinstance(config, NextLinkPaginate):
        return NextLinkPager(config)
    if isinstance(config, LinkHeaderPaginate):
        return LinkHeaderPager()
    return Pager()
