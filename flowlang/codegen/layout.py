"""Python source layout: a small document model printed the way `ruff format` prints it.

Generated code is built as documents (text, bracketed lists, operator chains) and laid out with the
rules of ruff's stable style: a line that fits stays flat; otherwise it is split at its last bracket,
whose contents go on one indented line when they fit, else one item per line with a trailing comma
(collection displays always go one item per line). Operator chains (`a if c else b`, `x and y`) split
before each operator inside parentheses.
"""

from __future__ import annotations

from dataclasses import dataclass

LINE_LENGTH = 88
INDENT = "    "


class Doc:
    """A piece of Python expression source that may be laid out over several lines."""


@dataclass(frozen=True, slots=True)
class Text(Doc):
    """Source text that never breaks (a name, a literal, an operator with its spaces)."""

    text: str


@dataclass(frozen=True, slots=True)
class Seq(Doc):
    """Pieces written one after the other."""

    parts: tuple[Doc, ...]


@dataclass(frozen=True, slots=True)
class Brackets(Doc):
    """`open item, item close`: call arguments (`collection=False`) or a list/dict display."""

    open: str
    items: tuple[Doc, ...]
    close: str
    collection: bool = False


@dataclass(frozen=True, slots=True)
class Chain(Doc):
    """`first op operand op operand…` split before each operator: ternaries and boolean chains."""

    first: Doc
    rest: tuple[tuple[str, Doc], ...]


@dataclass(frozen=True, slots=True)
class Parens(Doc):
    """Explicit parentheses around a chain (or a walrus)."""

    inner: Doc


def seq(*parts: Doc | str) -> Doc:
    """A Seq of docs, with plain strings taken as Text."""
    return Seq(tuple(Text(p) if isinstance(p, str) else p for p in parts))


def arguments(args: list[Doc] | tuple[Doc, ...]) -> Brackets:
    """`(args…)` of a call; a sole operator-chain argument needs no parentheses of its own."""
    items = tuple(args)
    if len(items) == 1 and isinstance(items[0], Parens) and isinstance(items[0].inner, Chain):
        items = (items[0].inner,)
    return Brackets("(", items, ")")


def call(func: str, *args: Doc | str) -> Doc:
    """`func(args…)`"""
    return Seq((Text(func), arguments([Text(a) if isinstance(a, str) else a for a in args])))


def flat(doc: Doc) -> str:
    """The doc on one line."""
    if isinstance(doc, Text):
        return doc.text
    if isinstance(doc, Seq):
        return "".join(flat(p) for p in doc.parts)
    if isinstance(doc, Brackets):
        return doc.open + ", ".join(flat(i) for i in doc.items) + doc.close
    if isinstance(doc, Chain):
        return flat(doc.first) + "".join(f" {op} {flat(d)}" for op, d in doc.rest)
    if isinstance(doc, Parens):
        return "(" + flat(doc.inner) + ")"
    raise TypeError(f"not a doc: {doc!r}")


def _parts(doc: Doc) -> list[Doc]:
    """The doc as a flat list of pieces (nested Seqs opened)."""
    if isinstance(doc, Seq):
        out: list[Doc] = []
        for p in doc.parts:
            out.extend(_parts(p))
        return out
    return [doc]


def _fits(indent: str, text: str) -> bool:
    return len(indent) + len(text) <= LINE_LENGTH


def lay_out(doc: Doc, indent: str, out: list[str], statement: bool = True) -> None:
    """Append the lines of one logical line `doc` (already carrying any prefix and suffix) to `out`.

    `statement` is true for a whole statement, whose expression may be wrapped in the invisible
    parentheses ruff adds when splitting an operator chain (`x = (\\n    a\\n    if c\\n    else b\\n)`).
    """
    text = flat(doc)
    if _fits(indent, text):
        out.append(indent + text)
        return
    parts = _parts(doc)
    chains = [i for i, p in enumerate(parts) if isinstance(p, Chain)]
    if chains and statement and _omit_parentheses(parts, chains[-1], indent):
        # `x = a + f(…)`: ruff keeps a one-operator chain unparenthesized and splits its last call.
        i = chains[-1]
        chain = parts[i]
        assert isinstance(chain, Chain)
        (op, last), = chain.rest
        parts = [*parts[:i], *_parts(chain.first), Text(f" {op} "), *_parts(last), *parts[i + 1 :]]
        chains = []
    if chains:
        # An operator chain at the top of the line: a statement splits it inside the parentheses
        # ruff adds; inside brackets it is split where it stands, one operand per line.
        i = chains[-1]
        chain = parts[i]
        assert isinstance(chain, Chain)
        if statement:
            _split_parens(parts[:i], chain, parts[i + 1 :], indent, out)
        else:
            _chain_lines(chain, indent, out, parts[:i], parts[i + 1 :])
        return
    _left_to_right(parts, indent, out)


