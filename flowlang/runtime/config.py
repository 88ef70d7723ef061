"""System and operation configuration, and the setting functions of `system` blocks (auth, pagination)."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from flowlang.runtime.errors import FlowError, Where
from flowlang.runtime.idempotency import IdempotencyKey, KeySource
from flowlang.runtime.values import is_number, to_text, type_name

# Keys a `system` block may set (`spec` is read by the loader, not by the runtime).
SYSTEM_SETTINGS = (
    "base_url", "headers", "timeout", "retry", "backoff", "max_wait", "rate_limit", "auth", "spec",
)
# Options an operation line may carry in `{ … }`.
OPERATION_OPTIONS = (
    "items", "paginate", "retry", "timeout", "idempotent", "max_pages", "body_format", "idempotency_key",
    "safe",
)
# How a request body goes out (`body_format:`, or what an OpenAPI request body's media type says).
BODY_FORMATS = ("json", "form", "multipart")
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")

DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRY = 0
DEFAULT_BACKOFF = 0.5
DEFAULT_MAX_WAIT = 300.0  # the longest wait before a retry (Retry-After or backoff), in seconds

_PATH_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


# --- auth -------------------------------------------------------------------------------------


class AuthConfig:
    """Base of the auth settings; `auth: none` is `None`."""


@dataclass(frozen=True)
class BearerAuth(AuthConfig):
    """`auth: bearer(token)`."""

    token: str


@dataclass(frozen=True)
class BasicAuth(AuthConfig):
    """`auth: basic(user, password)`."""

    user: str
    password: str


@dataclass(frozen=True)
class ApiKeyAuth(AuthConfig):
    """`auth: api_key(name, value, in:)`."""

    name: str
    value: str
    in_: str = "header"  # "header" or "query"


@dataclass(frozen=True)
class OAuth2Auth(AuthConfig):
    """`auth: oauth2(token_url, client_id, client_secret, scope)`: client credentials."""

    token_url: str
    client_id: str
    client_secret: str
    scope: str | None = None


# --- pagination ---------------------------------------------------------------------------------


class PaginateConfig:
    """Base of the pagination strategies; the behaviour lives in pagination.py."""


@dataclass(frozen=True)
class PagePaginate(PaginateConfig):
    """Page numbers (`paginate: page(param, …)`)."""

    param: str
    start: int = 1
    size_param: str | None = None
    size: int | None = None


@dataclass(frozen=True)
class OffsetPaginate(PaginateConfig):
    """Offset and limit (`paginate: offset(…)`)."""

    param: str
    limit_param: str
    limit: int


@dataclass(frozen=True)
class CursorPaginate(PaginateConfig):
    """A cursor from each page (`paginate: cursor(param, from:)`)."""

    param: str  # a query parameter, or "body.<path>": a field of the JSON request body
    from_: str


@dataclass(frozen=True)
class AfterLastPaginate(PaginateConfig):
    """The "last item's id" cursor (Stripe's `starting_after`)."""

    param: str  # a query parameter, or "body.<path>"
    key: str = "id"  # the path of the id in a record
    # the path of the page's "more pages follow" flag; None: "has_more", which a page need not have
    has_more: str | None = None


@dataclass(frozen=True)
class NextLinkPaginate(PaginateConfig):
    """A next-page URL in the body (`paginate: next_link(from:)`)."""

    from_: str


@dataclass(frozen=True)
class LinkHeaderPaginate(PaginateConfig):
    """RFC 8288 `Link: <…>; rel="next"` headers."""


# --- systems and operations ---------------------------------------------------------------------


@dataclass(frozen=True)
class OperationConfig:
    """One callable operation of a system: `VERB name "path" { options }` or an OpenAPI operation."""

    name: str
    method: str
    path: str
    items: str | None = None
    paginate: PaginateConfig | None = None
    retry: int | None = None  # None: the system's setting
    timeout: float | None = None  # None: the system's setting
    idempotent: bool = False
    safe: bool = False  # changes nothing though not a GET or HEAD: `--plan` sends it (a POST search)
    query_params: tuple[str, ...] = ()
    header_params: tuple[str, ...] = ()
    max_pages: int | None = None  # `each` reads at most this many pages
    body_format: str = "json"  # "json" | "form" | "multipart"
    idempotency_key: IdempotencyKey | None = None  # where each call sends its key
    # OpenAPI `encoding` of form bodies: (property, style, explode) for the properties that set one
    form_styles: tuple[tuple[str, str, bool], ...] = ()

    @property
    def path_params(self) -> tuple[str, ...]:
        return tuple(_PATH_PARAM.findall(self.path))

    @property
    def retryable(self) -> bool:
        """May a failed attempt be repeated? POST and PATCH only when idempotent or sent with a key."""
        return self.idempotent or self.idempotency_key is not None or self.method not in ("POST", "PATCH")


@dataclass(frozen=True)
class SystemConfig:
    """A `system` block after its settings were evaluated at run start."""

    name: str
    base_url: str
    headers: dict[str, str] = field(default_factory=dict)
    timeout: float | None = DEFAULT_TIMEOUT
    retry: int = DEFAULT_RETRY
    backoff: float = DEFAULT_BACKOFF
    max_wait: float = DEFAULT_MAX_WAIT
    rate_limit: float | None = None
    auth: AuthConfig | None = None
    operations: dict[str, OperationConfig] = field(default_factory=dict)


def _bad(message: str, where: Where = None) -> FlowError:
    return FlowError("input", message, where)


def _text(fn: str, arg: str, value: Any, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value:
        got = "an empty string" if value == "" else type_name(value)
        raise _bad(f"{fn}(): '{arg}' must be a non-empty string, got {got}")
    return value


def _int(fn: str, arg: str, value: Any, minimum: int) -> int:
    if not is_number(value) or int(value) != value or value < minimum:
        raise _bad(f"{fn}(): '{arg}' must be a whole number >= {minimum}, got {_shown(value)}")
    return int(value)


# --- the setting functions (called by the engines with flowlang's named arguments) --------------


def bearer(token: Any) -> BearerAuth:
    return BearerAuth(_text("bearer", "token", token) or "")


def basic(user: Any, password: Any) -> BasicAuth:
    pw = password if password == "" else _text("basic", "password", password)
    return BasicAuth(_text("basic", "user", user) or "", pw or "")


def api_key(name: Any, value: Any, in_: Any = "header") -> ApiKeyAuth:
    if in_ not in ("header", "query"):
        raise _bad(f"api_key(): 'in' must be \"header\" or \"query\", got {to_text(in_)}")
    key = _text("api_key", "name", name) or ""
    problem = header_name_problem(key) if in_ == "header" else None
    if problem:
        raise _bad(f"api_key(): {problem}")
    return ApiKeyAuth(key, _text("api_key", "value", value) or "", in_)


def oauth2(token_url: Any, client_id: Any, client_secret: Any, scope: Any = None) -> OAuth2Auth:
    url = _text("oauth2", "token_url", token_url) or ""
    if not url.startswith(("http://", "https://")):
        raise _bad(f"oauth2(): 'token_url' must start with http:// or https://, got {url!r}")
    return OAuth2Auth(
        url,
        _text("oauth2", "client_id", client_id) or "",
        _text("oauth2", "client_secret", client_secret) or "",
        _text("oauth2", "scope", scope, optional=True),
    )


def none() -> None:
    """`auth: none` — no authentication."""
    return None


def page(param: Any, start: Any = 1, size_param: Any = None, size: Any = None) -> PagePaginate:
    if (size_param is None) != (size is None):
        raise _bad("page(): give both 'size_param' and 'size', or neither")
    return PagePaginate(
        _text("page", "param", param) or "",
        _int("page", "start", start, 0),
        _text("page", "size_param", size_param, optional=True),
        None if size is None else _int("page", "size", size, 1),
    )


def offset(param: Any, limit_param: Any, limit: Any) -> OffsetPaginate:
    return OffsetPaginate(
        _text("offset", "param", param) or "",
        _text("offset", "limit_param", limit_param) or "",
        _int("offset", "limit", limit, 1),
    )


def _param(fn: str, value: Any) -> str:
    param = _text(fn, "param", value) or ""
    if param.startswith("body.") and not param[5:].strip("."):
        raise _bad(f"{fn}(): 'param' \"{param}\" names no field of the body (write \"body.cursor\")")
    return param


def cursor(param: Any, from_: Any) -> CursorPaginate:
    return CursorPaginate(_param("cursor", param), _text("cursor", "from", from_) or "")


def after_last(param: Any, key: Any = "id", has_more: Any = None) -> AfterLastPaginate:
    return AfterLastPaginate(
        _param("after_last", param), _text("after_last", "key", key) or "",
        _text("after_last", "has_more", has_more, optional=True),
    )


def next_link(from_: Any) -> NextLinkPaginate:
    return NextLinkPaginate(_text("next_link", "from", from_) or "")


def link_header() -> LinkHeaderPaginate:
    return LinkHeaderPaginate()


def _key(location: str, name: Any) -> IdempotencyKey:
    text = _text(location, "name", name) or ""
    problem = header_name_problem(text) if location == "header" else None
    if problem:
        raise _bad(f"idempotency_key: header(): {problem}")
    return IdempotencyKey(location, text)


def key_header(name: Any) -> IdempotencyKey:
    """`idempotency_key: header("Idempotency-Key")`"""
    return _key("header", name)


def key_query(name: Any) -> IdempotencyKey:
    """`idempotency_key: query("key")`"""
    return _key("query", name)


def key_body(name: Any) -> IdempotencyKey:
    """`idempotency_key: body("key")`: a field of the JSON object body"""
    return _key("body", name)


def call_key(site: str, where: Where, value: Any, location: str | None = None, name: Any = None) -> KeySource:
    """A call's `idempotency_key: e` (the key goes where the operation's option says), or its
    `idempotency_key: header("Idempotency-Key", e)` (or query/body): the key goes there."""
    try:
        return KeySource(value, site, None if location is None else _key(location, name))
    except FlowError as err:
        raise err.located(where) from None


SETTING_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "bearer": bearer,
    "basic": basic,
    "api_key": api_key,
    "oauth2": oauth2,
    "none": none,
    "page": page,
    "offset": offset,
    "cursor": cursor,
    "after_last": after_last,
    "next_link": next_link,
    "link_header": link_header,
    "header": key_header,
    "query": key_query,
    "body": key_body,
}

# flowlang argument names that are Python keywords, and the Python parameter names they map to.
_PY_NAMES = {"in": "in_", "from": "from_"}
_FLOW_NAMES = {py: flow for flow, py in _PY_NAMES.items()}


def setting_parameters(name: str) -> list[tuple[str, bool]]:
    """The flowlang parameters of a setting function, in order: (name, required). For the checker."""
    params = inspect.signature(SETTING_FUNCTIONS[name]).parameters.values()
    return [(_FLOW_NAMES.get(p.name, p.name), p.default is inspect.Parameter.empty) for p in params]


def call_setting_function(name: str, positional: list[Any], named: Mapping[str, Any]) -> Any:
    """Call a setting function with flowlang arguments (`in:`/`from:` are accepted as written)."""
    fn = SETTING_FUNCTIONS.get(name)
    if fn is None:
        raise _bad(f"unknown setting function '{name}'")
    params = setting_parameters(name)
    if len(positional) > len(params):
        raise _bad(f"{name}() takes at most {len(params)} arguments, got {len(positional)}")
    kwargs: dict[str, Any] = {}
    known = {p for p, _ in params}
    for i, value in enumerate(positional):
        kwargs[params[i][0]] = value
    for key, value in named.items():
        if key not in known:
            raise _bad(f"{name}() has no parameter '{key}'")
        if key in kwargs:
            raise _bad(f"{name}(): '{key}' given twice")
        kwargs[key] = value
    missing = [p for p, required in params if required and p not in kwargs]
    if missing:
        raise _bad(f"{name}() is missing '{missing[0]}'")
    return fn(**{_PY_NAMES.get(k, k): v for k, v in kwargs.items()})


# --- building and validating --------------------------------------------------------------------


_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def header_name_problem(name: str) -> str | None:
    """Why `name` cannot be sent as a header name (an HTTP token: ASCII letters, digits and !#$%&'*+-.^_`|~), or
    None. The name is code, not a secret: it may be shown."""
    if _HEADER_NAME.fullmatch(name):
        return None
    return (f"{name!r} is not a valid header name (ASCII letters, digits and - . _ ! # $ % & ' * + ^ ` | ~, "
            "no spaces)")


def header_problem(text: str) -> str | None:
    """Why `text` cannot be sent as a header value (HTTP allows ASCII without line breaks), or None."""
    if "\n" in text or "\r" in text:
        return "contains a line break"
    if not text.isascii():
        return "must be ASCII text (encode other characters, e.g. with url_encode)"
    return None


def _shown(value: Any) -> str:
    """A bad value in a message: numbers as written, anything else by its type."""
    return to_text(value) if is_number(value) else type_name(value)


def _number(system: str, key: str, value: Any, where: Where, *, positive: bool) -> float:
    if not is_number(value) or value < 0 or (positive and value == 0):
        need = "a positive number" if positive else "a number >= 0"
        raise _bad(f"system {system}: '{key}' must be {need}, got {_shown(value)}", where)
    return float(value)


def build_system(
    name: str,
    settings: Mapping[str, Any],
    operations: list[OperationConfig],
    locations: Mapping[str, Where] | None = None,
) -> SystemConfig:
    """Validate evaluated settings into a SystemConfig; `locations` maps a setting to its source position."""
    at = locations or {}
    for key in settings:
        if key not in SYSTEM_SETTINGS:
            raise _bad(f"system {name}: unknown setting '{key}'", at.get(key))
    base_url = settings.get("base_url")
    if not isinstance(base_url, str):
        raise _bad(f"system {name}: 'base_url' must be a string, got {type_name(base_url)}", at.get("base_url"))
    if not base_url.startswith(("http://", "https://")):
        raise _bad(f"system {name}: 'base_url' must start with http:// or https://, got {base_url!r}", at.get("base_url"))
    try:
        urlsplit(base_url).port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as exc:
        raise _bad(f"system {name}: 'base_url' {base_url!r} is not a valid URL: {exc}", at.get("base_url")) from None
    headers: dict[str, str] = {}
    raw_headers = settings.get("headers") or {}
    if not isinstance(raw_headers, dict):
        raise _bad(f"system {name}: 'headers' must be an object, got {type_name(raw_headers)}", at.get("headers"))
    for key, value in raw_headers.items():
        name_problem = header_name_problem(str(key))
        if name_problem:
            raise _bad(f"system {name}: 'headers': {name_problem}", at.get("headers"))
        if isinstance(value, list | dict):
            raise _bad(f"system {name}: header '{key}' must be text, got {type_name(value)}", at.get("headers"))
        if value is not None:
            text = to_text(value)
            problem = header_problem(text)
            if problem:
                raise _bad(f"system {name}: header '{key}' {problem}", at.get("headers"))
            headers[str(key)] = text
    timeout = settings.get("timeout", DEFAULT_TIMEOUT)
    rate_limit = settings.get("rate_limit")
    retry = settings.get("retry", DEFAULT_RETRY)
    if not is_number(retry) or int(retry) != retry or retry < 0:
        raise _bad(f"system {name}: 'retry' must be a whole number >= 0, got {_shown(retry)}", at.get("retry"))
    auth = settings.get("auth")
    if auth is not None and not isinstance(auth, AuthConfig):
        raise _bad(
            f"system {name}: 'auth' must be none, bearer(…), basic(…), api_key(…) or oauth2(…), "
            f"got {type_name(auth)}",
            at.get("auth"),
        )
    return SystemConfig(
        name=name,
        base_url=base_url,
        headers=headers,
        timeout=None if timeout is None else _number(name, "timeout", timeout, at.get("timeout"), positive=True),
        retry=int(retry),
        backoff=_number(name, "backoff", settings.get("backoff", DEFAULT_BACKOFF), at.get("backoff"), positive=False),
        max_wait=_number(name, "max_wait", settings.get("max_wait", DEFAULT_MAX_WAIT), at.get("max_wait"),
                         positive=True),
        rate_limit=None if rate_limit is None else _number(name, "rate_limit", rate_limit, at.get("rate_limit"), positive=True),
        auth=auth,
        operations={op.name: op for op in operations},
    )


def build_operation(
    name: str,
    method: str,
    path: str,
    options: Mapping[str, Any] | None = None,
    *,
    query_params: tuple[str, ...] = (),
    header_params: tuple[str, ...] = (),
    body_format: str | None = None,
    form_styles: tuple[tuple[str, str, bool], ...] = (),
    where: Where = None,
) -> OperationConfig:
    """Validate an operation line's evaluated `{ options }` into an OperationConfig.

    `body_format` and `form_styles` come from an OpenAPI request body; a `body_format:` option wins.
    """
    opts = dict(options or {})
    for key in opts:
        if key not in OPERATION_OPTIONS:
            raise _bad(f"operation {name}: unknown option '{key}'", where)
    items = opts.get("items")
    if items is not None and not isinstance(items, str):
        raise _bad(f"operation {name}: 'items' must be a string, got {type_name(items)}", where)
    paginate = opts.get("paginate")
    if paginate is not None and not isinstance(paginate, PaginateConfig):
        raise _bad(
            f"operation {name}: 'paginate' must be page(…), offset(…), cursor(…), after_last(…), "
            f"next_link(…) or link_header(), got {type_name(paginate)}",
            where,
        )
    retry = opts.get("retry")
    if retry is not None and (not is_number(retry) or int(retry) != retry or retry < 0):
        raise _bad(f"operation {name}: 'retry' must be a whole number >= 0, got {_shown(retry)}", where)
    timeout = opts.get("timeout")
    if timeout is not None and (not is_number(timeout) or timeout <= 0):
        raise _bad(f"operation {name}: 'timeout' must be a positive number, got {_shown(timeout)}", where)
    idempotent = opts.get("idempotent", False)
    if not isinstance(idempotent, bool):
        raise _bad(f"operation {name}: 'idempotent' must be true or false, got {type_name(idempotent)}", where)
    safe = opts.get("safe", False)
    if not isinstance(safe, bool):
        raise _bad(f"operation {name}: 'safe' must be true or false, got {type_name(safe)}", where)
    max_pages = opts.get("max_pages")
    if max_pages is not None and (not is_number(max_pages) or int(max_pages) != max_pages or max_pages < 1):
        raise _bad(f"operation {name}: 'max_pages' must be a whole number >= 1, got {_shown(max_pages)}", where)
    id_key = opts.get("idempotency_key")
    if id_key is not None and not isinstance(id_key, IdempotencyKey):
        raise _bad(f"operation {name}: 'idempotency_key' must be header(…), query(…) or body(…), "
                   f"got {type_name(id_key)}", where)
    chosen = opts.get("body_format", body_format or "json")
    if chosen not in BODY_FORMATS:
        got = repr(chosen) if isinstance(chosen, str) else type_name(chosen)
        raise _bad(f"operation {name}: 'body_format' must be \"json\", \"form\" or \"multipart\", got {got}", where)
    return OperationConfig(
        name=name,
        method=method.upper(),
        path=path,
        items=items,
        paginate=paginate,
        retry=None if retry is None else int(retry),
        timeout=None if timeout is None else float(timeout),
        idempotent=idempotent,
        safe=safe,
        query_params=tuple(query_params),
        header_params=tuple(header_params),
        max_pages=None if max_pages is None else int(max_pages),
        body_format=chosen,
        idempotency_key=id_key,
        form_styles=tuple(form_styles),
    )
