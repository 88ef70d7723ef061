"""The HTTP API: one router module per resource, each exposing `routes`; `endpoint` wraps every handler."""

from __future__ import annotations