def _is_group(doc: Doc) -> bool:
    """Brackets that may split: parentheses, or brackets with something inside."""
    return isinstance(doc, Parens) or (isinstance(doc, Brackets) and bool(doc.items))


def _left_to_right(parts: list[Doc], indent: str, out: list[str]) -> None:
    """Print the line's bracket groups in order, as ruff's printer does: a group stays flat when it
    and the rest of the line fit, else it opens, its contents go below, and the line goes on after
    its closing bracket."""
    line = ""
    for k, part in enumerate(parts):
        if not _is_group(part):
            line += flat(part)
            continue
        rest = _up_to_next_group(parts[k + 1 :])
        if _fits(indent, line + flat(part) + rest):
            line += flat(part)
            continue
        if isinstance(part, Parens):
            out.append(indent + line + "(")
            _parens_body(part.inner, indent + INDENT, out)
            line = ")"
        else:
            assert isinstance(part, Brackets)
            out.append(indent + line + part.open)
            _bracket_body(part, indent + INDENT, out)
            line = part.close
    out.append(indent + line)


def _omit_parentheses(parts: list[Doc], at: int, indent: str) -> bool:
    """Does ruff split this statement-level chain at its last bracket rather than in parentheses?

    Only for one operator, when the last operand ends in non-empty brackets and the line up to
    them fits (or has other brackets to split at)."""
    chain = parts[at]
    assert isinstance(chain, Chain)
    if len(chain.rest) != 1 or any(isinstance(p, Brackets | Parens) for p in parts[at + 1 :]):
        return False
    first, last = _parts(chain.first)[0], _parts(chain.rest[0][1])[-1]
    if isinstance(first, Parens) or (isinstance(first, Brackets) and first.collection and first.items):
        return True
    if not _is_group(last):
        return False
    before = [*parts[:at], *_parts(chain.first), Text(f" {chain.rest[0][0]} "), *_parts(chain.rest[0][1])[:-1]]
    opening = last.open if isinstance(last, Brackets) else "("
    head = "".join(flat(p) for p in before) + opening
    return _fits(indent, head) or any(isinstance(p, Brackets | Parens) for p in before)


def _up_to_next_group(parts: list[Doc]) -> str:
    """What must fit after a group on its line: the text up to the next group's opening bracket."""
    text = ""
    for part in parts:
        if _is_group(part):
            return text + (part.open if isinstance(part, Brackets) else "(")
        text += flat(part)
    return text


def _bracket_body(bracket: Brackets, inner: str, out: list[str]) -> None:
    """The contents of split brackets: one line when they fit (collections: one item per line)."""
    items = bracket.items
    body = ", ".join(flat(i) for i in items)
    if len(items) == 1 and isinstance(items[0], Chain) and not _fits(inner, body):
        _chain_lines(items[0], inner, out)
    elif len(items) == 1:
        lay_out(items[0], inner, out, statement=False)
    elif items and _fits(inner, body) and not bracket.collection:
        out.append(inner + body)
    else:
        for item in items:
            lay_out(Seq((item, Text(","))), inner, out, statement=False)


def _parens_body(inner_doc: Doc, inner: str, out: list[str]) -> None:
    body = flat(inner_doc)
    if _fits(inner, body):
        out.append(inner + body)
    elif isinstance(inner_doc, Chain):
        _chain_lines(inner_doc, inner, out)
    else:
        lay_out(inner_doc, inner, out, statement=False)


def _split_parens(head: list[Doc], inner_doc: Doc, tail: list[Doc], indent: str, out: list[str]) -> None:
    """`head (` + the chain inside + `) tail`: the parentheses ruff adds around a long chain."""
    out.append(indent + "".join(flat(p) for p in head) + "(")
    _parens_body(inner_doc, indent + INDENT, out)
    out.append(indent + ")" + "".join(flat(p) for p in tail))


def _chain_lines(
    chain: Chain, indent: str, out: list[str], head: list[Doc] | None = None, tail: list[Doc] | None = None
) -> None:
    """One operand per line, each operator leading its line; `head` and `tail` stick to the ends."""
    lay_out(Seq((*(head or []), chain.first)), indent, out, statement=False)
    for n, (op, operand) in enumerate(chain.rest, 1):
        last = tail if n == len(chain.rest) and tail else []
        lay_out(Seq((Text(op + " "), operand, *last)), indent, out, statement=False)


def lines_of(doc: Doc, indent: str = "") -> list[str]:
    """The lines of one statement `doc` at `indent`."""
    out: list[str] = []
    lay_out(doc, indent, out)
    return out
