"""OpenAPI 3.0/3.1 (and Swagger 2.0) documents: load, resolve `$ref`s, and list callable operations."""

from __future__ import annotations

import functools
import keyword
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from flowlang.diagnostics import ERROR, WARNING
from flowlang.openapi.refs import RefResolver, SpecError, load_document

__all__ = [
    "OPENAPI_CODES",
    "Param",
    "Spec",
    "SpecError",
    "SpecOperation",
    "load_spec",
    "operation_name",
    "snake_case",
    "spec_base_url",
]

# code -> (severity, one-line meaning): what the OpenAPI part reports; merge into the checker's table.
OPENAPI_CODES: dict[str, tuple[str, str]] = {
    "E300": (ERROR, "`spec:` document not found or unreadable"),
    "E301": (ERROR, "`spec:` document is not valid YAML or JSON"),
    "E302": (ERROR, "`spec:` document is not an OpenAPI 3.x or Swagger 2.0 document"),
    "E303": (ERROR, "unresolved `$ref` in a `spec:` document"),
    "W300": (WARNING, "operationId used twice in a `spec:` document"),
    "W301": (WARNING, "operation line disagrees with the document's method or path"),
    "E311": (ERROR, "missing path parameter of a spec operation"),
    "E312": (ERROR, "missing required query parameter"),
    "E313": (ERROR, "missing required header parameter"),
    "E314": (ERROR, "unknown parameter of a spec operation"),
    "E315": (ERROR, "missing required request body"),
    "E316": (ERROR, "body property forbidden by additionalProperties: false"),
    "E317": (ERROR, "missing required body property"),
    "E318": (ERROR, "literal of the wrong type for the schema"),
    "E319": (ERROR, "literal outside the schema's enum"),
    "E320": (ERROR, "`items:` path the response schema does not have, or not a list"),
    "E321": (ERROR, "paginate path (`from`, `key`, `has_more`) the response schema does not have"),
    "E322": (ERROR, "paginate parameter the operation does not have"),
    "W310": (WARNING, "body property not in the schema"),
    "W315": (WARNING, "string literal without the uuid, date-time, date or email format it needs"),
    "W311": (WARNING, "query key the operation does not declare"),
    "W312": (WARNING, "body given to an operation without a request body"),
    "W313": (WARNING, "response field the response schema does not have"),
    "W314": (WARNING, "response field other than status, ok, headers, body"),
}

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
# Header parameters OpenAPI says to ignore: the client sets them itself.
IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})


@dataclass(frozen=True)
class Param:
    """A path, query, header or cookie parameter of an operation."""

    name: str  # as on the wire
    location: str  # "path" | "query" | "header" | "cookie"
    required: bool
    schema: Any  # a resolved JSON schema (dict), or None
    arg_name: str  # the named argument that sets it in `call sys.op(…)`; "" when it has none


@dataclass(frozen=True)
class SpecOperation:
    """One operation of a document, as flowlang calls it."""

    name: str  # the operationId, or a name made from method and path (see operation_name)
    method: str  # upper case
    path: str  # as in the document
    call_path: str  # the path with every `{param}` an identifier (what flowlang's runtime fills in)
    params: tuple[Param, ...]
    body_required: bool
    body_schema: Any  # the JSON request body schema, or None when the operation takes no JSON body
    has_body: bool  # the operation declares a requestBody (of any media type)
    responses: dict[str, Any]  # status ("200", "2XX", "default") -> JSON schema or None
    summary: str = ""
    # how the body is sent: "json", or "form"/"multipart" when the document offers only that media type
    body_format: str = "json"
    # the `encoding` of a form body: (property, style, explode) for the properties that give a style
    form_styles: tuple[tuple[str, str, bool], ...] = ()

    def params_in(self, location: str) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.location == location)

    @property
    def query_params(self) -> tuple[str, ...]:
        """Query parameters that a named argument can set (their names are identifiers)."""
        return tuple(p.name for p in self.params_in("query") if p.arg_name == p.name)

    @property
    def header_params(self) -> tuple[str, ...]:
        """Header parameters that a named argument can set (their names are identifiers)."""
        return tuple(p.name for p in self.params_in("header") if p.arg_name == p.name)

    @property
    def success_schemas(self) -> list[Any]:
        """The JSON schemas of the 2xx responses (those that declare one)."""
        return [
            schema
            for status, schema in self.responses.items()
            if schema is not None and (status.startswith("2") or status.upper() == "2XX")
        ]


