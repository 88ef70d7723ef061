"""The canonical layout of the formatter's items (fmt_tree): indents, spaces, line breaks, trailing commas.

Two-space indents; a statement per line as in the source; at most one blank line; one space around binary
operators and after `,` and `:`; comments where they were (two spaces before one that ends a line). A
bracketed group stays on one line when the source has it on one line and it fits in WIDTH columns; otherwise
it is exploded, one item per line, with a trailing comma where the grammar allows one. A statement broken
after an operator is joined when it fits, its continuation lines indented four more.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flowlang.tools.fmt_tree import Break, Group, Item, T

WIDTH = 100
INDENT = 2
CONTINUATION = 4


def spacing(a: T, b: T) -> str:
    """The space between two tokens on one line."""
    if a.open and b.close:
        return ""
    if a.open:
        return " " if a.block else ""
    if b.close:
        return " " if b.block else ""
    if b.type in ("COMMA", "COLON") or a.type in ("DOT", "OPT_DOT") or b.type in ("DOT", "OPT_DOT"):
        return ""
    if a.unary:
        return ""
    if b.glued:
        return ""  # a call or an index
    return " "


@dataclass
class Entry:
    """One statement of a block or one item of a group, with its comments."""

    leading: list[str | None] = field(default_factory=list)
    body: list[Item] = field(default_factory=list)
    trailing: str | None = None
    after: list[str | None] = field(default_factory=list)
    comma: bool = False


def split(items: list[Item], block: bool) -> tuple[list[Entry], str | None, list[str | None]]:
    """Statements (split at hard breaks) or group items (split at commas), the opener's comment, closing lines."""
    entries: list[Entry] = []
    cur = Entry()
    opener: str | None = None
    for item in items:
        if block and isinstance(item, Break) and item.hard:
            if cur.body:
                cur.trailing = item.trailing
                entries.append(cur)
                cur = Entry(leading=list(item.lines))
                continue
        elif not block and isinstance(item, T) and item.type == "COMMA":
            _finish(cur)
            cur.comma = True
            entries.append(cur)
            cur = Entry()
            continue
        elif not isinstance(item, Break) or cur.body:
            cur.body.append(item)
            continue
        # a break before the first token of an entry: its trailing comment ends the line before
        assert isinstance(item, Break)
        if item.trailing is not None:
            if not entries and not cur.leading and opener is None:
                opener = item.trailing
            elif entries and entries[-1].trailing is None and not cur.leading:
                entries[-1].trailing = item.trailing
            else:
                cur.leading.append(item.trailing)
        cur.leading.extend(item.lines)
    if cur.body:
        _finish(cur)
        entries.append(cur)
        return entries, opener, []
    return entries, opener, cur.leading


def _finish(entry: Entry) -> None:
    """Breaks at the end of an entry's body (before its comma): their comments follow the entry."""
    while entry.body and isinstance(entry.body[-1], Break):
        brk = entry.body.pop()
        assert isinstance(brk, Break)
        lines: list[str | None] = [brk.trailing] if brk.trailing is not None else []
        entry.after[:0] = lines + brk.lines
    if entry.after and entry.trailing is None and entry.after[0] is not None:
        entry.trailing = entry.after.pop(0)


def measure(items: list[Item], prev: T | None) -> tuple[int, bool, T | None]:
    """Width of items laid out on one line: (columns, whether a forced line break cut it short, last token)."""
    width = 0
    for item in items:
        if isinstance(item, Break):
            if item.has_comments:
                return width, True, prev
            continue
        first = item if isinstance(item, T) else item.open
        if prev is not None:
            width += len(spacing(prev, first))
        if isinstance(item, T):
            if "\n" in item.value:
                return width + item.value.index("\n"), True, item
            width += len(item.value)
            prev = item
            continue
        width += len(item.open.value)
        if item.forced:
            return width, True, item.open
        inner, broken, last = measure(item.items, item.open)
        width += inner
        if broken:
            return width, True, last
        width += len(spacing(last or item.open, item.close)) + len(item.close.value)
        prev = item.close
    return width, False, prev


