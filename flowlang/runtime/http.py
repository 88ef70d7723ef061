"""HttpClient: one per run; requests with auth, retries, rate limits and JSON, and lazy paginated records."""

from __future__ import annotations

import functools
import json
import random
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from flowlang.runtime.ambient import current
from flowlang.runtime.auth import OAuth2Tokens, Send, credential_secrets, static_credentials
from flowlang.runtime.background import Lane, LoopPool, make_async_client
from flowlang.runtime.bodies import BodyError, encode_body, with_field
from flowlang.runtime.clock import SYSTEM_CLOCK, Clock
from flowlang.runtime.config import (
    OAuth2Auth,
    OffsetPaginate,
    OperationConfig,
    PagePaginate,
    SystemConfig,
    header_name_problem,
    header_problem,
)
from flowlang.runtime.cooperative import IN_WORKER, suspend
from flowlang.runtime.errors import FlowError, Where
from flowlang.runtime.failures import describe, read_body, retry_after, wait_refused, within
from flowlang.runtime.idempotency import IdempotencyKey, KeyMaker, KeySource
from flowlang.runtime.masking import mask_secrets
from flowlang.runtime.origin import (
    BadRedirect,
    CrossOrigin,
    Hop,
    Origin,
    attach,
    follow,
    origin_of,
    send_within_origin,
    split_headers,
)
from flowlang.runtime.pagination import (
    PageRequest,
    PagingError,
    is_missing,
    lookup_path,
    make_pager,
)
from flowlang.runtime.plan import Plan
from flowlang.runtime.values import parse_json, to_text, type_name

T = TypeVar("T")
RETRY_STATUSES = frozenset({429, 502, 503, 504})

OnRequest = Callable[[str, str, "int | None", float], None]
QueryPairs = list[tuple[str, str | int | float | bool | None]]


@dataclass(slots=True)
class _Call:
    """A request ready to send (built in the caller's thread, then sent on a loop)."""

    system: SystemConfig
    op: OperationConfig
    url: str
    query: QueryPairs
    headers: dict[str, str]  # public headers: sent wherever the request goes
    private: dict[str, str]  # credential headers: sent only to the system's origin
    content: bytes | None
    where: Where
    body: Any = None  # the body value (pages of a body cursor re-encode it)
    keyed: bool = False  # it carries an idempotency key: a POST or PATCH may be retried


def _query_pairs(name: str, value: Any, out: QueryPairs) -> None:
    """Query values: null is left out, a list repeats the parameter, objects are sent as JSON."""
    if value is None:
        return
    if isinstance(value, list):
        for item in value:
            _query_pairs(name, item, out)
    else:
        out.append((name, to_text(value)))


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media.endswith("/json") or media.endswith("+json")


