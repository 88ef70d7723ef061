"""The one client of a `flowlang serve` host (push, pull, runs): a request, its JSON, its error said plainly.

Every failure is a `HostError` whose message a command prints as it is (`error: …`, exit 2): the host
cannot be reached, the token is missing or refused, the host answered with its error envelope (its
`detail` and `request_id` are shown; a diagnostic as `file:line:col` with its source line), or something
that is not a flowlang host answered. httpx is imported only when a client is made, so other commands
start fast. The command-line side (the token options, reading a token file) is flowlang/cli/remote.py.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

TOKEN_ENV = "FLOWLANG_TOKEN"
HOST_ENV = "FLOWLANG_HOST"
PAGE = 100  # the host's largest page
TOKEN_HINT = (f"hint: export {TOKEN_ENV}=$(flowlang token create --project SLUG) on the host, or keep it in a "
              "file and pass --token-file PATH ('-': read it from stdin)")


class HostError(Exception):
    """A request to the host that failed; the message is what the user reads."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status



def diagnostic_text(diag: Mapping[str, Any], file: str, source: str | None) -> str:
    """A diagnostic the host sent (its JSON form) as `file:line:col: severity[CODE]: message`, the source
    line with a caret when the text is known, and its hint."""
    from flowlang.diagnostics import Diagnostic, Span, render_text

    line, column = int(diag.get("line") or 1), int(diag.get("column") or 1)
    span = Span(file, line, column, int(diag.get("end_line") or line), int(diag.get("end_column") or column + 1))
    found = Diagnostic(str(diag.get("code") or "E000"), str(diag.get("severity") or "error"),
                       str(diag.get("message") or diag.get("detail") or ""), span, diag.get("hint") or None)
    return render_text(found, source)


class HostClient:
    """Requests to one host with one project token (`Authorization: Bearer`)."""

    def __init__(self, url: str, token: str | None, timeout: float = 30.0, *, transport: Any = None) -> None:
        import httpx

        url = url.strip().rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise HostError(f"--host must be an http:// or https:// URL, not {url!r}")
        if not token:
            raise HostError(f"talking to a host needs a project token, never given on the command line\n  "
                            f"{TOKEN_HINT}")
        self.url = url
        self._http = httpx.Client(base_url=url, timeout=timeout, transport=transport,
                                  headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HostClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """The host's answer to a request (params=, json=, headers=), whatever its status below 500;
        HostError when it cannot be reached, refuses the token, fails, or is not a flowlang host."""
        import httpx

        try:
            answer = self._http.request(method, path, **kwargs)
        except httpx.TimeoutException:
            raise HostError(f"the host at {self.url} did not answer in time") from None
        except httpx.TransportError as exc:
            reason = str(exc) or type(exc).__name__
            raise HostError(f"cannot reach the host at {self.url}: {reason} (is `flowlang serve` running "
                            "there?)") from None
        if answer.status_code != 204:
            try:
                answer.json()
            except ValueError:
                kind = answer.headers.get("content-type", "no content type")
                raise HostError(f"{self.url} did not answer like a flowlang host ({method} {path}: HTTP "
                                f"{answer.status_code}, {kind})", answer.status_code) from None
        if answer.status_code == 401 or answer.status_code >= 500:
            raise HostError(self.problem(answer), answer.status_code)
        return answer

    def request(self, method: str, path: str, params: Mapping[str, Any] | None = None,
                body: Any = None) -> Any:
        """The JSON of the answer (None for 204); HostError for every error status."""
        answer = self.send(method, path, params=params, json=body)
        if answer.status_code >= 400:
            raise HostError(self.problem(answer), answer.status_code)
        return None if answer.status_code == 204 else answer.json()

    def problem(self, answer: httpx.Response, file: str | None = None, source: str | None = None) -> str:
        """The message of an error answer: its envelope's details, a diagnostic located in `file`."""
        status = answer.status_code
        errors = [e for e in (_json(answer).get("errors") or []) if isinstance(e, dict)]
        texts = []
        for error in errors:
            meta: dict[str, Any] = error["meta"] if isinstance(error.get("meta"), dict) else {}
            if meta.get("line") and file is not None:
                texts.append(diagnostic_text(meta, file, source))
            else:
                texts.append(str(error.get("detail") or error.get("title") or f"HTTP {status}"))
        detail = "; ".join(texts) or f"HTTP {status}"
        rid = next((e["request_id"] for e in errors if e.get("request_id")), None)
        if status == 401:
            return f"the host at {self.url} refused the token: {detail}\n  {TOKEN_HINT}"
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


def _json(answer: httpx.Response) -> dict[str, Any]:
    try:
        doc = answer.json()
    except ValueError:
        return {}
    return doc if isinstance(doc, dict) else {}