class Out:
    """The lines being written, the current one, and its indent."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.cur: str | None = None
        self.indent = 0
        self.prev: T | None = None  # the last token on the current line
        self.blank = False  # a blank line before the next line

    @property
    def col(self) -> int:
        return len(self.cur or "")

    def start(self, indent: int) -> None:
        if self.cur is not None:
            self.lines.append(self.cur.rstrip())
        if self.blank and (self.lines or self.cur is not None):
            self.lines.append("")
        self.blank = False
        self.cur, self.indent, self.prev = " " * indent, indent, None

    def tok(self, t: T) -> None:
        assert self.cur is not None
        if self.prev is not None:
            self.cur += spacing(self.prev, t)
        first, *rest = t.value.split("\n")
        self.cur += first
        if rest:  # a string over several lines: its lines stay as they are
            self.lines.append(self.cur)
            self.lines.extend(rest[:-1])
            self.cur = rest[-1]
        self.prev = t

    def raw(self, text: str) -> None:
        assert self.cur is not None
        self.cur += text

    def comment(self, text: str) -> None:
        assert self.cur is not None
        self.cur += f"  {text}" if self.cur.strip() else text

    def comment_lines(self, lines: list[str | None], indent: int) -> None:
        for line in lines:
            if line is None:
                self.blank = True
            else:
                self.start(indent)
                self.comment(line)

    def text(self) -> str:
        if self.cur is not None:
            self.lines.append(self.cur.rstrip())
        return "\n".join(self.lines) + "\n" if self.lines else ""


def _tidy(lines: list[str | None], first: bool, last: bool) -> list[str | None]:
    """At most one blank line in a row; none at the start (`first`) or the end (`last`) of a block."""
    tidy: list[str | None] = []
    for line in lines:
        if line is None and ((not tidy and first) or (tidy and tidy[-1] is None)):
            continue
        tidy.append(line)
    while last and tidy and tidy[-1] is None:
        tidy.pop()
    return tidy


def layout(items: list[Item]) -> str:
    """The formatted text of a file's items."""
    out = Out()
    entries, _, closing = split(items, block=True)
    _entries(out, entries, closing, 0, comma_ok=False, block=True)
    return out.text()


def _entries(out: Out, entries: list[Entry], closing: list[str | None], indent: int, comma_ok: bool,
             block: bool) -> None:
    for index, entry in enumerate(entries):
        out.comment_lines(_tidy(entry.leading, index == 0, False), indent)
        out.start(indent)
        comma = not block and (index < len(entries) - 1 or comma_ok)
        _body(out, entry.body, indent, 1 if comma else 0)
        if comma:
            out.raw(",")
        if entry.trailing is not None:
            out.comment(entry.trailing)
        out.comment_lines(_tidy(entry.after, False, False), indent)
    out.comment_lines(_tidy(closing, not entries, True), indent)


def _tail(items: list[Item], index: int, prev: T | None, tail: int) -> int:
    """Width of what follows items[index] on its line, up to where a line may break next."""
    width = 0
    for item in items[index + 1:]:
        if isinstance(item, Break):
            return width
        if isinstance(item, Group):
            return width + (len(spacing(prev, item.open)) if prev else 0) + len(item.open.value)
        width += (len(spacing(prev, item)) if prev else 0) + len(item.value)
        prev = item
    return width + tail


def _body(out: Out, items: list[Item], base: int, tail: int) -> None:
    """One statement or group item, starting at the current position; `tail` columns follow it."""
    breaks = [i for i in items if isinstance(i, Break)]
    keep = any(b.has_comments for b in breaks)
    if breaks and not keep:
        width, broken, _ = measure(items, out.prev)
        keep = out.col + width + (0 if broken else tail) > WIDTH
    for index, item in enumerate(items):
        if isinstance(item, T):
            out.tok(item)
        elif isinstance(item, Group):
            after = _tail(items, index, item.close, tail)
            if item.block:
                _block(out, item, base, after)
            else:
                _group(out, item, after)
        else:
            following = items[index + 1] if index + 1 < len(items) else None
            if not item.has_comments and (not keep or (isinstance(following, Group) and following.block)):
                continue
            if item.trailing is not None:
                out.comment(item.trailing)
            out.comment_lines(_tidy(item.lines, True, True), base + CONTINUATION)
            out.start(base + CONTINUATION)


def _fits(out: Out, group: Group, tail: int) -> bool:
    if group.forced:
        return False
    width, broken, _ = measure([group], out.prev)
    return out.col + width + (0 if broken else tail) <= WIDTH


def _block(out: Out, group: Group, base: int, tail: int) -> None:
    """A block: on one line if the source had it so and it fits, else one statement per line."""
    inline = _fits(out, group, tail)
    out.tok(group.open)
    entries, opener, closing = split(group.items, block=True)
    if inline:
        for entry in entries:
            _body(out, entry.body, base, tail)
        out.tok(group.close)
        return
    if opener is not None:
        out.comment(opener)
    _entries(out, entries, closing, base + INDENT, comma_ok=False, block=True)
    out.start(base)
    out.tok(group.close)


def _group(out: Out, group: Group, tail: int) -> None:
    """A bracketed group: on one line if it may and fits, else exploded one item per line."""
    indent = out.indent
    if _fits(out, group, tail):
        out.tok(group.open)
        _body(out, group.items, indent, tail)
        out.tok(group.close)
        return
    out.tok(group.open)
    entries, opener, closing = split(group.items, block=False)
    if opener is not None:
        out.comment(opener)
    _entries(out, entries, closing, indent + INDENT, comma_ok=group.comma_ok, block=False)
    out.start(indent)
    out.tok(group.close)
