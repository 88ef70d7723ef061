"""`/v2/files/{path}`: a project's shared files (imported .flow files, OpenAPI documents for `spec:`)."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from flowlang.host.api.endpoint import Call, Reply, endpoint
from flowlang.host.api.paging import page_of, paged
from flowlang.host.api.validate import json_kind, resource
from flowlang.host.bundle import path_problem
from flowlang.host.errors import invalid, not_found
from flowlang.host.store import files as repo
from flowlang.host.store.files import File

MAX_FILE = 4 * 1024 * 1024


def content_check(name: str, value: Any) -> str | None:
    if not isinstance(value, str):
        return f"must be the file's text (a string), not {json_kind(value)}"
    if len(value) > MAX_FILE:
        return f"must be at most {MAX_FILE:,} characters long"
    if "\x00" in value:
        return "must not contain NUL characters"
    return None


def file_json(call: Call, file: File, *, content: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": file.path,
        "type": "file",
        "path": file.path,
        "links": {"self": call.url(f"/v2/files/{file.path}")},
        "meta": {"size": len(file.content.encode("utf-8")),
                 "timestamps": {"created_at": file.created_at, "updated_at": file.updated_at}},
    }
    if content:
        out["content"] = file.content
    return out


def path_of(call: Call) -> str:
    path = call.path["path"]
    problem = path_problem(path)
    if problem:
        raise invalid(f"a file path {problem} (not {path!r})")
    return path


def put_file(call: Call) -> Reply:
    """PUT /v2/files/{path}: create (201) or replace (200) a shared file."""
    path = path_of(call)
    values = resource(call.json_body(), "file", {"content": content_check}, required=("content",),
                      allowed_extra=("path", "id"))
    with call.store.write() as conn:
        file, created = repo.put_file(conn, call.project.id, path, values["content"])
    return Reply(201 if created else 200, {"data": file_json(call, file)})


def list_files(call: Call) -> Reply:
    """GET /v2/files: paths, sizes and dates (without the content), by path."""
    page = page_of(call.query)
    with call.store.read() as conn:
        found, total = repo.list_files(conn, call.project.id, page.limit, page.offset)
    return Reply(200, paged([file_json(call, f, content=False) for f in found], total, page,
                            call.url("/v2/files")))


def get_file(call: Call) -> Reply:
    path = path_of(call)
    with call.store.read() as conn:
        file = repo.get_file(conn, call.project.id, path)
    if file is None:
        raise not_found("file", path)
    return Reply(200, {"data": file_json(call, file)})


def delete_file(call: Call) -> Reply:
    """DELETE /v2/files/{path}: published versions keep the copy they were published with."""
    path = path_of(call)
    with call.store.write() as conn:
        if not repo.delete_file(conn, call.project.id, path):
            raise not_found("file", path)
    return Reply(204)


routes = [
    Route("/v2/files", endpoint(list_files), methods=["GET"]),
    Route("/v2/files/{path:path}", endpoint(put_file), methods=["PUT"]),
    Route("/v2/files/{path:path}", endpoint(get_file), methods=["GET"]),
    Route("/v2/files/{path:path}", endpoint(delete_file), methods=["DELETE"]),
]
