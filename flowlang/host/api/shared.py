"""Writing a set of shared files into a project (for imports and templates), with a conflict policy."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Connection

from flowlang.host.bundle import path_problem
from flowlang.host.errors import ApiError, invalid
from flowlang.host.store import files as files_repo

POLICIES = ("refuse", "keep", "overwrite")


def policy_of(query: Mapping[str, str]) -> str:
    policy = query.get("files", "refuse")
    if policy not in POLICIES:
        raise ApiError.one(400, f"files must be one of {', '.join(POLICIES)}, not {policy!r}",
                           parameter="files")
    return policy


def write_shared(conn: Connection, project_id: str, files: Mapping[str, str], policy: str) -> list[str]:
    """Store `files` in the project; returns the paths written.

    A file the project has with other content is a 409 under `refuse` (nothing is written), left as it
    is under `keep`, replaced under `overwrite`.
    """
    for path in files:
        problem = path_problem(path)
        if problem:
            raise invalid(f"files: {path!r} {problem}", pointer="/data/files")
    existing = files_repo.all_files(conn, project_id)
    differing = sorted(p for p, text in files.items() if p in existing and existing[p] != text)
    if differing and policy == "refuse":
        raise ApiError.one(409, f"the project already has other versions of {', '.join(differing)}: "
                                "add ?files=keep to use the project's, or ?files=overwrite to replace them",
                           meta={"conflicting_files": differing})
    written = []
    for path, text in files.items():
        if path in existing and (existing[path] == text or policy == "keep"):
            continue
        files_repo.put_file(conn, project_id, path, text)
        written.append(path)
    return written
