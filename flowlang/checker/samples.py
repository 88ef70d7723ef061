"""`source:` samples: the file must exist and hold JSON; field paths on `source` must exist in it (warning)."""

from __future__ import annotations

import json
import os
from typing import Any

from flowlang import nodes
from flowlang.checker.context import Context
from flowlang.checker.traverse import EXPR_CHILDREN, statements, stmt_exprs
from flowlang.diagnostics import Span, did_you_mean
from flowlang.systems import literal_string

UNKNOWN: Any = object()  # the shape of a value the sample says nothing about


def load_sample(ctx: Context, flow: nodes.Flow, file: str, cache: dict[str, Any]) -> Any:
    """The parsed sample of a flow's `source:` setting; UNKNOWN when there is none or it is broken."""
    setting = next((s for s in flow.settings if s.key == "source"), None)
    text = literal_string(setting.value) if setting else None
    if setting is None or text is None:
        return UNKNOWN
    path = os.path.normpath(os.path.join(os.path.dirname(file), text))
    if path in cache:
        return cache[path]
    cache[path] = UNKNOWN
    span = setting.value.span
    if not os.path.isfile(path):
        ctx.report("E217", f"source sample '{text}' not found", span,
                   f"looked for {path} (relative to the .flow file)")
        return UNKNOWN
    try:
        with open(path, "rb") as handle:
            data = handle.read().decode("utf-8-sig")
        cache[path] = json.loads(data)
    except OSError as exc:
        ctx.report("E217", f"source sample '{text}' cannot be read: {exc.strerror or exc}", span)
    except UnicodeDecodeError:
        ctx.report("E218", f"source sample '{text}' is not valid JSON: it is not UTF-8 text", span)
    except json.JSONDecodeError as exc:
        ctx.report("E218", f"source sample '{text}' is not valid JSON: {exc.msg} at line {exc.lineno} "
                   f"column {exc.colno}", span)
    except RecursionError:
        ctx.report("E218", f"source sample '{text}' is nested too deeply to read", span)
    return cache[path]


class SampleChecker:
    """Follows names bound to parts of the sample (`source`, loop variables, `x = source.a`) in text order."""

    def __init__(self, ctx: Context, sample: Any) -> None:
        self.ctx = ctx
        self.shapes: dict[str, Any] = {"source": sample}
        self.merged: dict[int, Any] = {}
        self.reported: set[tuple[int, int, str]] = set()

    def check(self, body: nodes.Block) -> None:
        for stmt in statements(body):
            exprs = stmt_exprs(stmt)
            if isinstance(stmt, nodes.Assign):
                exprs = (stmt.value,)  # a written field need not exist yet
                if isinstance(stmt.target, nodes.Name):
                    shape = self.resolve(stmt.value, frozenset()) if stmt.op == "=" else UNKNOWN
                    self.bind(stmt.target.name, shape)
                else:
                    self.walk(stmt.target, skip_last=True)
            for expr in exprs:
                self.walk(expr)
            if isinstance(stmt, nodes.For):
                shape = self.resolve(stmt.iterable, frozenset())
                element = self.element(shape) if isinstance(shape, list) else UNKNOWN
                if len(stmt.names) == 2:
                    self.bind(stmt.names[0].name, UNKNOWN)
                self.bind(stmt.names[-1].name, element)
            elif isinstance(stmt, nodes.Try) and stmt.err is not None:
                self.bind(stmt.err.name, UNKNOWN)

    def bind(self, name: str, shape: Any) -> None:
        if shape is UNKNOWN:
            self.shapes.pop(name, None)
        else:
            self.shapes[name] = shape

    def element(self, items: list[Any]) -> Any:
        """One shape for every item of a list: objects are merged, so any item's field counts."""
        key = id(items)
        if key not in self.merged:
            objects = [item for item in items if isinstance(item, dict)]
            if objects and len(objects) == len(items):
                merged: dict[str, Any] = {}
                for obj in objects:
                    for name, value in obj.items():
                        if merged.get(name) is None:
                            merged[name] = value
                self.merged[key] = merged
            else:
                self.merged[key] = items[0] if items else UNKNOWN
        return self.merged[key]

    def walk(self, expr: nodes.Node, skip_last: bool = False) -> None:
        """Resolve every data path in an expression (walked with a stack; lambda parameters shadow).

        `skip_last`: the expression is an assignment target, whose last field need not exist yet.
        """
        if skip_last and isinstance(expr, nodes.Attr | nodes.Index):
            expr = expr.obj
        stack: list[tuple[nodes.Node, frozenset[str]]] = [(expr, frozenset())]
        while stack:
            node, shadowed = stack.pop()
            if isinstance(node, nodes.Attr | nodes.Index):
                self.resolve(node, shadowed, stack)
            elif isinstance(node, nodes.Lambda):
                stack.append((node.body, shadowed | {p.name for p in node.params}))
            else:
                stack.extend((child, shadowed) for child in reversed(EXPR_CHILDREN[type(node)](node)))

    def resolve(self, expr: nodes.Node, shadowed: frozenset[str],
                stack: list[tuple[nodes.Node, frozenset[str]]] | None = None) -> Any:
        """The sample shape of a data path, warning about missing fields; pushes sub-expressions to `stack`."""
        chain: list[nodes.Attr | nodes.Index] = []
        base = expr
        while isinstance(base, nodes.Attr | nodes.Index):
            chain.append(base)
            if stack is not None and isinstance(base, nodes.Index):
                stack.append((base.index, shadowed))
            base = base.obj
        if not isinstance(base, nodes.Name) or base.name in shadowed or base.name not in self.shapes:
            if stack is not None:
                stack.append((base, shadowed))
            return UNKNOWN
        shape = self.shapes[base.name]
        for step in reversed(chain):
            if shape is UNKNOWN:
                return UNKNOWN
            if isinstance(step, nodes.Index):
                if isinstance(shape, list):
                    shape = self.element(shape)
                elif isinstance(shape, dict) and literal_string(step.index) is not None:
                    shape = shape.get(literal_string(step.index) or "", UNKNOWN)
                else:
                    return UNKNOWN
            elif isinstance(shape, dict):
                if step.name in shape:
                    shape = shape[step.name]
                else:
                    if not step.optional:
                        self.missing(step, shape)
                    return UNKNOWN
            else:
                if isinstance(shape, list) and not step.optional:
                    self.warn(step.name_span, f"'{nodes.describe(step.obj)}' is a list in the source sample, "
                              f"so it has no field '{step.name}'", "iterate over it, or index it: [0]")
                return UNKNOWN
        return shape

    def missing(self, step: nodes.Attr, shape: dict[str, Any]) -> None:
        fields = list(shape)
        hint = did_you_mean(step.name, fields)
        if hint is None:
            shown = ", ".join(fields[:8]) + (", …" if len(fields) > 8 else "")
            hint = f"fields there: {shown}" if fields else "the sample has an empty object there"
        self.warn(step.name_span, f"'{nodes.describe(step.obj)}' has no field '{step.name}' in the source sample",
                  hint)

    def warn(self, span: Span, message: str, hint: str | None) -> None:
        key = (span.line, span.column, span.file)
        if key not in self.reported:
            self.reported.add(key)
            self.ctx.report("W201", message, span, hint)


def check_samples(ctx: Context) -> None:
    cache: dict[str, Any] = {}
    for file, program in ctx.project.programs.items():
        for flow in program.flows:
            sample = load_sample(ctx, flow, file, cache)
            if sample is not UNKNOWN:
                SampleChecker(ctx, sample).check(flow.body)
