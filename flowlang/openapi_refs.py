"""Reading OpenAPI documents (YAML or JSON) and resolving their `$ref`s, local and in relative files."""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import unquote

import yaml

try:  # the C loader is several times faster on large documents
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how pyyaml was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

# Keys whose values are data, not document structure: `$ref`s under them are not followed
# (unless the key is a property name or a response status, under `properties` or `responses`).
_DATA_KEYS = frozenset({"example", "examples", "default", "enum", "const"})
_NAMING_KEYS = frozenset({"properties", "patternProperties", "responses", "$defs", "definitions", "schemas"})
# Keys beside a `$ref` that only annotate it (dropped when the `$ref` is replaced by its target).
_ANNOTATIONS = frozenset({"description", "summary", "title", "example", "examples", "deprecated", "$comment"})


class SpecError(Exception):
    """A document that cannot be used: `code` is E300 (I/O), E301 (syntax) or E302 (not OpenAPI)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def load_document(path: str) -> Any:
    """Parse a YAML or JSON file into Python values; syntax errors name the line and column."""
    name = os.path.basename(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        raise SpecError("E300", f"OpenAPI document '{path}' not found") from None
    except OSError as exc:
        raise SpecError("E300", f"cannot read OpenAPI document '{name}': {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError("E301", f"'{name}' is not UTF-8 text (byte {exc.start})") from None
    if path.lower().endswith(".json") or text.lstrip().startswith("{"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            if path.lower().endswith(".json"):
                raise SpecError("E301", f"invalid JSON in '{name}' at {exc.lineno}:{exc.colno}: {exc.msg}") from None
    try:
        return yaml.load(text, Loader=_Loader)  # a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at {mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        what = exc.problem or exc.context or "syntax error"
        raise SpecError("E301", f"invalid YAML in '{name}'{where}: {what}") from None
    except yaml.YAMLError as exc:
        raise SpecError("E301", f"invalid YAML in '{name}': {exc}") from None


class RefResolver:
    """Replaces every `$ref` object in a document by the object it points to, in place.

    The result may be a cyclic graph (recursive schemas), so walkers of schemas must guard against
    cycles. Unresolvable references become `{}` (any value) and are listed in `problems`.
    """

    def __init__(self, path: str, document: Any) -> None:
        self.root = os.path.abspath(path)
        self.documents: dict[str, Any] = {self.root: document}
        self.resolved: set[str] = set()
        self.problems: list[str] = []

    def resolve_all(self) -> None:
        self._resolve_document(self.root)

    # -------------------------------------------------------------- walking

    def _resolve_document(self, path: str) -> None:
        if path in self.resolved:
            return
        self.resolved.add(path)
        root = self.documents[path]
        seen: set[int] = set()
        stack: list[tuple[Any, str, Any]] = [(root, "#", None)]
        while stack:
            node, pointer, node_key = stack.pop()
            names_children = node_key in _NAMING_KEYS
            if id(node) in seen:
                continue
            seen.add(id(node))
            items = node.items() if isinstance(node, dict) else enumerate(node)
            for key, child in list(items):
                if isinstance(key, str) and not names_children and (key in _DATA_KEYS or key.startswith("x-")):
                    continue
                where = f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}"
                if isinstance(child, dict) and isinstance(child.get("$ref"), str):
                    node[key] = self._replacement(path, child, where)
                elif isinstance(child, dict | list):
                    stack.append((child, where, key))

    def _replacement(self, base: str, ref_object: dict[str, Any], where: str) -> Any:
        target = self._follow(base, ref_object, where)
        extra = {k: v for k, v in ref_object.items() if k != "$ref" and k not in _ANNOTATIONS}
        if not extra:
            return target
        # OpenAPI 3.1 lets keywords sit beside a $ref: they apply together, as an allOf would
        merged = {"allOf": [target]}
        merged.update(extra)
        return merged

    def _follow(self, base: str, ref_object: dict[str, Any], where: str) -> Any:
        """The object a `$ref` points to, following chains of `$ref`s; `{}` when unresolvable."""
        visited: set[tuple[str, str]] = set()
        current: Any = ref_object
        doc_path = base
        while isinstance(current, dict) and isinstance(current.get("$ref"), str):
            ref = current["$ref"]
            file_part, _, pointer = ref.partition("#")
            if file_part:
                if "://" in file_part:
                    return self._unresolved(ref, where, "remote documents are not fetched")
                doc_path = os.path.normpath(os.path.join(os.path.dirname(doc_path), unquote(file_part)))
                if not self._ensure_document(doc_path, ref, where):
                    return {}
            key = (doc_path, pointer)
            if key in visited:
                return self._unresolved(ref, where, "the reference is circular")
            visited.add(key)
            found, ok = _lookup(self.documents[doc_path], pointer)
            if not ok:
                return self._unresolved(ref, where, "no such location")
            current = found
        return current

    def _ensure_document(self, path: str, ref: str, where: str) -> bool:
        if path not in self.documents:
            try:
                self.documents[path] = load_document(path)
            except SpecError as exc:
                self._unresolved(ref, where, exc.message)
                return False
            self._resolve_document(path)
        return True

    def _unresolved(self, ref: str, where: str, why: str) -> dict[str, Any]:
        self.problems.append(f"unresolved $ref '{ref}' at {where}: {why}")
        return {}


def _lookup(document: Any, pointer: str) -> tuple[Any, bool]:
    """Follow a JSON pointer (`/components/schemas/Flow`) from the document root."""
    node = document
    if pointer in ("", "/"):
        return node, True
    for raw in pointer.lstrip("/").split("/"):
        part = unquote(raw).replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict):
            if part in node:
                node = node[part]
            elif part.isdigit() and int(part) in node:  # YAML turns `200:` into an int key
                node = node[int(part)]
            else:
                return None, False
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None, False
    return node, True
