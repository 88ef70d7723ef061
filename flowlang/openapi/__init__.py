"""OpenAPI 3.0/3.1 (and Swagger 2.0) documents: load, resolve `$ref`s, list operations, check values.

Modules: `refs` (loading and `$ref`s), `spec` (operations and parameters), `schema` (schema views),
`values` (checking literal values against schemas), `responses` (following fields of responses).
"""

from __future__ import annotations

from flowlang.openapi.spec import (
    OPENAPI_CODES,
    Param,
    Spec,
    SpecError,
    SpecOperation,
    build_spec,
    load_spec,
    operation_name,
    snake_case,
    spec_base_url,
)

__all__ = [
    "OPENAPI_CODES",
    "Param",
    "Spec",
    "SpecError",
    "SpecOperation",
    "build_spec",
    "load_spec",
    "operation_name",
    "snake_case",
    "spec_base_url",
]
