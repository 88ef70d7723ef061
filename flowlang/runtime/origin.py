"""Credentials stay with their origin: a system's credential headers and query, and redirects followed by hand.

A request carries the system's credentials (Authorization, an api_key header or query parameter, any header
whose value holds a secret) only when its URL has the system's origin: the same scheme, host and port as its
`base_url`. Next-page links and redirects to anywhere else are sent without them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

import httpx

from flowlang.runtime.failures import read_body, within

Origin = tuple[str, str, int]
# Aliases are strings: compiled modules import httpx on first use (codegen/inline.py, LAZY_MODULES).
Send: TypeAlias = "Callable[[httpx.Request], Awaitable[httpx.Response]]"

MAX_REDIRECTS = 20
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Header names that are credentials whatever their value.
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Headers that describe a body: dropped with it when a redirect turns the request into a GET.
_BODY_HEADERS = ("content-type", "content-length", "content-encoding", "transfer-encoding")


def origin_of(url: httpx.URL | str) -> Origin:
    """(scheme, host, port) of a URL, the port filled in for http and https."""
    parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
    scheme = parsed.scheme.lower()
    return scheme, parsed.host.lower(), parsed.port or _DEFAULT_PORTS.get(scheme, 0)


def holds_secret(value: str, secrets: Collection[str]) -> bool:
    """Does `value` contain any of the run's secret values?"""
    return any(secret and secret in value for secret in tuple(secrets))


def split_headers(
    headers: Mapping[str, str], secrets: Collection[str], credential_names: Collection[str] = ()
) -> tuple[dict[str, str], dict[str, str]]:
    """(public, credential) headers: a header is a credential by its name or because its value holds a secret."""
    public: dict[str, str] = {}
    private: dict[str, str] = {}
    for name, value in headers.items():
        key = name.lower()
        if key in CREDENTIAL_HEADERS or key in credential_names or holds_secret(value, secrets):
            private[key] = value
        else:
            public[key] = value
    return public, private


def strip_query(url: httpx.URL, names: Collection[str], secrets: Collection[str]) -> httpx.URL:
    """`url` without the query parameters named `names` or whose values hold a secret (for another origin)."""
    params = url.params
    if not params:
        return url
    items = params.multi_items()
    kept: list[tuple[str, str | int | float | bool | None]] = [
        (k, v) for k, v in items if k not in names and not holds_secret(v, secrets)
    ]
    return url if len(kept) == len(items) else httpx.URL(url, params=kept)


class CrossOrigin(Exception):
    """A redirect would carry a request body (a secret in it) to another origin."""


class BadRedirect(Exception):
    """A redirect to a URL that cannot be requested."""


@dataclass(frozen=True, slots=True)
class Hop:
    """One request of a chain of redirects, before credentials are attached."""

    method: str
    url: httpx.URL
    headers: dict[str, str]  # public headers only
    content: bytes | None


def redirected(hop: Hop, response: httpx.Response) -> Hop | None:
    """The request a redirect response asks for (the rules browsers and httpx follow), or None."""
    if response.status_code not in REDIRECT_STATUSES or "location" not in response.headers:
        return None
    url = hop.url.join(response.headers["location"])
    if url.fragment:
        url = url.copy_with(fragment=None)
    method, content, headers = hop.method, hop.content, hop.headers
    if (response.status_code == 303 and method != "HEAD") or (response.status_code in (301, 302) and method == "POST"):
        method, content = "GET", None
        headers = {k: v for k, v in headers.items() if k not in _BODY_HEADERS}
    return Hop(method, url, headers, content)


Prepare: TypeAlias = "Callable[[Hop], httpx.Request]"


async def follow(send: Send, first: Hop, prepare: Prepare) -> httpx.Response:
    """Send `first` and follow its redirects; `prepare` turns each hop into a request (credentials or not).

    Every response but the last is closed unread; the last is returned as `send` gave it.
    """
    hop = first
    for _ in range(MAX_REDIRECTS + 1):
        try:
            request = prepare(hop)
            response = await send(request)
        except (httpx.InvalidURL, UnicodeError) as exc:  # UnicodeError: a host name IDNA rejects
            if hop is first:
                raise
            raise BadRedirect(f"{hop.url}: {exc}") from None
        following = redirected(hop, response)
        if following is None:
            return response
        await response.aclose()
        hop = following
    raise httpx.TooManyRedirects("Exceeded maximum allowed redirects.", request=request)


def attach(
    hop: Hop,
    *,
    origin: Origin,
    credentials: Mapping[str, str],
    query: Mapping[str, str],
    secrets: Collection[str],
    extensions: dict[str, Any],
) -> httpx.Request:
    """The request for `hop`: with `credentials` and `query` at `origin`, stripped of them anywhere else."""
    url = hop.url
    if origin_of(url) == origin:
        headers = {**hop.headers, **credentials}
        if query:
            url = url.copy_merge_params(dict(query))
    else:
        headers = hop.headers
        url = strip_query(url, query.keys(), secrets)
    return httpx.Request(hop.method, url, headers=headers, content=hop.content, extensions=extensions)


async def send_within_origin(send: Send, request: httpx.Request, what: str) -> httpx.Response:
    """Send `request` (its body holding `what`), following redirects, but never its body to another origin.

    The whole exchange is bounded by the request's read timeout; the response is read.
    """
    origin = origin_of(request.url)
    headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}

    def prepare(hop: Hop) -> httpx.Request:
        if hop.content and origin_of(hop.url) != origin:
            raise CrossOrigin(f"the token URL redirects to another origin ({hop.url.scheme}://"
                              f"{hop.url.netloc.decode()}); {what} is not sent there")
        return httpx.Request(hop.method, hop.url, headers=hop.headers, content=hop.content,
                             extensions=request.extensions)

    async def exchange() -> httpx.Response:
        return await read_body(await follow(send, Hop(request.method, request.url, headers, request.content), prepare))

    return await within(request.extensions.get("timeout", {}).get("read"), exchange, lambda: request)
