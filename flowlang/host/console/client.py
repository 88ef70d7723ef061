"""The console's way to the host: the host's own HTTP API, called in-process with the session's token.

Nothing the console shows or changes bypasses the API: every page is a client of `/v2/…` exactly as the
command line is, so authentication, project isolation, validation and errors are the API's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
from starlette.requests import Request

PAGE = 100  # the API's largest page


@dataclass
class ApiResult:
    """One API answer: status, parsed JSON document (None for 204) and headers."""

    status: int
    doc: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status < 400

    @property
    def data(self) -> Any:
        return self.doc.get("data") if isinstance(self.doc, dict) else None

    @property
    def errors(self) -> list[dict[str, Any]]:
        found = self.doc.get("errors") if isinstance(self.doc, dict) else None
        return [e for e in found if isinstance(e, dict)] if isinstance(found, list) else []

    def message(self) -> str:
        """The errors' details on one line (what the page shows when a request was refused)."""
        details = [str(e.get("detail") or e.get("title") or "") for e in self.errors]
        return "; ".join(d for d in details if d) or f"the host answered {self.status}"


class Api:
    """An API client for one console request, signed in with the session's project token."""

    def __init__(self, request: Request, token: str) -> None:
        self._app = request.app
        self._base = str(request.base_url).rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}", "Accept": "application/vnd.api+json"}

    async def call(self, method: str, path: str, *, params: dict[str, str] | None = None,
                   doc: Any = None, headers: dict[str, str] | None = None) -> ApiResult:
        transport = httpx.ASGITransport(app=self._app)
        async with httpx.AsyncClient(transport=transport, base_url=self._base, timeout=60) as http:
            response = await http.request(method, path, params=params, json=doc,
                                          headers={**self._headers, **(headers or {})})
        body: Any = None
        if response.content:
            try:
                body = response.json()
            except ValueError:
                body = {"errors": [{"status": response.status_code, "detail": response.text[:200]}]}
        return ApiResult(response.status_code, body, dict(response.headers))

    async def get(self, path: str, params: dict[str, str] | None = None) -> ApiResult:
        return await self.call("GET", path, params=params)

    async def all_pages(self, path: str, params: dict[str, str] | None = None) -> ApiResult:
        """Every item of a paged list (following the API's paging), as one result with a list `data`."""
        items: list[Any] = []
        offset = 0
        while True:
            page = await self.get(path, {**(params or {}), "page[limit]": str(PAGE),
                                         "page[offset]": str(offset)})
            if not page.ok or not isinstance(page.data, list):
                return page
            items.extend(page.data)
            total = page.doc.get("meta", {}).get("results", {}).get("total", len(items))
            offset += PAGE
            if not page.data or len(items) >= total:
                return ApiResult(page.status, {"data": items}, page.headers)

    async def shared_files(self) -> dict[str, str]:
        """The project's shared files (path -> text), what a draft is checked and drawn with."""
        listed = await self.all_pages("/v2/files")
        found: dict[str, str] = {}
        for item in listed.data if listed.ok and isinstance(listed.data, list) else []:
            one = await self.get(f"/v2/files/{quote(str(item.get('path', '')))}")
            if one.ok and isinstance(one.data, dict) and isinstance(one.data.get("content"), str):
                found[one.data["path"]] = one.data["content"]
        return found
