"""The JSON:API error envelope of the Create-a-Flow contract, and the exception that carries one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    409: "Conflict",
    412: "Precondition Failed",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    422: "Validation Error",
    428: "Precondition Required",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


@dataclass
class Problem:
    """One entry of `errors`: status and title always, the rest when known."""

    status: int
    detail: str
    title: str | None = None
    pointer: str | None = None  # JSON pointer into the request body: source.pointer
    parameter: str | None = None  # a query parameter: source.parameter
    meta: dict[str, Any] | None = None

    def to_json(self, request_id: str | None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "status": self.status,
            "title": self.title or TITLES.get(self.status, "Error"),
            "detail": self.detail,
        }
        if self.pointer is not None:
            out["source"] = {"pointer": self.pointer}
        elif self.parameter is not None:
            out["source"] = {"parameter": self.parameter}
        if request_id:
            out["request_id"] = request_id
        if self.meta:
            out["meta"] = self.meta
        return out


@dataclass
class ApiError(Exception):
    """Raised anywhere below an endpoint: becomes the envelope with `status` (the status of every problem
    unless they differ, then the first's)."""

    status: int
    problems: list[Problem] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return "; ".join(p.detail for p in self.problems)

    @classmethod
    def one(cls, status: int, detail: str, *, title: str | None = None, pointer: str | None = None,
            parameter: str | None = None, meta: dict[str, Any] | None = None,
            headers: dict[str, str] | None = None) -> ApiError:
        return cls(status, [Problem(status, detail, title, pointer, parameter, meta)], headers or {})


def envelope(problems: list[Problem], request_id: str | None) -> dict[str, Any]:
    """`{"errors": [...]}` with the request id in every entry."""
    return {"errors": [p.to_json(request_id) for p in problems]}


def not_found(what: str, ident: str) -> ApiError:
    """The same answer for "does not exist" and "belongs to another project"."""
    return ApiError.one(404, f"no {what} {ident!r} in this project")


def invalid(detail: str, pointer: str | None = None, meta: dict[str, Any] | None = None) -> ApiError:
    return ApiError.one(422, detail, pointer=pointer, meta=meta)
