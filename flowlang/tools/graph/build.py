"""From a loaded Project to the flowchart model: one chart for the chosen flow and one per func it calls."""

from __future__ import annotations

from typing import Any

from flowlang import nodes
from flowlang.systems import SystemModel, build_systems, literal_string
from flowlang.tools.graph import model as m
from flowlang.tools.graph.text import SourceText, api_call, clip, expression

STEP_LINES = 4  # statements shown in one merged step box before "… N more"


class GraphError(Exception):
    """A flow cannot be charted (no such flow, several to choose from, or none); the message says why."""


def _setting(decl: nodes.Flow, key: str) -> str | None:
    found = next((s for s in decl.settings if s.key == key), None)
    return literal_string(found.value) if found else None


def select_flow(project: Any, name: str | None) -> nodes.Flow:
    """The flow of the root file called `name` (identifier, slug or `name:`), or its only flow."""
    flows = [f for f in project.programs[project.root].flows] if project.root in project.programs else []
    listing = ", ".join(f.name for f in flows) or "none"
    if name is None:
        if len(flows) == 1:
            return flows[0]
        if not flows:
            raise GraphError(f"{project.root} declares no flow")
        raise GraphError(f"{project.root} declares several flows; choose one with --flow: {listing}")
    for key in ("", "slug", "name"):
        for flow in flows:
            if (flow.name if not key else _setting(flow, key)) == name:
                return flow
    raise GraphError(f"{project.root} has no flow '{name}'; its flows: {listing}")


def build_graph(project: Any, flow_name: str | None = None) -> m.Graph:
    """The chart of the chosen flow of `project`, followed by the charts of the funcs it calls."""
    return _Builder(project).graph(select_flow(project, flow_name))