@dataclass(frozen=True)
class SpecProblem:
    """A non-fatal problem in a document (an unresolved `$ref`, a duplicate operationId)."""

    code: str
    message: str


@dataclass(frozen=True)
class Spec:
    """A loaded document: its operations by callable name, the default base URL, and its problems."""

    path: str
    title: str
    version: str  # the `openapi` (or `swagger`) version string
    base_url: str | None
    operations: dict[str, SpecOperation]
    problems: tuple[SpecProblem, ...] = field(default=())


# ------------------------------------------------------------------ loading (cached)


def load_spec(path: str | os.PathLike[str]) -> Spec:
    """Load a document; raises SpecError (code E300–E302) when it cannot be used at all.

    Cached per (absolute path, mtime, size): a run or a check loads each document once, and an edited
    file is read again; across processes, by the parsed-document cache (flowlang/openapi/cache.py).
    """
    real = os.path.abspath(os.fspath(path))
    try:
        st = os.stat(real)
    except FileNotFoundError:
        raise SpecError("E300", f"OpenAPI document '{os.fspath(path)}' not found") from None
    except OSError as exc:
        raise SpecError("E300", f"cannot read OpenAPI document '{os.fspath(path)}': {exc.strerror}") from None
    if not os.path.isfile(real):
        raise SpecError("E300", f"OpenAPI document '{os.fspath(path)}' is not a file")
    return _load_cached(real, st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=64)
def _load_cached(real: str, mtime_ns: int, size: int) -> Spec:
    from flowlang.openapi.cache import cached

    spec: Spec = cached(real, lambda: _build_spec(load_document(real), real))
    return spec


def build_spec(document: Any, path: str) -> Spec:
    """Make a Spec from a parsed document (a dict); `path` anchors relative `$ref`s."""
    return _build_spec(document, path)[0]


def _build_spec(document: Any, path: str) -> tuple[Spec, list[str]]:
    """The Spec, and the other files that its `$ref`s name (those that were missing too)."""
    if not isinstance(document, dict):
        raise SpecError("E302", f"'{Path(path).name}' is not an OpenAPI document (it is not a mapping)")
    version = document.get("openapi") or document.get("swagger")
    if version is None:
        raise SpecError(
            "E302",
            f"'{Path(path).name}' is not an OpenAPI document (no 'openapi' or 'swagger' field)",
        )
    version = str(version)
    if not (version.startswith("3.") or version.startswith("2.")):
        raise SpecError("E302", f"unsupported OpenAPI version '{version}' in '{Path(path).name}' (3.0, 3.1 or 2.0)")
    resolver = RefResolver(path, document)
    resolver.resolve_all()
    swagger = version.startswith("2.")
    paths = document.get("paths") or {}
    if not isinstance(paths, dict):
        raise SpecError("E302", f"'paths' of '{Path(path).name}' is not a mapping")
    problems: list[SpecProblem] = [SpecProblem("E303", m) for m in resolver.problems]
    operations: dict[str, SpecOperation] = {}
    for route, item in paths.items():
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            built = _operation(str(route), method, op, _as_list(item.get("parameters")), swagger)
            if built.name in operations:
                other = operations[built.name]
                renamed = _renamed(built, operation_name(method, str(route)), operations)
                problems.append(SpecProblem(
                    "W300",
                    f"operation name '{built.name}' is used by {other.method} {other.path} and "
                    f"{built.method} {built.path}; the second is callable as '{renamed.name}'",
                ))
                built = renamed
            operations[built.name] = built
    raw_info = document.get("info")
    info: dict[str, Any] = raw_info if isinstance(raw_info, dict) else {}
    spec = Spec(
        path=path,
        title=str(info.get("title", "")),
        version=version,
        base_url=_swagger_base_url(document) if swagger else _base_url(document.get("servers")),
        operations=operations,
        problems=tuple(problems),
    )
    return spec, sorted(resolver.tried)


