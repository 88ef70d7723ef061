"""Reading OpenAPI documents (YAML or JSON) and resolving their `$ref`s, local and in relative files."""

from __future__ import annotations

import functools
import json
import os
import re
import sys
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

if TYPE_CHECKING:  # PyYAML (~25 ms) is imported by the first YAML document, see _yaml()
    import yaml

# Keys whose values are data, not document structure: `$ref`s under them are not followed
# (unless the key is a property name or a response status, under `properties` or `responses`).
_DATA_KEYS = frozenset({"example", "examples", "default", "enum", "const"})
_NAMING_KEYS = frozenset({"properties", "patternProperties", "responses", "$defs", "definitions", "schemas"})
# Keys beside a `$ref` that only annotate it (dropped when the `$ref` is replaced by its target).
_ANNOTATIONS = frozenset({"description", "summary", "title", "example", "examples", "deprecated", "$comment"})

PARSE_RECURSION_LIMIT = 1000
MAX_NESTING = 500  # `[`/`{` levels, and columns of indentation / 4; libyaml crashes far deeper than that
_BRACKETS = re.compile(r"[\[\]{}]")
_INDENT = re.compile(r"^[ \t]*", re.M)


def _check_nesting(text: str, name: str) -> None:
    """Reject documents nested so deeply that the C parsers could overflow the stack.

    Counts brackets (also those inside strings, so it errs on the side of a higher count) and
    indentation; real documents stay far below the limits.
    """
    depth = deepest = 0
    for match in _BRACKETS.finditer(text):
        depth = depth + 1 if match.group() in "[{" else max(0, depth - 1)
        deepest = max(deepest, depth)
    widest = max((len(m.group()) for m in _INDENT.finditer(text)), default=0)
    if deepest > MAX_NESTING or widest > 4 * MAX_NESTING:
        raise SpecError("E301", f"'{name}' is nested too deeply to read (more than {MAX_NESTING} levels)")


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
    _check_nesting(text, name)
    previous = sys.getrecursionlimit()
    try:
        # the parsers recurse on the C stack: a raised limit (the checker's) must not let a deeply
        # nested document crash the process, so parse under the default limit
        sys.setrecursionlimit(min(previous, PARSE_RECURSION_LIMIT))
    except RecursionError:  # already deeper than that: keep the limit
        pass
    try:
        if path.lower().endswith(".json") or text.lstrip().startswith("{"):
            try:
                return json.loads(text)
            except json.JSONDecodeError as exc:
                if path.lower().endswith(".json"):
                    raise SpecError(
                        "E301", f"invalid JSON in '{name}' at {exc.lineno}:{exc.colno}: {exc.msg}"
                    ) from None
        return _load_yaml(text, name)
    except RecursionError:
        raise SpecError("E301", f"'{name}' is nested too deeply to read") from None
    finally:
        sys.setrecursionlimit(previous)


@functools.cache
def _yaml() -> tuple[Any, Any, Any]:
    """PyYAML's fastest safe loader and a constructor of scalars, PyYAML imported on the first YAML
    document: a JSON document, or one from the parsed-document cache, never needs it."""
    import yaml

    try:  # the C loader is several times faster on large documents
        from yaml import CSafeLoader as loader
    except ImportError:  # pragma: no cover - depends on how pyyaml was built
        from yaml import SafeLoader as loader  # type: ignore[assignment]
    return yaml, loader, yaml.constructor.SafeConstructor()


def _load_yaml(text: str, name: str) -> Any:
    yaml, loader, scalars = _yaml()
    try:
        if "<<" in text:  # merge keys: leave them to pyyaml's constructor
            return yaml.load(text, Loader=loader)  # a safe loader
        return _build(yaml.compose(text, Loader=loader), {}, (yaml, scalars))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at {mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        what = exc.problem or exc.context or "syntax error"
        raise SpecError("E301", f"invalid YAML in '{name}'{where}: {what}") from None
    except yaml.YAMLError as exc:
        raise SpecError("E301", f"invalid YAML in '{name}': {exc}") from None


_STR = "tag:yaml.org,2002:str"


def _build(node: yaml.Node | None, memo: dict[int, Any], lib: tuple[Any, Any]) -> Any:
    """Python values from a composed YAML node tree: what yaml.safe_load gives, about twice as fast
    on large documents (strings, the most common scalars, skip the constructor). `lib`: PyYAML and
    a constructor of scalars (see _yaml)."""
    yaml, scalars = lib
    if node is None:
        return None
    if isinstance(node, yaml.ScalarNode):
        return node.value if node.tag == _STR else scalars.construct_object(node)
    known = memo.get(id(node))
    if known is not None:  # an alias of an anchored node
        return known
    if isinstance(node, yaml.SequenceNode):
        items: list[Any] = []
        memo[id(node)] = items
        items.extend(_build(child, memo, lib) for child in node.value)
        return items
    if not isinstance(node, yaml.MappingNode) or node.tag != "tag:yaml.org,2002:map":
        return scalars.construct_object(node, deep=True)  # other tags: as pyyaml reads them
    mapping: dict[Any, Any] = {}
    memo[id(node)] = mapping
    for key, value in node.value:
        name = _build(key, memo, lib)
        try:
            mapping[name] = _build(value, memo, lib)
        except TypeError:  # a list or mapping as a key
            raise yaml.constructor.ConstructorError(
                None, None, "found a key that is a list or a mapping", key.start_mark
            ) from None
    return mapping


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
        self.tried: set[str] = set()  # the other files `$ref`s name, read or not (the parsed-document cache)

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
            self.tried.add(path)
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
