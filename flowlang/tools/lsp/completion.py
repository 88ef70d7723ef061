"""Completion: what may be written at the cursor, from the line being typed and the last good analysis.

The buffer may not parse while it is typed, so the cursor's context comes from the text before it (a
`system.` to complete, the call whose arguments are open, the chain of fields before a `.`); names, systems,
operations and the shapes of values come from the last analysis that parsed. Nothing here re-checks the
file: a completion costs a scan of the text before the cursor.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

from lsprotocol import types as lsp

from flowlang import nodes
from flowlang.checker.tests import TEST_NAMES
from flowlang.checker.traverse import statements
from flowlang.systems import OperationModel, literal_string
from flowlang.tools.lsp.analysis import Analysis
from flowlang.tools.lsp.builtin_docs import builtin_docs, signature_line
from flowlang.tools.lsp.index import visible_names

KEYWORDS = ("import", "system", "func", "flow", "test", "if", "else", "for", "in", "parallel", "while", "break",
            "continue", "return", "try", "catch", "fail", "log", "wait", "checkpoint", "call", "each", "and",
            "or", "not", "true", "false", "null", "then", "given", "expect")
LOG_LEVELS = ("debug", "info", "warn", "error", "success", "failure")
ENVELOPE = {"status": "the HTTP status", "ok": "true for a 2xx status", "headers": "the response headers",
            "body": "the decoded body"}
MAX_DEPTH = 12
SCAN_BACK = 4000  # characters before the cursor read to find the call whose arguments are open

_CHAIN = re.compile(r"(?:\b(call|each|given)\s+)?([A-Za-z_]\w*(?:\??\.[A-Za-z_]\w*|\[[^\[\]]*\])*)\s*\??\.$")
_API_CALL = re.compile(r"\b(?:call|each)\s+([A-Za-z_]\w*)\.([A-Za-z_]\w*)\s*$")
_ARG_KEY = re.compile(r"([A-Za-z_]\w*)\s*:\s*$")
_WORD = re.compile(r"[A-Za-z_]\w*$")

Shape = tuple[str, Any]  # ("json", a sample value) | ("schemas", [OpenAPI schemas]) | ("response", [schemas])


def _item(label: str, kind: lsp.CompletionItemKind, detail: str = "", doc: str = "",
          insert: str | None = None) -> lsp.CompletionItem:
    return lsp.CompletionItem(
        label, kind=kind, detail=detail or None, insert_text=insert,
        documentation=lsp.MarkupContent(lsp.MarkupKind.Markdown, doc) if doc else None,
    )


def _common(a: str, b: str, *, tail: bool = False) -> int:
    """The length of the longest common prefix (or suffix) of a and b, by bisection of C comparisons."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if (a[len(a) - mid:] == b[len(b) - mid:]) if tail else (a[:mid] == b[:mid]):
            lo = mid
        else:
            hi = mid - 1
    return lo


def _old_offset(old: str, new: str, offset: int) -> int:
    """Where `offset` of `new` is in `old`: the same place before the edited span, shifted after it, and
    the start of the edit inside it."""
    if old == new:
        return offset
    start = _common(old, new)
    end = min(_common(old, new, tail=True), min(len(old), len(new)) - start)
    if offset <= start:
        return offset
    if offset >= len(new) - end:
        return offset - (len(new) - len(old))
    return start


