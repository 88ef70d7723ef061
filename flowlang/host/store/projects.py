"""Projects and their API tokens: create, list, revoke, and find the project a Bearer token belongs to."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import Connection, select, update

from flowlang.host.store import now_iso
from flowlang.host.store.schema import api_tokens, projects

TOKEN_PREFIX = "flw_"


@dataclass(frozen=True)
class Project:
    id: str
    slug: str
    name: str
    created_at: str


@dataclass(frozen=True)
class TokenInfo:
    """What `token list` shows: never the token, only the first characters that identify it."""

    id: str
    project_slug: str
    name: str
    prefix: str
    created_at: str
    last_used_at: str | None
    revoked_at: str | None


def hash_token(token: str) -> str:
    """Tokens are 256 random bits: one SHA-256 is enough (no password stretching needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def get_project(conn: Connection, slug: str) -> Project | None:
    row = conn.execute(select(projects).where(projects.c.slug == slug)).first()
    return Project(**row._mapping) if row else None


def ensure_project(conn: Connection, slug: str) -> tuple[Project, bool]:
    """The project with `slug`, created when missing; the flag says whether it was created."""
    found = get_project(conn, slug)
    if found is not None:
        return found, False
    project = Project(str(uuid.uuid4()), slug, slug, now_iso())
    conn.execute(projects.insert().values(**project.__dict__))
    return project, True


def create_token(conn: Connection, project: Project, name: str) -> tuple[str, TokenInfo]:
    """A new token for `project`: the plain token (shown once) and what is stored about it."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    info = TokenInfo(str(uuid.uuid4()), project.slug, name, token[:12], now_iso(), None, None)
    conn.execute(api_tokens.insert().values(
        id=info.id, project_id=project.id, name=name, token_hash=hash_token(token), prefix=info.prefix,
        created_at=info.created_at,
    ))
    return token, info


def list_tokens(conn: Connection, project_slug: str | None = None) -> list[TokenInfo]:
    query = (select(api_tokens, projects.c.slug.label("project_slug"))
             .join(projects, projects.c.id == api_tokens.c.project_id)
             .order_by(projects.c.slug, api_tokens.c.created_at))
    if project_slug is not None:
        query = query.where(projects.c.slug == project_slug)
    return [
        TokenInfo(r.id, r.project_slug, r.name, r.prefix, r.created_at, r.last_used_at, r.revoked_at)
        for r in conn.execute(query)
    ]


def revoke_token(conn: Connection, ident: str, project_slug: str | None = None) -> list[TokenInfo]:
    """Revoke the live tokens whose id, prefix or name is `ident` (within a project when given)."""
    matches = [
        t for t in list_tokens(conn, project_slug)
        if t.revoked_at is None and ident in (t.id, t.prefix, t.name)
    ]
    stamp = now_iso()
    for t in matches:
        conn.execute(update(api_tokens).where(api_tokens.c.id == t.id).values(revoked_at=stamp))
    return matches


def project_for_token(conn: Connection, token: str) -> tuple[Project, str] | None:
    """The project of a live token and the token's name, or None (unknown or revoked)."""
    row = conn.execute(
        select(projects, api_tokens.c.name.label("token_name"), api_tokens.c.id.label("token_id"))
        .join(api_tokens, api_tokens.c.project_id == projects.c.id)
        .where(api_tokens.c.token_hash == hash_token(token), api_tokens.c.revoked_at.is_(None))
    ).first()
    if row is None:
        return None
    return Project(row.id, row.slug, row.name, row.created_at), row.token_name
