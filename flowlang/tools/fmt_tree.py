"""The formatter's view of a file: its tokens with the comments kept, nested by brackets, newlines classified.

The LALR parser itself tells which newlines end a statement ("hard": the grammar accepts `_NL` there) and
which it skips ("soft": inside an expression, free to move), whether a `{` opens a block (statements, one per
line) or a bracketed group (list, object, arguments), and whether a group may end with a comma. Nothing here
names a rule of the grammar, so new syntax is laid out without work in the formatter.
"""

from __future__ import annotations

import functools

from flowlang.syntax.lalr import Session, load_tables
from flowlang.syntax.lexer import Lexer
from flowlang.syntax.parser import SOFT_KEYWORDS, soften

# where the parser would take a `.` an expression has just ended: a `(` or `[` there is a call or an index,
# and a `-` is binary; where it would not, a `-` is a sign
_AFTER_EXPRESSION = "DOT"
_MEMBER_DOTS = ("DOT", "OPT_DOT")


class T:
    """A code token, with what layout needs to know about it."""

    __slots__ = ("block", "close", "glued", "open", "type", "unary", "value")

    def __init__(self, type: str, value: str) -> None:
        self.type, self.value = type, value
        self.open = type not in ("STRING", "LONG_STRING") and value[-1:] in "([{"
        self.close = value in (")", "]", "}")
        self.block = False  # a `{` or `}` of a block
        self.glued = False  # a `(` or `[` of a call or an index: no space before it
        self.unary = False  # a prefix `-` or `+`: no space after it

    def __repr__(self) -> str:
        return f"T({self.value!r})"


class Break:
    """A line break in the source, with the comments around it.

    `trailing` is the comment at the end of the line the break ends; `lines` are the lines that follow
    before the next code: a comment (own line) or None (a blank line).
    """

    __slots__ = ("hard", "lines", "trailing")

    def __init__(self, hard: bool, trailing: str | None, lines: list[str | None]) -> None:
        self.hard, self.trailing, self.lines = hard, trailing, lines

    @property
    def has_comments(self) -> bool:
        return self.trailing is not None or any(line is not None for line in self.lines)

    def __repr__(self) -> str:
        return f"Break({'hard' if self.hard else 'soft'}, {self.trailing!r}, {self.lines!r})"


class Group:
    """A bracketed stretch: `open`, the items inside, `close`; a block holds statements, a group expressions."""

    __slots__ = ("block", "close", "comma_ok", "items", "open")

    def __init__(self, open: T) -> None:
        self.open = open
        self.close: T = open  # set when the closer arrives
        self.items: list[Item] = []
        self.block = False
        self.comma_ok = False  # a `,` may follow the last item (so an exploded group gets one)

    @property
    def forced(self) -> bool:
        """Whether the group must span lines: the source broke a line directly inside it, or has comments."""
        if self.block:
            return any(isinstance(i, Break) and (i.hard or i.has_comments) for i in self.items)
        return any(isinstance(i, Break) for i in self.items)

    def __repr__(self) -> str:
        return f"Group({self.open.value}{self.items!r}{self.close.value})"


Item = T | Break | Group


@functools.cache
def _lexer() -> Lexer:
    return Lexer(load_tables().data)


def _lines(newlines: str) -> list[str | None]:
    """The comment lines and blank lines a `_NL` token runs over (the last piece is the next line's indent)."""
    pieces = newlines.split("\n")[1:]
    last = pieces.pop().strip()
    if last:  # a comment on the last line of the file
        pieces.append(last)
    return [piece.strip() or None for piece in pieces]


def build(text: str) -> list[Item]:
    """The items of a file that parses (callers parse it first: here a syntax error is a bug)."""
    tables = load_tables()
    session = Session(tables, "start")
    root: list[Item] = []
    items = root
    groups: list[Group] = []
    trailing: str | None = None  # a comment after code, waiting for its line break
    head: list[str | None] = []  # comments before the first line break of the file
    previous = ""  # the type of the previous code token
    member = False  # the previous code token is a member name (it follows a `.`)
    tokens = list(_lexer().lex_trivia(text))
    for index, tok in enumerate(tokens):
        kind = tok.type
        if kind == "WS":
            continue
        if kind == "COMMENT":
            if not root:
                head.append(tok.value.rstrip())
            else:
                trailing = tok.value.rstrip()
            continue
        if kind == "_NL":
            hard = tables.accepts(session.stack, "_NL")
            if hard:
                session.feed(tok)
            items.append(Break(hard, trailing, head + _lines(tok.value)))
            trailing, head = None, []
            continue
        if kind in SOFT_KEYWORDS:
            following = next((t.type for t in tokens[index + 1:] if t.type not in ("WS", "COMMENT")), "$END")
            soften(tables, session.stack, tok, following)
            kind = tok.type
        t = T(kind, tok.value)
        if t.open or kind in ("SUB", "ADD"):
            ended = tables.accepts(session.stack, _AFTER_EXPRESSION)
            # `f(x)`, `a[0]`; and where the grammar names what a `(` follows: `func f(`, `call s.op(`.
            # A `{` is never glued: after a name it opens a block, or the object of `given state {…}`.
            t.glued = t.open and tok.value != "{" and (ended or (tok.value == "(" and (previous == "NAME" or member)))
            t.unary = not t.open and not ended
        member = previous in _MEMBER_DOTS
        previous = kind
        if t.close and groups:
            group = groups.pop()
            code = [i for i in group.items if not isinstance(i, Break)]
            if code and isinstance(code[-1], T) and code[-1].type == "COMMA":
                group.items.remove(code[-1])
                group.comma_ok = True
            elif code and not group.block:
                after_comma = tables.shifted(session.stack, "COMMA")
                group.comma_ok = after_comma is not None and tables.shifted(after_comma, kind) is not None
            group.close, t.block = t, group.block
            items = groups[-1].items if groups else root
        session.feed(tok)
        if t.open:
            group = Group(t)
            group.block = t.block = tables.accepts(session.stack, "_NL")
            t.glued = t.glued and not t.block
            items.append(group)
            groups.append(group)
            items = group.items
        elif not t.close:
            items.append(t)
    if trailing is not None or head:
        root.append(Break(True, trailing, head))
    return root