# ------------------------------------------------------------------ operations


def snake_case(text: str) -> str:
    """`flowID` -> `flow_id`, `page[limit]` -> `page_limit`, `EP-Channel` -> `ep_channel`."""
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", text)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    s = re.sub(r"[^A-Za-z0-9]+", "_", s).strip("_").lower()
    if not s:
        return "_"
    if s[0].isdigit() or keyword.iskeyword(s):
        s = "_" + s
    return s


def operation_name(method: str, path: str) -> str:
    """The callable name of an operation without an operationId: `get_v2_flows_flow_id`.

    The lower-case method, then the path's segments in snake_case (braces dropped), joined by `_`.
    """
    return snake_case(f"{method.lower()}_{path}")


def _is_identifier(name: str) -> bool:
    return name.isidentifier() and name.isascii() and not keyword.iskeyword(name)


def _renamed(op: SpecOperation, name: str, taken: dict[str, SpecOperation]) -> SpecOperation:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}_{n}", n + 1
    return replace(op, name=candidate)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _operation(route: str, method: str, op: dict[str, Any], shared: list[Any], swagger: bool) -> SpecOperation:
    op_id = op.get("operationId")
    if isinstance(op_id, str) and op_id:
        name = op_id if _is_identifier(op_id) else snake_case(op_id)
    else:
        name = operation_name(method, route)
    # operation-level parameters override path-level ones with the same name and location
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for raw in [*shared, *_as_list(op.get("parameters"))]:
        if isinstance(raw, dict) and isinstance(raw.get("name"), str) and isinstance(raw.get("in"), str):
            merged[(raw["name"], raw["in"])] = raw
    params: list[Param] = []
    body_schema: Any = None
    body_required = False
    has_body = False
    for (pname, where), raw in merged.items():
        if where == "body":  # Swagger 2.0
            has_body, body_required, body_schema = True, bool(raw.get("required")), _schema(raw.get("schema"))
            continue
        if where not in ("path", "query", "header", "cookie"):
            continue
        if where == "header" and pname.lower() in IGNORED_HEADERS:
            continue
        schema = raw.get("schema") if not swagger else {k: v for k, v in raw.items() if k in _SWAGGER_SCHEMA_KEYS}
        # path parameters are renamed to identifiers in call_path; other names without one have no
        # named argument and go in `query: {…}` or `headers: {…}`
        arg = pname if _is_identifier(pname) else (snake_case(pname) if where == "path" else "")
        params.append(Param(pname, where, where == "path" or bool(raw.get("required")), _schema(schema), arg))
    for pname in re.findall(r"\{([^}]+)\}", route):  # path templates the document forgot to declare
        if not any(p.location == "path" and p.name == pname for p in params):
            arg = pname if _is_identifier(pname) else snake_case(pname)
            params.append(Param(pname, "path", True, None, arg))
    body = op.get("requestBody")
    body_format = "json"
    form_styles: tuple[tuple[str, str, bool], ...] = ()
    if isinstance(body, dict):
        has_body, body_required = True, bool(body.get("required"))
        body_schema = _json_schema(body.get("content"))
        if body_schema is None:
            body_format, body_schema, form_styles = _form_body(body.get("content"))
    call_path = re.sub(
        r"\{([^}]+)\}",
        lambda m: "{" + (m.group(1) if _is_identifier(m.group(1)) else snake_case(m.group(1))) + "}",
        route,
    )
    responses: dict[str, Any] = {}
    raw_responses = op.get("responses")
    if isinstance(raw_responses, dict):
        for status, response in raw_responses.items():
            if isinstance(response, dict):
                schema = _schema(response.get("schema")) if swagger else _json_schema(response.get("content"))
                responses[str(status)] = schema
    summary = op.get("summary")
    return SpecOperation(
        name=name,
        method=method.upper(),
        path=route,
        call_path=call_path,
        params=tuple(params),
        body_required=body_required,
        body_schema=body_schema,
        has_body=has_body,
        responses=responses,
        summary=summary if isinstance(summary, str) else "",
        body_format=body_format,
        form_styles=form_styles,
    )