class _Builder:
    """Walks statements in source order, numbering nodes as it makes them (n1, n2, … and c1, c2, …)."""

    def __init__(self, project: Any) -> None:
        self.src = SourceText(project.sources)
        self.funcs: dict[str, nodes.Func] = {}
        for program in project.programs.values():
            for func in program.funcs:
                self.funcs.setdefault(func.name, func)
        self.systems: dict[str, SystemModel] = build_systems(project.programs.values())[0]
        self.count = 0
        self.wanted: list[str] = []  # funcs called so far, in the order of their first call

    # ------------------------------------------------------------ charts

    def graph(self, flow: nodes.Flow) -> m.Graph:
        title = _setting(flow, "name") or flow.name
        start = self._node(m.START, f"flow {flow.name}", flow.span, (title,) if title != flow.name else ())
        charts = [self._chart("flow", flow.name, title, flow.span, start, flow.body)]
        done = 0
        while done < len(self.wanted):  # charting a func may find further funcs
            func = self.funcs[self.wanted[done]]
            done += 1
            params = ", ".join(p.name for p in func.params)
            start = self._node(m.START, f"func {func.name}({params})", func.span)
            charts.append(self._chart("func", func.name, func.name, func.span, start, func.body))
        return m.Graph(charts)

    def _chart(self, kind: str, name: str, title: str, span: Any, start: m.Node, body: nodes.Block) -> m.Chart:
        seq = self.block(body)
        seq.items.insert(0, start)
        if not seq.terminal:
            seq.items.append(self._node(m.END, "end", body.span._replace(line=body.span.end_line)))
        return m.Chart(f"{kind}_{name}", kind, name, title, span.file, span.line, start, seq)

    # ------------------------------------------------------------ helpers

    def _id(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def _node(self, kind: str, label: str, span: Any, detail: tuple[str, ...] = (), tone: str = "",
              target: str | None = None) -> m.Node:
        return m.Node(self._id("n"), kind, clip(label), span.file, span.line, detail, tone, target)

    def _calls(self, expr: Any, found: list[Any]) -> list[Any]:
        """API calls and func calls inside `expr`, in the order they run (arguments before the call)."""
        if isinstance(expr, tuple):
            for item in expr:
                self._calls(item, found)
        elif isinstance(expr, nodes.Node):
            for name in nodes.node_fields(expr):
                if name != "span" and not name.endswith("_span"):
                    self._calls(getattr(expr, name), found)
            if isinstance(expr, nodes.ApiCall) or (isinstance(expr, nodes.Call) and expr.func in self.funcs):
                found.append(expr)
        return found

    def _emit_calls(self, exprs: tuple[Any, ...], seq: m.Seq, direct: Any = None,
                    prefix: str = "") -> None:
        """A node per call in `exprs`; `direct` (the statement's own value) shows as `prefix` + the call."""
        for call in self._calls(exprs, []):
            shown = clip((prefix if call is direct else "")
                         + (api_call(call) if isinstance(call, nodes.ApiCall) else self.src.span(call.span)))
            if isinstance(call, nodes.ApiCall):
                system = self.systems.get(call.system)
                op = system.operations.get(call.operation) if system else None
                method = op.method if op else ""
                label = f"{method} {call.system}.{call.operation}".strip()
                seq.items.append(self._node(m.CALL, label, call.span, (shown,), method.lower()))
            else:
                if call.func not in self.wanted:
                    self.wanted.append(call.func)
                seq.items.append(self._node(m.FUNC, f"func {call.func}", call.span, (shown,),
                                            target=f"func_{call.func}"))

    # ------------------------------------------------------------ statements

    def block(self, block: nodes.Block) -> m.Seq:
        """A block's statements; runs of plain statements (no calls) merge into one step box."""
        seq = m.Seq()
        plain: list[nodes.Stmt] = []
        for stmt in block.stmts:
            if isinstance(stmt, nodes.Assign | nodes.ExprStmt) and not self._calls(stmt, []):
                plain.append(stmt)
                continue
            self._flush(plain, seq)
            self.stmt(stmt, seq)
        self._flush(plain, seq)
        return seq

    def _flush(self, plain: list[nodes.Stmt], seq: m.Seq) -> None:
        if not plain:
            return
        lines = [self.src.span(s.span) for s in plain]
        shown = lines[:STEP_LINES] if len(lines) <= STEP_LINES else [*lines[: STEP_LINES - 1],
                                                                     f"… {len(lines) - STEP_LINES + 1} more"]
        seq.items.append(self._node(m.STEP, shown[0], plain[0].span, tuple(shown[1:])))
        plain.clear()

    def stmt(self, stmt: Any, seq: m.Seq) -> None:
        """Append the items of one statement to `seq`."""
        context = self.src.span(stmt.span)
        if isinstance(stmt, nodes.Assign):
            prefix = f"{self.src.span(stmt.target.span)} {stmt.op} "
            self._emit_calls((stmt.target, stmt.value), seq, stmt.value, prefix)
        elif isinstance(stmt, nodes.ExprStmt):
            self._emit_calls((stmt.expr,), seq, stmt.expr)
        elif isinstance(stmt, nodes.If):
            self._emit_calls((stmt.cond,), seq)
            decision = self._node(m.DECISION, f"if {self.src.span(stmt.cond.span)}", stmt.span)
            orelse = m.Seq()
            if isinstance(stmt.orelse, nodes.Block):
                orelse = self.block(stmt.orelse)
            elif isinstance(stmt.orelse, nodes.If):
                self.stmt(stmt.orelse, orelse)
            seq.items.append(m.Branch(decision, self.block(stmt.body), orelse))
        elif isinstance(stmt, nodes.For):
            self._loop_for(stmt, seq)
        elif isinstance(stmt, nodes.While):
            self._emit_calls((stmt.cond,), seq)
            head = self._node(m.LOOP, f"while {self.src.span(stmt.cond.span)}", stmt.span, tone="while")
            seq.items.append(m.Loop(self._id("c"), head, self.block(stmt.body)))
        elif isinstance(stmt, nodes.Try):
            head = self._node(m.TRY, "try", stmt.span)
            catch = "catch" + (f" {stmt.err.name}" if stmt.err else "")
            catch_head = self._node(m.CATCH, catch, stmt.handler.span, tone="failure")
            seq.items.append(m.TryBlock(self._id("c"), head, self.block(stmt.body), catch_head,
                                        self.block(stmt.handler)))
        else:
            self._simple(stmt, seq, context)

    def _loop_for(self, stmt: nodes.For, seq: m.Seq) -> None:
        self._emit_calls((stmt.iterable, stmt.parallel), seq, stmt.iterable,
                         f"for {', '.join(n.name for n in stmt.names)} in ")
        label = f"for {', '.join(n.name for n in stmt.names)} in {expression(self.src, stmt.iterable)}"
        tone = "for"
        detail: tuple[str, ...] = ()
        if isinstance(stmt.iterable, nodes.ApiCall) and stmt.iterable.mode == "each":
            tone = "each"
        if stmt.parallel is not None:
            tone, detail = "parallel", (f"parallel {self.src.span(stmt.parallel.span)}",)
        head = self._node(m.LOOP, label, stmt.span, detail, tone)
        seq.items.append(m.Loop(self._id("c"), head, self.block(stmt.body)))

    def _simple(self, stmt: Any, seq: m.Seq, context: str) -> None:
        """Log, fail, return, wait, checkpoint, break, continue: calls in their value, then one box."""
        value = getattr(stmt, "value", None)
        if value is not None:
            self._emit_calls((value,), seq)
        shown = (expression(self.src, value),) if value is not None else ()
        if isinstance(stmt, nodes.Log):
            seq.items.append(self._node(m.LOG, f"log {stmt.level}", stmt.span, shown, stmt.level))
        elif isinstance(stmt, nodes.Fail):
            seq.items.append(self._node(m.FAIL, "fail", stmt.span, shown, "failure"))
        elif isinstance(stmt, nodes.Return):
            seq.items.append(self._node(m.RETURN, "return", stmt.span, shown))
        elif isinstance(stmt, nodes.Wait):
            seq.items.append(self._node(m.WAIT, "wait", stmt.span, shown))
        elif isinstance(stmt, nodes.Checkpoint):
            seq.items.append(self._node(m.CHECKPOINT, "checkpoint", stmt.span))
        elif isinstance(stmt, nodes.Break):
            seq.items.append(self._node(m.BREAK, "break", stmt.span))
        elif isinstance(stmt, nodes.Continue):
            seq.items.append(self._node(m.CONTINUE, "continue", stmt.span))
        else:  # a statement kind this module does not know yet: show it rather than drop it
            seq.items.append(self._node(m.STEP, context, stmt.span))
