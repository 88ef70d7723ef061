"""Pagination strategies (page, offset, cursor, after_last, next_link, link_header): the next page's request."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from flowlang.runtime.config import (
    AfterLastPaginate,
    CursorPaginate,
    LinkHeaderPaginate,
    NextLinkPaginate,
    OffsetPaginate,
    PagePaginate,
    PaginateConfig,
)
from flowlang.runtime.errors import suggest
from flowlang.runtime.values import type_name

_MISSING = object()


@dataclass(frozen=True)
class PageRequest:
    """What to ask for next: parameters, or a whole URL to follow (its query included).

    A parameter named "body.<path>" is a field of the JSON request body, any other a query parameter.
    """

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


class PagingError(Exception):
    """A stream that cannot go on safely (a cursor that repeats, a `from:` path a page lacks)."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def _paths(value: Any, prefix: str = "", depth: int = 3) -> list[str]:
    """The dotted paths of the object fields in `value`, `depth` levels deep (for did-you-mean)."""
    found: list[str] = []
    if isinstance(value, dict) and depth > 0:
        for key, inner in value.items():
            path = f"{prefix}{key}"
            found.append(path)
            found += _paths(inner, path + ".", depth - 1)
    return found


def _close(path: str, value: Any) -> str | None:
    """The path of `value` nearest to `path` (the same but for case first)."""
    paths = _paths(value)
    same = [p for p in paths if p.lower() == path.lower()]
    return same[0] if same else suggest(path, paths)


def absent(body: Any, path: str, what: str) -> PagingError:
    """`path` is not in the first page: a misspelt path, not the end of the list."""
    close = _close(path, body)
    hint = f"did you mean '{close}'?" if close else "check the path against a response of the API"
    return PagingError(f"page 1 of the response has no '{path}' ({what}), so the next page is unknown", hint)


def _key(token: Any) -> str:
    return json.dumps(token, sort_keys=True, default=str)


class _Seen:
    """Cursors (or links) already used in a stream: one that comes back would repeat pages forever."""

    def __init__(self) -> None:
        self.pages: dict[str, int] = {}

    def check(self, token: Any, number: int, what: str) -> None:
        key = _key(token)
        before = self.pages.get(key)
        if before is not None:
            shown = token if isinstance(token, str) else _key(token)
            raise PagingError(
                f"page {number} gives the same {what} as page {before} ({shown!r}): the stream would "
                "repeat itself forever",
                "the API ignores the paging parameter, or the paginate: setting reads the wrong field",
            )
        self.pages[key] = number


class Pager:
    """One strategy's state machine: `first()`, then `next(...)` after every page until it gives None.

    A pager serves one stream: it counts its pages and remembers the cursors it used.
    """

    def __init__(self) -> None:
        self.number = 0  # pages seen so far
        self.seen = _Seen()

    def first(self) -> PageRequest:
        return PageRequest()

    def next(
        self, current: PageRequest, url: str, body: Any, headers: dict[str, str], records: list[Any]
    ) -> PageRequest | None:
        """The request of the page after the one just read, None at the end; raises PagingError."""
        self.number += 1
        return self._next(current, url, body, headers, records)

    def _next(
        self, current: PageRequest, url: str, body: Any, headers: dict[str, str], records: list[Any]
    ) -> PageRequest | None:
        return None


class PagePager(Pager):
    """`page(param, start, size_param?, size?)`: page numbers; stop on an empty page."""

    def __init__(self, config: PagePaginate) -> None:
        super().__init__()
        self.config = config

    def _query(self, number: int) -> dict[str, Any]:
        query: dict[str, Any] = {self.config.param: number}
        if self.config.size_param is not None:
            query[self.config.size_param] = self.config.size
        return query

    def first(self) -> PageRequest:
        return PageRequest(self._query(self.config.start))

    def _next(
        self, current: PageRequest, url: str, body: Any, headers: dict[str, str], records: list[Any]
    ) -> PageRequest | None:
        if not records:
            return None
        return PageRequest(self._query(current.query[self.config.param] + 1))


class OffsetPager(Pager):
    """`offset(param, limit_param, limit)`: record offsets; stop on a short page."""

    def __init__(self, config: OffsetPaginate) -> None:
        super().__init__()
        self.config = config

    def first(self) -> PageRequest:
        return PageRequest({self.config.param: 0, self.config.limit_param: self.config.limit})

    def _next(
        self, current: PageRequest, url: str, body: Any, headers: dict[str, str], records: list[Any]
    ) -> PageRequest | None:
        if len(records) < self.config.limit:
            return None
        start = current.query[self.config.param] + len(records)
        return PageRequest({self.config.param: start, self.config.limit_param: self.config.limit})