def _open_brackets(text: str) -> list[tuple[str, int]]:
    """The brackets still open at the end of `text` (innermost last), skipping comments.

    An open string is `"` (the cursor is in its text); a `{` inside it opens an interpolation, `${`, where
    code goes on until its `}`.
    """
    stack: list[tuple[str, int]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if stack and stack[-1][0] == '"':  # in a string's text
            if ch == "\\":
                i += 2
                continue
            long = text.startswith('"""', stack[-1][1])
            if (text.startswith('"""', i) if long else ch in '"\n'):
                stack.pop()
                i += 3 if long else 1
                continue
            if ch == "{":
                stack.append(("${", i))
            i += 1
            continue
        if ch == '"':
            stack.append(('"', i))
            i += 3 if text.startswith('"""', i) else 1
            continue
        if ch == "#":
            end = text.find("\n", i)
            i = n if end == -1 else end
            continue
        if ch in "([{":
            stack.append((ch, i))
        elif ch in ")]}" and stack:
            stack.pop()
        i += 1
    return stack


class Completer:
    """Completions for one request: `text` is the buffer now, (line, column) 1-based, code points."""

    def __init__(self, analysis: Analysis | None, text: str, line: int, column: int) -> None:
        self.analysis = analysis
        lines = text.split("\n")
        self.line_text = lines[line - 1] if 0 < line <= len(lines) else ""
        self.prefix = self.line_text[: column - 1]
        offset = sum(len(t) + 1 for t in lines[: line - 1]) + len(self.prefix)
        start = text.find("\n", offset - SCAN_BACK) + 1 if offset > SCAN_BACK else 0  # from a line's start
        self.before = text[start:offset]
        self.line, self.column = line, column
        self.text, self.offset = text, offset
        self._analysed_at: tuple[int, int] | None = None

    # ---------------------------------------------------------- entry point

    def complete(self) -> list[lsp.CompletionItem]:
        prefix = self.prefix
        if self._in_comment():
            return []
        word = _WORD.search(prefix)
        head = prefix[: word.start()] if word else prefix
        opened = _open_brackets(self.before[: len(self.before) - (len(prefix) - len(head))])
        if opened and opened[-1][0] == '"':
            return []
        chain = _CHAIN.search(head)
        if chain:
            return self.members(chain.group(1), chain.group(2))
        if re.search(r"\b(call|each|given)\s+$", head):
            return self.systems()
        if re.search(r"\blog\s+$", head):
            return [_item(level, lsp.CompletionItemKind.EnumMember, "log level") for level in LOG_LEVELS]
        arguments = self.arguments(opened, head)
        if arguments is not None:
            return arguments + self.names()
        return self.names()

    def _in_comment(self) -> bool:
        opened = _open_brackets(self.prefix)
        return not (opened and opened[-1][0] == '"') and "#" in re.sub(r'"(?:[^"\\]|\\.)*"', "", self.prefix)

    # ---------------------------------------------------------- names

    def names(self) -> list[lsp.CompletionItem]:
        items = [_item(k, lsp.CompletionItemKind.Keyword) for k in KEYWORDS]
        docs = builtin_docs()
        items += [_item(name, lsp.CompletionItemKind.Function, signature_line(name), docs[name]) for name in docs]
        a = self.analysis
        if a is None:
            return items
        for name, (func, _file) in a.funcs.items():
            params = ", ".join(p.name for p in func.params)
            items.append(_item(name, lsp.CompletionItemKind.Function, f"func {name}({params})"))
        decl = self._enclosing()
        if decl is None:
            return items
        kind = "flow" if isinstance(decl, nodes.Flow) else "func" if isinstance(decl, nodes.Func) else "test"
        for name, what in visible_names(decl, *self.analysed_at()).items():
            detail = what if what == "lambda parameter" else f"{kind} {decl.name}: {what}"
            items.append(_item(name, lsp.CompletionItemKind.Variable, detail))
        if kind == "flow":
            items += [_item("source", lsp.CompletionItemKind.Variable, "the flow's input"),
                      _item("state", lsp.CompletionItemKind.Variable, "the flow's saved state")]
        elif kind == "test":
            items += [_item(name, lsp.CompletionItemKind.Variable, "the state after the last run")
                      for name in TEST_NAMES]
        return items

    def analysed_at(self) -> tuple[int, int]:
        """The cursor's (line, column) in the text of the last good analysis: where the edits since then
        start when the cursor is inside them, so that a line typed into a block is read in that block."""
        if self._analysed_at is None:
            old = self.analysis.text if self.analysis is not None else self.text
            at = _old_offset(old, self.text, self.offset)
            line = old.count("\n", 0, at) + 1
            self._analysed_at = (line, at - (old.rfind("\n", 0, at) + 1) + 1)
        return self._analysed_at

    def _enclosing(self) -> nodes.Flow | nodes.Func | nodes.Test | None:
        """The flow, func or test of the last good analysis around the cursor."""
        program = self.analysis.program if self.analysis is not None else None
        if program is None:
            return None
        at = self.analysed_at()
        decls: list[nodes.Flow | nodes.Func | nodes.Test] = [*program.flows, *program.funcs, *program.tests]
        for decl in decls:
            span = decl.span
            if (span.line, span.column) <= at <= (span.end_line, span.end_column):
                return decl
        return None

    def systems(self) -> list[lsp.CompletionItem]:
        if self.analysis is None:
            return []
        return [_item(name, lsp.CompletionItemKind.Module,
                      f"system ({len(m.operations)} operation{'' if len(m.operations) == 1 else 's'})")
                for name, m in self.analysis.systems.items()]

    # ---------------------------------------------------------- after a `.`

    def members(self, keyword: str | None, chain: str) -> list[lsp.CompletionItem]:
        a = self.analysis
        if a is None:
            return []
        system = a.systems.get(chain)
        if system is not None and (keyword or "." not in chain):
            return [self._operation_item(op) for op in system.operations.values()]
        shape = self.shape_of_text(chain)
        return [] if shape is None else self.fields(shape)

    def _operation_item(self, op: OperationModel) -> lsp.CompletionItem:
        from flowlang.tools.lsp.features import describe_operation

        return _item(op.name, lsp.CompletionItemKind.Method, f"{op.method} {op.path}", describe_operation(op))

    def fields(self, shape: Shape) -> list[lsp.CompletionItem]:
        kind, value = shape
        field = lsp.CompletionItemKind.Field
        if kind == "response":
            return [_item(name, field, "response", doc) for name, doc in ENVELOPE.items()]
        if kind == "json":
            if isinstance(value, dict):
                return [_item(name, field, f"sample: {_preview(v)}") for name, v in value.items()]
            return []
        names: dict[str, str] = {}
        for shape_ in self._views().alternatives_of(value):
            for name, schema in shape_.properties.items():
                names.setdefault(name, _schema_type(schema))
        return [_item(name, field, f"response field: {t}" if t else "response field") for name, t in names.items()]

    def _views(self) -> _Views:
        a = self.analysis
        assert a is not None
        views = a.memo.get("views")
        if views is None:
            views = a.memo["views"] = _Views()
        return views

    # ---------------------------------------------------------- shapes of values

    def shape_of_text(self, chain: str) -> Shape | None:
        parts = re.findall(r"[A-Za-z_]\w*|\[[^\[\]]*\]", chain)
        if not parts:
            return None
        shape = self.shape_of_name(parts[0], 0)
        for part in parts[1:]:
            if shape is None:
                return None
            shape = self.step(shape, None if part.startswith("[") else part)
        return shape

    def shape_of_name(self, name: str, depth: int) -> Shape | None:
        a = self.analysis
        if a is None or a.index is None or depth > MAX_DEPTH:
            return None
        scopes = a.index.scope_at(*self.analysed_at())
        flow = next((s for s in reversed(scopes) if s.kind in ("flow", "func")), None)
        if flow is None:
            return None
        decl = self._declaration(flow.kind, flow.name)
        if decl is None:
            return None
        if name == "source" and isinstance(decl, nodes.Flow):
            return self._sample(decl)
        origin = self._origins(decl).get(name)
        if origin is None:
            return None
        expr, element = origin
        shape = self.shape_of(expr, depth + 1)
        return self.step(shape, None) if element and shape is not None else shape

    def _declaration(self, kind: str, name: str) -> nodes.Flow | nodes.Func | None:
        a = self.analysis
        assert a is not None
        found = (a.flows if kind == "flow" else a.funcs).get(name)
        return found[0] if found else None

    def _origins(self, decl: nodes.Flow | nodes.Func) -> dict[str, tuple[nodes.Node, bool]]:
        """Each variable's first value: (expression, True when it is an element of that expression)."""
        a = self.analysis
        assert a is not None
        key = ("origins", id(decl))
        if key not in a.memo:
            origins: dict[str, tuple[nodes.Node, bool]] = {}
            for stmt in statements(decl.body):
                if isinstance(stmt, nodes.Assign) and isinstance(stmt.target, nodes.Name) and stmt.op == "=":
                    origins.setdefault(stmt.target.name, (stmt.value, False))
                elif isinstance(stmt, nodes.For):
                    origins.setdefault(stmt.names[-1].name, (stmt.iterable, True))
            a.memo[key] = origins
        result: dict[str, tuple[nodes.Node, bool]] = a.memo[key]
        return result

    def _sample(self, flow: nodes.Flow) -> Shape | None:
        a = self.analysis
        assert a is not None
        setting = next((s for s in flow.settings if s.key == "source"), None)
        text = literal_string(setting.value) if setting else None
        if text is None:
            return None
        path = os.path.normpath(os.path.join(os.path.dirname(a.path), text))
        key = ("sample", path)
        if key not in a.memo:
            try:
                with open(path, encoding="utf-8-sig") as handle:
                    a.memo[key] = ("json", json.load(handle))
            except (OSError, ValueError):
                a.memo[key] = None
        found: Shape | None = a.memo[key]
        return found

    def shape_of(self, expr: nodes.Node, depth: int) -> Shape | None:
        if depth > MAX_DEPTH:
            return None
        if isinstance(expr, nodes.Name):
            return self.shape_of_name(expr.name, depth)
        if isinstance(expr, nodes.Attr | nodes.Index):
            inner = self.shape_of(expr.obj, depth + 1)
            return None if inner is None else self.step(inner, expr.name if isinstance(expr, nodes.Attr) else None)
        if isinstance(expr, nodes.ApiCall) and self.analysis is not None:
            system = self.analysis.systems.get(expr.system)
            op = system.operations.get(expr.operation) if system else None
            if op is None or op.response_schema is None:
                return None
            if expr.mode == "call":
                return ("response", [op.response_schema])
            items = op.option("items")
            path = literal_string(items.value) if items else None
            shape: Shape | None = ("schemas", [op.response_schema])
            for part in (path or "").split("."):
                if part and shape is not None:
                    shape = self.step(shape, part)
            return shape
        return None

    def step(self, shape: Shape, name: str | None) -> Shape | None:
        """The shape of field `name` (None: of an element) of a value of `shape`."""
        kind, value = shape
        if kind == "response":
            return ("schemas", value) if name == "body" else None
        if kind == "json":
            if name is None:
                if isinstance(value, list) and value:
                    merged: dict[str, Any] = {}
                    for item in value:
                        if isinstance(item, dict):
                            for k, v in item.items():
                                merged.setdefault(k, v)
                    return ("json", merged if merged else value[0])
                return None
            return ("json", value[name]) if isinstance(value, dict) and name in value else None
        views = self._views().views
        if name is None:
            element = views.element(value)
            return ("schemas", element) if element else None
        status, found, _ = views.field(value, name)
        return ("schemas", found) if status == "ok" else None

    # ---------------------------------------------------------- arguments of an API call

    def arguments(self, opened: list[tuple[str, int]], head: str) -> list[lsp.CompletionItem] | None:
        """Argument names when the cursor stands where one starts, in `call s.op(…)` or its `query:`/`body:`."""
        if not opened or not re.search(r"[(,{]\s*$", self.before[: len(self.before) - (len(self.prefix) - len(head))]):
            return None
        bracket, at = opened[-1]
        a = self.analysis
        if a is None:
            return None
        if bracket == "(":
            op = self._op_before(at)
            if op is None:
                return None
            args = list(dict.fromkeys(op.argument_names))
            return [_item(name, lsp.CompletionItemKind.Property, "argument", insert=f"{name}: ") for name in args]
        if bracket == "{" and len(opened) >= 2 and opened[-2][0] == "(":
            key = _ARG_KEY.search(self.before[: at])
            op = self._op_before(opened[-2][1])
            if key is None or op is None:
                return None
            if key.group(1) == "query":
                names = list(op.query_params)
            elif key.group(1) == "headers":
                names = list(op.header_params)
            elif key.group(1) == "body" and op.request_schema is not None:
                names = [n for s in self._views().alternatives_of([op.request_schema]) for n in s.properties]
            else:
                return None
            label = f"{key.group(1)} parameter"
            return [_item(n, lsp.CompletionItemKind.Property, label, insert=f"{n}: ") for n in dict.fromkeys(names)]
        return None

    def _op_before(self, paren: int) -> OperationModel | None:
        m = _API_CALL.search(self.before[:paren])
        if m is None or self.analysis is None:
            return None
        system = self.analysis.systems.get(m.group(1))
        return system.operations.get(m.group(2)) if system else None


class _Views:
    """OpenAPI schema views, memoised for one analysis."""

    def __init__(self) -> None:
        from flowlang.openapi.schema import SchemaViews

        self.views = SchemaViews()

    def alternatives_of(self, schemas: list[Any]) -> list[Any]:
        return [shape for schema in schemas for shape in self.views.alternatives(schema)]


def _schema_type(schema: Any) -> str:
    if isinstance(schema, dict):
        t = schema.get("type")
        return t if isinstance(t, str) else ""
    return ""


def _preview(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:39] + "…"


def complete(analysis: Analysis | None, text: str, line: int, column: int) -> list[lsp.CompletionItem]:
    """The completion items at 1-based (line, column) of `text`."""
    return Completer(analysis, text, line, column).complete()


