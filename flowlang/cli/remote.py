"""A client of a `flowlang serve` host for the command line: a request, its JSON, its error said plainly.

Every failure is a `HostError` whose message a command prints as it is (`error: …`, exit 2): the host
cannot be reached, the token is missing or refused, the host answered with its error envelope (its
`detail` and `request_id` are shown), or something that is not a flowlang host answered. httpx is
imported only when a client is made, so commands that never talk to a host start fast.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

TOKEN_ENV = "FLOWLANG_TOKEN"
HOST_ENV = "FLOWLANG_HOST"
PAGE = 100  # the host's largest page


class HostError(Exception):
    """A request to the host that failed; the message is what the user reads."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class HostClient:
    """Requests to one host with one project token (`Authorization: Bearer`)."""

    def __init__(self, url: str, token: str | None, timeout: float = 30.0) -> None:
        import httpx

        url = url.strip().rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise HostError(f"--host must be an http:// or https:// URL, not {url!r}")
        if not token:
            raise HostError(f"talking to a host needs a project token: --token TOKEN or ${TOKEN_ENV} "
                            "(`flowlang token create --project SLUG` on the host prints one)")
        self.url = url
        self._http = httpx.Client(base_url=url, timeout=timeout,
                                  headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HostClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(self, method: str, path: str, params: Mapping[str, Any] | None = None,
                body: Any = None) -> Any:
        """The JSON of the answer (None for 204); HostError for everything else."""
        import httpx

        try:
            answer = self._http.request(method, path, params=params, json=body)
        except httpx.TimeoutException:
            raise HostError(f"the host at {self.url} did not answer in time") from None
        except httpx.TransportError as exc:
            reason = str(exc) or type(exc).__name__
            raise HostError(f"cannot reach the host at {self.url}: {reason} (is `flowlang serve` running "
                            "there?)") from None
        if answer.status_code == 204:
            return None
        try:
            doc = answer.json()
        except ValueError:
            kind = answer.headers.get("content-type", "no content type")
            raise HostError(f"{self.url} did not answer like a flowlang host ({method} {path}: HTTP "
                            f"{answer.status_code}, {kind})", answer.status_code) from None
        if answer.status_code >= 400:
            raise HostError(self._problem(answer.status_code, doc), answer.status_code)
        return doc

    def _problem(self, status: int, doc: Any) -> str:
        errors = doc.get("errors") if isinstance(doc, dict) else None
        first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
        detail = str(first.get("detail") or first.get("title") or f"HTTP {status}")
        rid = first.get("request_id")
        if status == 401:
            return f"the host at {self.url} refused the token: {detail}"
        return f"the host answered {status}: {detail}" + (f" (request id {rid})" if rid else "")

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.request("GET", path, params)

    def post(self, path: str, body: Any = None) -> Any:
        return self.request("POST", path, body=body)

    def items(self, path: str, params: Mapping[str, Any] | None = None, limit: int | None = None
              ) -> Iterator[dict[str, Any]]:
        """The `data` items of a paged list, page after page, at most `limit` of them."""
        offset, given = 0, 0
        while True:
            size = PAGE if limit is None else max(1, min(PAGE, limit - given))
            doc = self.get(path, {**(params or {}), "page[limit]": size, "page[offset]": offset})
            data = doc.get("data") if isinstance(doc, dict) else None
            if not isinstance(data, list):
                raise HostError(f"{self.url} did not answer like a flowlang host (GET {path}: no data list)")
            for item in data:
                yield item
                given += 1
                if limit is not None and given >= limit:
                    return
            total = doc.get("meta", {}).get("results", {}).get("total", 0)
            offset += len(data)
            if not data or offset >= total:
                return
