"""`/v2/credentials/{name}`: write-only secrets of a project (names and dates readable, values never)."""

from __future__ import annotations

import re
from typing import Any

from starlette.routing import Route

from flowlang.host.api.endpoint import Call, Reply, endpoint
from flowlang.host.api.paging import page_of, paged
from flowlang.host.api.validate import json_kind, resource
from flowlang.host.errors import invalid, not_found
from flowlang.host.store import credentials as repo
from flowlang.host.store.credentials import Credential

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
MAX_VALUE = 65_536


def value_check(name: str, value: Any) -> str | None:
    if not isinstance(value, str):
        return f"must be a string, not {json_kind(value)}"
    if not value:
        return "must not be empty"
    if len(value) > MAX_VALUE:
        return f"must be at most {MAX_VALUE:,} characters long"
    return None


def credential_json(call: Call, credential: Credential) -> dict[str, Any]:
    return {
        "id": credential.name,
        "type": "credential",
        "name": credential.name,
        "links": {"self": call.url(f"/v2/credentials/{credential.name}")},
        "meta": {"timestamps": {"created_at": credential.created_at, "updated_at": credential.updated_at}},
    }


def name_of(call: Call) -> str:
    name = call.path["name"]
    if not NAME.fullmatch(name):
        raise invalid(f"credential names are read with secret(\"NAME\"): letters, digits and _, not "
                      f"starting with a digit (not {name!r})")
    return name


def put_credential(call: Call) -> Reply:
    """PUT /v2/credentials/{name}: 201 when new, 200 when replaced; the answer never holds the value."""
    name = name_of(call)
    values = resource(call.json_body(), "credential", {"value": value_check}, required=("value",),
                      allowed_extra=("name", "id"))
    ciphertext = call.vault.encrypt(values["value"])
    with call.store.write() as conn:
        credential, created = repo.put_credential(conn, call.project.id, name, ciphertext)
    return Reply(201 if created else 200, {"data": credential_json(call, credential)})


def list_credentials(call: Call) -> Reply:
    """GET /v2/credentials: names and dates, by name."""
    page = page_of(call.query)
    with call.store.read() as conn:
        found, total = repo.list_credentials(conn, call.project.id, page.limit, page.offset)
    return Reply(200, paged([credential_json(call, c) for c in found], total, page,
                            call.url("/v2/credentials")))


def get_credential(call: Call) -> Reply:
    name = name_of(call)
    with call.store.read() as conn:
        credential = repo.get_credential(conn, call.project.id, name)
    if credential is None:
        raise not_found("credential", name)
    return Reply(200, {"data": credential_json(call, credential)})


def delete_credential(call: Call) -> Reply:
    name = name_of(call)
    with call.store.write() as conn:
        if not repo.delete_credential(conn, call.project.id, name):
            raise not_found("credential", name)
    return Reply(204)


routes = [
    Route("/v2/credentials", endpoint(list_credentials), methods=["GET"]),
    Route("/v2/credentials/{name}", endpoint(put_credential), methods=["PUT"]),
    Route("/v2/credentials/{name}", endpoint(get_credential), methods=["GET"]),
    Route("/v2/credentials/{name}", endpoint(delete_credential), methods=["DELETE"]),
]