_SWAGGER_SCHEMA_KEYS = frozenset({"type", "format", "items", "enum", "minimum", "maximum", "default"})


def _schema(value: Any) -> Any:
    return value if isinstance(value, dict) else None


def _json_schema(content: Any) -> Any:
    """The schema of the JSON media type of a `content` map (application/json, *+json, */*)."""
    if not isinstance(content, dict):
        return None
    best: Any = None
    for media, entry in content.items():
        if not isinstance(entry, dict):
            continue  # e.g. a misplaced `required: true` inside `content`
        kind = str(media).split(";")[0].strip().lower()
        if kind == "application/json" or kind.endswith("+json"):
            return _schema(entry.get("schema")) or {}
        if kind in ("*/*", "application/*") and best is None:
            best = _schema(entry.get("schema")) or {}
    return best


_FORM_MEDIA = {"application/x-www-form-urlencoded": "form", "multipart/form-data": "multipart"}


def _form_body(content: Any) -> tuple[str, Any, tuple[tuple[str, str, bool], ...]]:
    """A request body without a JSON media type: ("form" | "multipart", its schema, its styles).

    ("json", None, ()) when it has neither form media type either (text/plain, octet-stream, …).
    """
    if not isinstance(content, dict):
        return "json", None, ()
    for media, entry in content.items():
        fmt = _FORM_MEDIA.get(str(media).split(";")[0].strip().lower())
        if fmt is None or not isinstance(entry, dict):
            continue
        styles = []
        encoding = entry.get("encoding")
        for prop, how in (encoding.items() if isinstance(encoding, dict) else ()):
            if isinstance(how, dict) and ("style" in how or "explode" in how):
                style = how["style"] if isinstance(how.get("style"), str) else "form"
                explode = how.get("explode", style == "form")  # OpenAPI: explode defaults to true for form
                styles.append((str(prop), style, explode is True))
        return fmt, _schema(entry.get("schema")) or {}, tuple(styles)
    return "json", None, ()


def _base_url(servers: Any) -> str | None:
    if not isinstance(servers, list) or not servers or not isinstance(servers[0], dict):
        return None
    url = servers[0].get("url")
    if not isinstance(url, str):
        return None
    variables = servers[0].get("variables")
    if isinstance(variables, dict):
        for key, var in variables.items():
            if isinstance(var, dict) and "default" in var:
                url = url.replace("{" + str(key) + "}", str(var["default"]))
    return url.rstrip("/") if url != "/" else url


def _swagger_base_url(document: dict[str, Any]) -> str | None:
    host = document.get("host")
    if not isinstance(host, str):
        return None
    schemes = document.get("schemes")
    scheme = schemes[0] if isinstance(schemes, list) and schemes else "https"
    base = document.get("basePath") if isinstance(document.get("basePath"), str) else ""
    return f"{scheme}://{host}{base}".rstrip("/")



def spec_base_url(path: str) -> str | None:
    """The first server URL of the document at `path` (the default `base_url`); None if it has none."""
    try:
        return load_spec(path).base_url
    except SpecError:
        return None
