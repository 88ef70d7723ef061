"""The tables as SQLAlchemy Core objects, for queries (the DDL that creates them is in migrations/)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Integer, MetaData, Table, Text

metadata = MetaData()

projects = Table(
    "projects", metadata,
    Column("id", Text, primary_key=True),
    Column("slug", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("created_at", Text, nullable=False),
)

api_tokens = Table(
    "api_tokens", metadata,
    Column("id", Text, primary_key=True),
    Column("project_id", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("token_hash", Text, nullable=False, unique=True),
    Column("prefix", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("last_used_at", Text),
    Column("revoked_at", Text),
)

flows = Table(
    "flows", metadata,
    Column("id", Text, primary_key=True),
    Column("project_id", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("slug", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("source", Text),  # the draft: what PUT saves and publish checks
    Column("sample", Text),  # JSON text of a sample payload (the seed's Source API Response)
    Column("revision", Integer, nullable=False),  # +1 on every change: the ETag
    Column("created_at", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
)

flow_versions = Table(
    "flow_versions", metadata,
    Column("flow_id", Text, primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("source", Text, nullable=False),
    Column("files", Text, nullable=False),  # JSON {path: text} of the shared files it used, as published
    Column("created_at", Text, nullable=False),
    Column("created_by", Text, nullable=False),  # the name of the token that published it
    Column("note", Text),
)

project_files = Table(
    "project_files", metadata,
    Column("project_id", Text, primary_key=True),
    Column("path", Text, primary_key=True),
    Column("content", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
)

credentials = Table(
    "credentials", metadata,
    Column("project_id", Text, primary_key=True),
    Column("name", Text, primary_key=True),
    Column("ciphertext", Text, nullable=False),  # Fernet token: the value never touches the disk in clear
    Column("created_at", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
)