def _excerpt(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "…"


class HttpClient:
    """The HTTP side of one run. Public methods are synchronous and safe to call from any thread.

    Each request runs in the calling thread, on an asyncio loop with its own `httpx.AsyncClient` lent to it
    for the request (background.LoopPool; loops are made by the first request and reused, connections
    kept). A parallel loop borrows one loop for all its workers (`drive`): their requests run on it side by
    side. Every loop shares the rate limits and the oauth2 tokens.
    `secrets` is kept by reference: values added later are masked too.
    `on_request(method, url, status, elapsed)` is called for every request sent (status None when none came).
    `clock` times backoff, Retry-After and rate limits; `transport` replaces the network (`flowlang test`).
    With a `plan` (`--plan`), writes are not sent: the plan records them and answers (runtime/plan.py).
    Each request carries its operation in the extension `flowlang.operation`: (system, operation).
    """

    def __init__(
        self,
        systems: dict[str, SystemConfig],
        *,
        secrets: set[str] | None = None,
        on_request: OnRequest | None = None,
        clock: Clock = SYSTEM_CLOCK,
        transport: httpx.AsyncBaseTransport | None = None,
        plan: Plan | None = None,
    ) -> None:
        self.systems = systems
        self.plan = plan
        self.clock = clock
        self.secrets = secrets if secrets is not None else set()
        self.on_request = on_request
        self._loops = LoopPool(lambda: make_async_client(transport))
        self._next_slot: dict[str, float] = {}  # rate limits
        self._slots_lock = threading.Lock()
        self._tokens = {
            name: OAuth2Tokens(name, sys.auth, self.secrets)
            for name, sys in systems.items()
            if isinstance(sys.auth, OAuth2Auth)
        }
        self._credentials = {name: static_credentials(sys.auth) for name, sys in systems.items()}
        for system in systems.values():  # credentials are secrets, however they were given
            self.secrets.update(credential_secrets(system.auth))
        self._origins: dict[str, Origin] = {}
        for name, system in systems.items():
            try:
                self._origins[name] = origin_of(system.base_url)
            except (httpx.InvalidURL, UnicodeError):  # reported by the first request to it
                self._origins[name] = ("", "", 0)
        self._param_routes: dict[tuple[str, str], dict[str, tuple[str, str]]] = {}
        self._jitter = random.Random()
        self._keys = KeyMaker()

    # --- the loops ------------------------------------------------------------------------------

    def close(self) -> None:
        """Cancel requests in flight, close connections and the loops; safe to call twice."""
        self._loops.close()

    def _run(self, call: _Call) -> httpx.Response:
        if IN_WORKER.get():  # a parallel loop's worker: on the loop the parallel loop borrowed, beside the others
            return suspend(self._execute(self._loops.lane_here(), call))
        return self._loops.run(functools.partial(self._execute, call=call))

    def drive(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a parallel loop's workers (`coro`) on one of the client's loops, in this thread."""
        try:
            return self._loops.run(lambda lane: coro)
        except RuntimeError:  # closed: `coro` never started
            coro.close()
            raise

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- public API ----------------------------------------------------------------------------

    def request(self, system: str, operation: str, args: dict[str, Any], where: Where = None) -> dict[str, Any]:
        """`call system.operation(args)`: {"status", "ok", "headers", "body"}; non-2xx raises kind "http"."""
        call = self._prepare(system, operation, args, where)
        if self.plan is not None and self.plan.is_write(call.op.method, call.op.safe):
            return self.plan.write(f"{system}.{operation}", call.op.method, self._planned_url(call), call.body, where)
        return self._finish(call, self._run(call))

    def records(
        self, system: str, operation: str, args: dict[str, Any], where: Where = None
    ) -> Iterator[Any]:
        """`each system.operation(args)`: the records of every page, fetched one page at a time."""
        base = self._prepare(system, operation, args, where)
        op = base.op
        if self.plan is not None and self.plan.is_write(op.method, op.safe):
            self.plan.write(f"{system}.{operation}", op.method, self._planned_url(base), base.body, where)
            return iter(())
        if op.items is None:
            raise FlowError(
                "data", f"{system}.{operation} has no 'items' option, so it has no records to iterate",
                where, system=system, operation=operation,
            )
        return self._pages(base, op.items)

    def _pages(self, base: _Call, items_path: str) -> Iterator[Any]:
        pager = make_pager(base.op.paginate)
        step: PageRequest | None = pager.first()
        number = 0
        # page/offset: an API that ignores the paging parameter sends page 1 forever
        numbered = isinstance(base.op.paginate, PagePaginate | OffsetPaginate)
        previous: list[Any] | None = None
        while step is not None:
            number += 1
            try:
                call = self._page_call(base, step)
            except (httpx.InvalidURL, UnicodeError) as exc:
                raise self._data_error(base, f"page {number} is at an invalid URL: {exc}") from None
            except BodyError as exc:
                raise self._data_error(base, f"page {number}: {exc}") from None
            raw = self._run(call)
            response = self._finish(call, raw)
            records = lookup_path(response["body"], items_path)
            if is_missing(records):
                raise self._data_error(base, f"page {number} of the response has no '{items_path}'")
            if records is None:
                records = []
            if not isinstance(records, list):
                raise self._data_error(
                    base, f"'{items_path}' in page {number} is {type_name(records)}, not a list"
                )
            if numbered and records and records == previous:
                param = next(iter(step.query), "page")
                raise self._data_error(
                    base, f"page {number} repeats page {number - 1}: the API seems to ignore the "
                    f"'{param}' parameter (check the paginate: setting)",
                )
            previous = records if numbered else None
            try:
                step = pager.next(step, str(raw.url), response["body"], response["headers"], records)
            except PagingError as exc:
                raise self._data_error(base, exc.message, exc.hint) from None
            except ValueError as exc:  # a next link that is no URL
                raise self._data_error(base, f"page {number} links to a bad next page: {exc}") from None
            if base.op.max_pages is not None and number >= base.op.max_pages:
                step = None  # `max_pages:` bounds the stream
            del raw, response
            yield from records

    def _page_call(self, base: _Call, step: PageRequest) -> _Call:
        if step.url is not None:  # follow a link: its own query; credentials only if it stays on the origin
            httpx.URL(step.url)  # an invalid link fails here, as page N's error
            return _Call(base.system, base.op, step.url, [], base.headers, base.private, base.content, base.where,
                         base.body, base.keyed)
        names = set(step.query)
        query = [pair for pair in base.query if pair[0] not in names]
        body, content, headers = base.body, base.content, base.headers
        for name, value in step.query.items():
            if name.startswith("body."):  # a token in the request body (search endpoints)
                body = with_field(body, name[5:], value)
            else:
                _query_pairs(name, value, query)
        if body is not base.body:
            content, kind = self._encode(base.system.name, base.op, body, base.where)
            headers = {**headers, "content-type": kind or "application/json"}
        return _Call(base.system, base.op, base.url, query, headers, base.private, content, base.where, body,
                     base.keyed)

    # --- building a request (caller's thread) --------------------------------------------------

    def _lookup(self, system: str, operation: str, where: Where) -> tuple[SystemConfig, OperationConfig]:
        sys = self.systems.get(system)
        if sys is None:
            raise FlowError("input", f"unknown system '{system}'", where)
        op = sys.operations.get(operation)
        if op is None:
            raise FlowError("input", f"system {system} has no operation '{operation}'", where)
        return sys, op

    def _planned_url(self, call: _Call) -> str:
        """The URL a planned write would have gone to (its query included, its credentials not)."""
        try:
            url = httpx.URL(call.url)
            return self.mask(str(url.copy_merge_params(call.query) if call.query else url))
        except (httpx.InvalidURL, UnicodeError):
            return self.mask(call.url)

    def _routes(self, sys: SystemConfig, op: OperationConfig) -> dict[str, tuple[str, str]]:
        """Argument name -> ("query" | "header", parameter name) for an operation's spec parameters."""
        key = (sys.name, op.name)
        routes = self._param_routes.get(key)
        if routes is None:
            routes = {}
            for kind, names in (("header", op.header_params), ("query", op.query_params)):
                for name in names:
                    routes[name] = (kind, name)
            self._param_routes[key] = routes
        return routes

    def _prepare(self, system: str, operation: str, args: dict[str, Any], where: Where) -> _Call:
        sys, op = self._lookup(system, operation, where)
        label = f"{system}.{operation}"
        path = op.path
        for name in op.path_params:
            value = args.get(name)
            if value is None:
                reason = "is null" if name in args else "is missing"
                raise FlowError("data", f"{label}: path parameter '{name}' {reason}", where,
                                system=system, operation=operation)
            path = path.replace("{" + name + "}", quote(to_text(value), safe=""))
        url = sys.base_url.rstrip("/") + (path if path.startswith("/") else "/" + path)
        headers = {k.lower(): v for k, v in sys.headers.items()}
        query: QueryPairs = []
        extra_query = args.get("query")
        if extra_query is not None and not isinstance(extra_query, dict):
            if "query" not in op.query_params:
                raise FlowError("data", f"{label}: 'query' must be an object of query parameters, got "
                                f"{type_name(extra_query)}", where, system=system, operation=operation,
                                hint='to send a query parameter named "query", write query: {"query": …}')
            _query_pairs("query", extra_query, query)  # the operation's own parameter named `query`
            extra_query = None
        extra_headers = args.get("headers")
        if extra_headers is not None and not isinstance(extra_headers, dict):
            raise FlowError("data", f"{label}: 'headers' must be an object, got {type_name(extra_headers)}",
                            where, system=system, operation=operation)
        routes = self._routes(sys, op) if op.query_params or op.header_params else {}
        path_params = op.path_params
        for name, value in args.items():
            if name in ("query", "headers", "body", "idempotency_key") or name in path_params:
                continue
            route = routes.get(name)
            if route is None:
                raise FlowError("data", f"{label}: unknown argument '{name}'", where,
                                system=system, operation=operation)
            if value is None:
                continue
            if route[0] == "query":
                _query_pairs(route[1], value, query)
            else:
                headers[route[1].lower()] = self._header_value(label, route[1], value, where)
        if extra_query:
            for name, value in extra_query.items():
                _query_pairs(str(name), value, query)
        if extra_headers:
            for name, value in extra_headers.items():
                if value is not None:
                    headers[str(name).lower()] = self._header_value(label, str(name), value, where)
        body = args.get("body")
        keyed = op.idempotency_key is not None or "idempotency_key" in args
        if keyed:
            body = self._add_key(label, op.idempotency_key, args, query, headers, body, where)
        content, kind = self._encode(system, op, body, where)
        if kind is not None:
            headers.setdefault("content-type", kind)
        public, private = split_headers(headers, self.secrets)
        credentials = self._credentials[system][0]
        for name, value in credentials.items():
            problem = header_problem(value)
            if problem:  # said here, without the value: httpx would quote it and call it a connection error
                raise FlowError("data", f"{label}: the '{name}' header of system {system}'s auth {problem}", where,
                                system=system, operation=operation,
                                hint="check the secret or text it is made from" + (
                                    " (a trailing newline?)" if "line break" in problem else ""))
        return _Call(sys, op, url, query, public, {**credentials, **private}, content, where, body, keyed)

    def _encode(self, system: str, op: OperationConfig, body: Any, where: Where) -> tuple[bytes | None, str | None]:
        """The body as the operation sends it (JSON, form or multipart; see bodies.py)."""
        try:
            return encode_body(body, op.body_format, op.form_styles)
        except BodyError as exc:
            raise FlowError("data", self.mask(f"{system}.{op.name}: {exc}"), where,
                            system=system, operation=op.name) from None

    def _add_key(self, label: str, key: IdempotencyKey | None, args: dict[str, Any], query: QueryPairs,
                 headers: dict[str, str], body: Any, where: Where) -> Any:
        """Put the call's idempotency key where the call or else the operation wants it; returns the body (with
        the key)."""
        scope = current().run_scope
        if "idempotency_key" in args:
            given = args["idempotency_key"]
            # the engines pass a KeySource (value, call site, where the call puts it); a bare value is one too
            source = given if isinstance(given, KeySource) else KeySource(given, label)
            key = source.key or key
            if source.value is None:
                system, _, operation = label.partition(".")
                raise FlowError("data", f"{label}: the idempotency_key given is null", where,
                                system=system, operation=operation,
                                hint="give a value that identifies the record, such as its id")
            value = self._keys.given(scope.partition("#")[0], source.site, source.value)
        else:
            value = self._keys.derived(scope, label)
        if key is None:  # the checker refuses `idempotency_key: e` where the operation has no option
            system, _, operation = label.partition(".")
            raise FlowError("data", f"{label}: the operation has no idempotency_key: option to say where the key "
                            "goes", where, system=system, operation=operation,
                            hint='say it at the call: idempotency_key: header("Idempotency-Key", …)')
        if key.location == "header":
            headers[key.name.lower()] = value
        elif key.location == "query":
            query.append((key.name, value))
        elif body is None or isinstance(body, dict):
            body = {**(body or {}), key.name: value}
        else:
            system, _, operation = label.partition(".")
            raise FlowError("data", f"{label}: idempotency_key: body(\"{key.name}\") needs an object body, got "
                            f"{type_name(body)}", where, system=system, operation=operation)
        return body

    def _header_value(self, label: str, name: str, value: Any, where: Where) -> str:
        """A header value as text: ASCII without line breaks (no header injection), under a valid name."""
        text = to_text(value)
        problem = header_name_problem(name)
        if problem:
            system, _, operation = label.partition(".")
            raise FlowError("data", f"{label}: 'headers': {problem}", where, system=system, operation=operation)
        problem = header_problem(text)
        if problem:
            system, _, operation = label.partition(".")
            raise FlowError("data", self.mask(f"{label}: header '{name}' {problem}"), where,
                            system=system, operation=operation)
        return text

    # --- sending (on a loop) -------------------------------------------------------------------

    async def _throttle(self, sys: SystemConfig) -> None:
        """Space requests of a system `1 / rate_limit` seconds apart, across all threads."""
        if not sys.rate_limit:
            return
        with self._slots_lock:
            now = self.clock.monotonic()
            slot = max(now, self._next_slot.get(sys.name, 0.0))
            self._next_slot[sys.name] = slot + 1.0 / sys.rate_limit
        if slot > now:
            await self.clock.sleep(slot - now)

    async def _send(self, lane: Lane, request: httpx.Request) -> httpx.Response:
        """Send one request with the loop's client and report it to `on_request`."""
        started = time.perf_counter()
        status: int | None = None
        try:
            response = await lane.client.send(request, stream=True)  # the body: failures.read_body
            status = response.status_code
            return response
        finally:
            if self.on_request is not None:
                self.on_request(request.method, str(request.url), status, time.perf_counter() - started)

    async def _execute(self, lane: Lane, call: _Call) -> httpx.Response:
        """Send with auth and rate limit; retry what may be retried; a 401 refreshes an oauth2 token once."""
        sys, op = call.system, call.op
        timeout = op.timeout if op.timeout is not None else sys.timeout
        attempts = 1 + (op.retry if op.retry is not None else sys.retry)
        retryable = op.retryable or call.keyed
        tokens = self._tokens.get(sys.name)
        refreshed = False
        attempt = 0
        timeout_ext = {"timeout": httpx.Timeout(timeout).as_dict(), "flowlang.operation": (sys.name, op.name)}
        send = functools.partial(self._send, lane)
        send_token = functools.partial(self._send_token, send, call)
        try:
            url = httpx.URL(call.url)
            first = Hop(op.method, url.copy_merge_params(call.query) if call.query else url, call.headers,
                        call.content)
        except (httpx.InvalidURL, UnicodeError) as exc:  # UnicodeError: a host name IDNA rejects
            message = self.mask(f"{sys.name}.{op.name}: invalid URL {call.url!r}: {exc}")
            raise FlowError("data", message, call.where, system=sys.name, operation=op.name) from None
        origin, auth_query = self._origins[sys.name], self._credentials[sys.name][1]
        while True:
            credentials = call.private
            token = None
            if tokens is not None:
                token = await self._guard(tokens.get(send_token, timeout, call.where, op.name), call, timeout)
                credentials = {"authorization": f"Bearer {token}", **credentials}
            await self._throttle(sys)

            def prepare(hop: Hop, credentials: dict[str, str] = credentials) -> httpx.Request:
                return attach(hop, origin=origin, credentials=credentials, query=auth_query, secrets=self.secrets,
                              extensions=timeout_ext)

            last = attempt + 1 >= attempts or not retryable

            async def exchange(prepare: Callable[[Hop], httpx.Request] = prepare) -> httpx.Response:
                return await read_body(await follow(send, first, prepare))

            try:
                response = await within(timeout, exchange, lambda: prepare(first))
            except (httpx.InvalidURL, UnicodeError, BadRedirect) as exc:
                problem = (f"{call.url!r} redirects to an invalid URL: {exc}" if isinstance(exc, BadRedirect)
                           else f"invalid URL {call.url!r}: {exc}")
                message = self.mask(f"{sys.name}.{op.name}: {problem}")
                raise FlowError("data", message, call.where, system=sys.name, operation=op.name) from None
            except httpx.TransportError as exc:
                if last:
                    raise self._transport_error(call, exc.request, exc, timeout) from None
                await self.clock.sleep(self._backoff(sys, attempt, None))
                attempt += 1
                continue
            except httpx.RequestError as exc:  # too many redirects, an undecodable body: not retried
                raise self._transport_error(call, exc.request, exc, timeout) from None
            if (response.status_code == 401 and tokens is not None and not refreshed and token is not None
                    and origin_of(response.request.url) == origin):  # a 401 from elsewhere: not our token's fault
                refreshed = True
                await self._guard(tokens.refresh(token, send_token, timeout, call.where, op.name), call, timeout)
                continue
            if response.status_code in RETRY_STATUSES and not last:
                header = response.headers.get("retry-after")
                wait = retry_after(header)
                refused = wait_refused(header, wait, sys.max_wait)
                if refused is not None:
                    raise self._wait_error(call, response, refused)
                await self.clock.sleep(self._backoff(sys, attempt, wait))
                attempt += 1
                continue
            return response

    async def _send_token(self, send: Send, call: _Call, request: httpx.Request) -> httpx.Response:
        """Send an oauth2 token request, following redirects; the client secret never leaves the token URL's origin."""
        try:
            return await send_within_origin(send, request, "the client secret")
        except CrossOrigin as exc:
            sys, op = call.system.name, call.op.name
            raise FlowError("connection", self.mask(f"{sys}.{op}: oauth2 token request: {exc}"), call.where,
                            system=sys, operation=op) from None

    async def _guard(self, coro: Coroutine[Any, Any, str], call: _Call, timeout: float | None) -> str:
        """Run a token request, turning transport failures into flow errors."""
        try:
            return await coro
        except httpx.RequestError as exc:
            raise self._transport_error(call, exc.request, exc, timeout, "oauth2 token request") from None
        except (httpx.InvalidURL, UnicodeError) as exc:
            sys, op = call.system.name, call.op.name
            message = self.mask(f"{sys}.{op}: oauth2 token_url is not a valid URL: {exc}")
            raise FlowError("input", message, call.where, system=sys, operation=op) from None

    def _backoff(self, sys: SystemConfig, attempt: int, wait: float | None) -> float:
        """Seconds before the next attempt: the server's Retry-After, else exponential with jitter (<= max_wait)."""
        if wait is not None:
            return wait
        return min(sys.max_wait, sys.backoff * (2**attempt) * (0.5 + self._jitter.random() / 2))

    def _wait_error(self, call: _Call, response: httpx.Response, refused: str) -> FlowError:
        sys, op = call.system.name, call.op.name
        message = f"{sys}.{op} failed: HTTP {response.status_code} {response.reason_phrase}, and the server {refused}"
        return FlowError("http", self.mask(message), call.where, status=response.status_code,
                         body=self.mask(response.text), system=sys, operation=op,
                         hint=f"raise max_wait in system {sys} to wait that long, or run the flow later")

    # --- responses and errors -------------------------------------------------------------------

    def mask(self, text: str) -> str:
        """`text` with every form of every secret replaced by ***."""
        return mask_secrets(text, self.secrets)

    def _data_error(self, call: _Call, message: str, hint: str | None = None) -> FlowError:
        sys, op = call.system.name, call.op.name
        return FlowError("data", self.mask(f"{sys}.{op}: {message}"), call.where, system=sys, operation=op,
                         hint=hint and self.mask(hint))

    def _transport_error(
        self, call: _Call, request: httpx.Request, exc: Exception, timeout: float | None, what: str = "request"
    ) -> FlowError:
        sys, op = call.system.name, call.op.name
        kind, message, hint = describe(exc, request, timeout, f"{sys}.{op}: {what}")
        return FlowError(kind, self.mask(message), call.where, hint=hint and self.mask(hint), system=sys,
                         operation=op)

    def _finish(self, call: _Call, response: httpx.Response) -> dict[str, Any]:
        sys, op = call.system.name, call.op.name
        status = response.status_code
        headers = dict(response.headers.items())
        ok = 200 <= status < 300
        body: Any = None
        if response.content:
            if _is_json(headers.get("content-type", "")):
                try:
                    body = parse_json(response.content, response.charset_encoding)
                except (ValueError, RecursionError) as exc:  # RecursionError: nested too deeply
                    if ok:
                        raise FlowError(
                            "json", self.mask(f"{sys}.{op}: response (HTTP {status}) is not valid JSON: {exc}"),
                            call.where, status=status, body=response.text, system=sys, operation=op,
                        ) from None
                    body = response.text
            else:
                body = response.text
        if not ok:
            text = response.text if body is None or isinstance(body, str) else json.dumps(body, ensure_ascii=False)
            excerpt = _excerpt(self.mask(text))  # masked before its whitespace is folded
            message = f"{sys}.{op} failed: HTTP {status} {response.reason_phrase}" + (f": {excerpt}" if excerpt else "")
            raise FlowError("http", self.mask(message), call.where, status=status, body=body, system=sys, operation=op)
        return {"status": status, "ok": ok, "headers": headers, "body": body}