def _ends(token: Any) -> bool:
    """A cursor or link value that means "no more pages"."""
    return token is None or token == "" or token is False


class CursorPager(Pager):
    """`cursor(param, from)`: the next cursor is read from the body; stop when null (or absent after page 1).

    The path absent from page 1 is an error, and so is a cursor that comes back.
    """

    def __init__(self, config: CursorPaginate) -> None:
        super().__init__()
        self.config = config

    def _next(
        self, current: PageRequest, url: str, body: Any, headers: dict[str, str], records: list[Any]
    ) -> PageRequest | None:
        token = lookup_path(body, self.config.from_)
        if token is _MISSING and self.number == 1:
            raise absent(body, self.config.from_, "cursor(from: …)")
        if token is _MISSING or _ends(token):
            return None
        self.seen.check(token, self.number, "cursor")
        return PageRequest({self.config.param: token})


class AfterLastPager(Pager):
    """`after_last(param, key, has_more?)`: the next page starts after the last record's `key`.

    Stop on an empty page, or when the page's `has_more` flag is there and not true.
    """

    def __init__(self, config: AfterLastPaginate) -> None:
        super().__init__()
        self.config = config

    def _next(
        self, current: PageRequest, url: str, body: Any, headers: dict[str, str], records: list[Any]
    ) -> PageRequest | None:
        if not records:
            return None
        flag_path = self.config.has_more or "has_more"
        flag = lookup_path(body, flag_path)
        if flag is _MISSING and self.config.has_more is not None and self.number == 1:
            raise absent(body, flag_path, "after_last(has_more: …)")
        if flag is not _MISSING and flag is not True:
            return None
        last = lookup_path(records[-1], self.config.key)
        if last is _MISSING or last is None:
            close = _close(self.config.key, records[-1])
            raise PagingError(
                f"the last record of page {self.number} has no '{self.config.key}' (after_last(key: …)), "
                "so the next page is unknown",
                f"did you mean '{close}'?" if close else None,
            )
        self.seen.check(last, self.number, f"last '{self.config.key}'")
        return PageRequest({self.config.param: last})


class _LinkPager(Pager):
    """Follows URLs; a link back to a page already read is an error."""

    def __init__(self) -> None:
        super().__init__()
        self.read: dict[str, int] = {}  # URL -> the page read from it

    def follow(self, url: str, link: str) -> PageRequest | None:
        self.read.setdefault(url, self.number)
        target = urljoin(url, link)
        before = self.read.get(target)
        if before is not None:
            raise PagingError(
                f"page {self.number} links back to page {before} ({target}): the stream would repeat "
                "itself forever",
                "the API's next link does not advance; check the paginate: setting",
            )
        self.read[target] = self.number + 1
        return PageRequest(url=target)


class NextLinkPager(_LinkPager):
    """`next_link(from)`: follow the URL read from the body (absolute or relative) until null."""

    def __init__(self, config: NextLinkPaginate) -> None:
        super().__init__()
        self.config = config

    def _next(
        self, current: PageRequest, url: str, body: Any, headers: dict[str, str], records: list[Any]
    ) -> PageRequest | None:
        link = lookup_path(body, self.config.from_)
        if link is _MISSING and self.number == 1:
            raise absent(body, self.config.from_, "next_link(from: …)")
        if link is _MISSING or _ends(link):
            return None
        if not isinstance(link, str):
            raise PagingError(f"'{self.config.from_}' in page {self.number} is {type_name(link)}, not a URL")
        return self.follow(url, link)


class LinkHeaderPager(_LinkPager):
    """`link_header()`: follow the RFC 8288 `Link: <…>; rel="next"` header until there is none."""

    def _next(
        self, current: PageRequest, url: str, body: Any, headers: dict[str, str], records: list[Any]
    ) -> PageRequest | None:
        link = parse_link_header(headers.get("link", "")).get("next")
        if not link:
            return None
        return self.follow(url, link)


def make_pager(config: PaginateConfig | None) -> Pager:
    """The pager for an operation's `paginate` option; without one, a single page."""
    if isinstance(config, PagePaginate):
        return PagePager(config)
    if isinstance(config, OffsetPaginate):
        return OffsetPager(config)
    if isinstance(config, CursorPaginate):
        return CursorPager(config)
    if isinstance(config, AfterLastPaginate):
        return AfterLastPager(config)
    if isinstance(config, NextLinkPaginate):
        return NextLinkPager(config)
    if isinstance(config, LinkHeaderPaginate):
        return LinkHeaderPager()
    return Pager()
