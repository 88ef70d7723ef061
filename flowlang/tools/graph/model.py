"""The flowchart model: boxes, the structured containers that hold them, and one chart per flow or func."""

from __future__ import annotations

from dataclasses import dataclass, field

# Node kinds. A "head" kind is the title bar of a container (loop, try, catch) and its entry point.
START, END = "start", "end"
CALL, FUNC, STEP = "call", "func", "step"
DECISION = "decision"
LOOP, TRY, CATCH = "loop", "try", "catch"
LOG, WAIT, CHECKPOINT = "log", "wait", "checkpoint"
RETURN, FAIL, BREAK, CONTINUE = "return", "fail", "break", "continue"

# Kinds after which nothing in the same sequence runs.
TERMINAL_KINDS = frozenset({RETURN, FAIL, BREAK, CONTINUE, END})


@dataclass(frozen=True, slots=True)
class Node:
    """One box of a chart, labelled from the source, at `file:line`.

    `label` is the first line (e.g. `POST erp.create_order`), `detail` the source lines under it. `tone` says
    how it is coloured: the HTTP method of a call, the level of a log, `parallel` for a parallel loop.
    `target` is the chart id a func call links to.
    """

    id: str
    kind: str
    label: str
    file: str
    line: int
    detail: tuple[str, ...] = ()
    tone: str = ""
    target: str | None = None

    @property
    def terminal(self) -> bool:
        return self.kind in TERMINAL_KINDS

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(slots=True)
class Seq:
    """Items that run one after the other."""

    items: list[Item] = field(default_factory=list)

    @property
    def terminal(self) -> bool:
        """True when control never falls out of the end of this sequence."""
        return any(item.terminal for item in self.items)


@dataclass(slots=True)
class Branch:
    """`if` / `else if` / `else`: a decision and two paths (`yes` and `no`, either may be empty)."""

    decision: Node
    then: Seq
    orelse: Seq

    @property
    def terminal(self) -> bool:
        return self.then.terminal and self.orelse.terminal


@dataclass(slots=True)
class Loop:
    """A `for`, `each`, parallel or `while` loop: a container whose head is the loop line."""

    id: str
    head: Node
    body: Seq

    @property
    def terminal(self) -> bool:
        return False  # a loop may run zero times: control always reaches what follows


@dataclass(slots=True)
class TryBlock:
    """`try { } catch err { }`: the guarded body, and the catch path an error takes."""

    id: str
    head: Node
    body: Seq
    catch_head: Node
    handler: Seq

    @property
    def terminal(self) -> bool:
        return self.body.terminal and self.handler.terminal


Item = Node | Branch | Loop | TryBlock


@dataclass(slots=True)
class Chart:
    """The chart of one flow or func: its start node, then its body (ending in `end` when it falls through)."""

    id: str
    kind: str  # "flow" | "func"
    name: str
    title: str
    file: str
    line: int
    start: Node
    body: Seq  # starts with `start`


@dataclass(slots=True)
class Graph:
    """A flow's chart first, then the chart of every func it calls (directly or through other funcs)."""

    charts: list[Chart]

    def nodes(self) -> list[Node]:
        """Every node of every chart, in drawing order."""
        found: list[Node] = []
        for chart in self.charts:
            found.extend(iter_nodes(chart.body))
        return found


def iter_nodes(seq: Seq) -> list[Node]:
    """The nodes of a sequence and of everything nested in it, in source order."""
    found: list[Node] = []
    for item in seq.items:
        if isinstance(item, Node):
            found.append(item)
        elif isinstance(item, Branch):
            found.append(item.decision)
            found.extend(iter_nodes(item.then))
            found.extend(iter_nodes(item.orelse))
        elif isinstance(item, Loop):
            found.append(item.head)
            found.extend(iter_nodes(item.body))
        else:
            found.append(item.head)
            found.extend(iter_nodes(item.body))
            found.append(item.catch_head)
            found.extend(iter_nodes(item.handler))
    return found
