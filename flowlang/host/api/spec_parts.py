"""Pieces the routers' OpenAPI fragments are made of: references, JSON bodies, the error envelope."""

from __future__ import annotations

from typing import Any

ERRORS = {"$ref": "#/components/schemas/ErrorResponse"}  # the seed's envelope: {"errors": [{status, title, …}]}
_DESCRIBED = {400: "Bad request", 401: "Missing, unknown or revoked credentials", 404: "Not found",
              409: "Conflict", 412: "If-Match does not match the current ETag", 413: "Body too large",
              415: "Not JSON", 422: "Invalid fields (one error per problem)", 500: "Internal server error",
              503: "Runs are not served", 504: "The run did not end in time"}


PAGE = [{"$ref": "#/components/parameters/page-offset"}, {"$ref": "#/components/parameters/page-limit"}]


def ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def reply(schema: dict[str, Any], description: str) -> dict[str, Any]:
    """A JSON response (or request body content) with `schema`."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def request_body(schema: dict[str, Any], required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def errors(*codes: int) -> dict[str, Any]:
    """The envelope as the answer of each status in `codes` (and of 500, which any request may get)."""
    return {str(code): reply(ERRORS, _DESCRIBED[code]) for code in sorted({*codes, 500})}


def one(name: str) -> dict[str, Any]:
    return {"type": "object", "required": ["data"], "properties": {"data": ref(name)}}


def listed(name: str) -> dict[str, Any]:
    """A JSON:API page of `name`s: data, links (first/last/prev/next/current), meta.page and meta.results."""
    return {"type": "object", "required": ["data", "links", "meta"],
            "properties": {"data": {"type": "array", "items": ref(name)}, "links": {"type": "object"},
                           "meta": {"type": "object"}}}


def path_id(name: str, what: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": f"The id of the {what}.",
            "schema": {"type": "string"}}
