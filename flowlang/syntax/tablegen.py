"""Builds grammar/flowlang.tables.json from grammar/flowlang.lark with lark (a development tool).

The parser drives the LALR table itself (flowlang/syntax/lalr.py) and lexes with one master regular expression
(flowlang/syntax/lexer.py), so at run time it needs only data: the table, each rule's tree-building recipe and
the terminals' patterns. Storing them as JSON keeps lark (and its grammar loader) out of `flowlang check`.

    python -m flowlang.syntax.tablegen          # rewrite the tables after editing the grammar
    python -m flowlang.syntax.tablegen --check  # exit 1 if they are out of date (the test suite does this)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from flowlang.syntax.lalr import grammar_digest

GRAMMAR_DIR = Path(__file__).resolve().parents[2] / "grammar"
GRAMMAR = GRAMMAR_DIR / "flowlang.lark"
TABLES = GRAMMAR_DIR / "flowlang.tables.json"
STARTS = ["start", "expression_only"]
# terminals matched before the punctuation, longest and most specific first
LEADING = ("_NL", "COMMENT", "LONG_STRING", "STRING", "DURATION", "NUMBER", "NAME")


def build_tables(grammar: str) -> dict[str, Any]:
    """The JSON document for `grammar`: see flowlang/syntax/lalr.py for how each part is read."""
    from lark import Lark
    from lark.parsers.lalr_analysis import Shift

    lark = Lark(grammar, parser="lalr", lexer="basic", keep_all_tokens=True, start=STARTS)
    table = lark.parser.parser.parser.parse_table
    rule_ids = {rule: index for index, rule in enumerate(lark.rules)}
    # lark numbers states in a different order on every run (set iteration); number them breadth-first
    # from the start states instead, so the same grammar always gives the same file
    order: dict[Any, int] = {}
    queue = [table.start_states[name] for name in STARTS]
    while queue:
        state = queue.pop(0)
        if state in order:
            continue
        order[state] = len(order)
        queue.extend(arg for _, (action, arg) in sorted(table.states[state].items()) if action is Shift)
    assert len(order) == len(table.states), "every state is reachable from a start state"
    states: list[dict[str, int]] = [{} for _ in order]
    for state, number in order.items():
        # a shift (or goto) to state s is s; a reduction by rule r is -1 - r
        states[number] = {symbol: order[arg] if action is Shift else -1 - rule_ids[arg]
                          for symbol, (action, arg) in sorted(table.states[state].items())}
    return {
        "grammar_crc32": grammar_digest(grammar),
        "start_states": {name: order[table.start_states[name]] for name in STARTS},
        "end_states": {name: order[table.end_states[name]] for name in STARTS},
        "rules": [_rule_recipe(rule) for rule in lark.rules],
        "states": states,
        **_lexer_data(lark),
    }


def _rule_recipe(rule: Any) -> list[Any]:
    """[size, origin, tree name, expand1, [[child index, splice, Nones before], ...], Nones after].

    This is what lark's ParseTreeBuilder does for an LALR parser with keep_all_tokens and
    maybe_placeholders: `_rule` children are spliced into their parent, `[optional]` parts that matched
    nothing become None, and a `?rule` with one child left is replaced by that child.
    """
    expansion = rule.expansion
    empty = rule.options.empty_indices
    if empty:
        marks = "".join(str(int(b)) for b in empty)
        nones = [len(ones) for ones in marks.split("0")]
    else:
        nones = [0] * (len(expansion) + 1)
    include = []
    for index, symbol in enumerate(expansion):
        include.append([index, not symbol.is_term and symbol.name.startswith("_"), nones[index]])
    name = rule.alias or rule.options.template_source or rule.origin.name
    expand1 = bool(rule.options.expand1 and not rule.alias)
    return [len(expansion), rule.origin.name, name, expand1, include, nones[len(expansion)]]


def _lexer_data(lark: Any) -> dict[str, Any]:
    terminals = {t.name: t for t in lark.terminals}
    keywords = {t.pattern.value: t.name for t in terminals.values()
                if t.pattern.type == "str" and t.pattern.value.isidentifier()}
    whitespace = sorted(name for name in terminals if name.startswith("__IGNORE"))
    ignored = sorted({*lark.lexer_conf.ignore, *whitespace})
    rest = [t for t in terminals.values()
            if t.name not in LEADING and t.name not in keywords.values() and t.name not in ignored]
    # longer literal punctuation first ("==" before "=", "+=" before "+"), regexes between
    rest.sort(key=lambda t: (-len(t.pattern.value) if t.pattern.type == "str" else -1.5, t.name))
    order = [*whitespace, *LEADING, *(t.name for t in rest)]
    return {
        "terminals": [[name, terminals[name].pattern.to_regexp()] for name in order],
        "keywords": dict(sorted(keywords.items())),
        "ignored": ignored,
    }


def render(tables: dict[str, Any]) -> str:
    """One state or rule per line: small diffs when the grammar changes."""
    lines = ["{"]
    keys = list(tables)
    for position, key in enumerate(keys):
        value = tables[key]
        comma = "," if position < len(keys) - 1 else ""
        if isinstance(value, list) and key in ("states", "rules", "terminals"):
            items = [json.dumps(item, separators=(",", ":"), ensure_ascii=False) for item in value]
            body = ",\n".join(f"  {item}" for item in items)
            lines.append(f"{json.dumps(key)}: [\n{body}\n]{comma}")
        else:
            lines.append(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    try:
        import lark
    except ImportError:
        print("error: building the tables needs lark: pip install -e '.[dev]'", file=sys.stderr)
        return 2
    try:
        wanted = render(build_tables(GRAMMAR.read_text("utf-8")))
    except OSError as exc:  # run from an installed package: the grammar sources are not there
        print(f"error: cannot read {GRAMMAR}: {exc.strerror or exc} (run this in a checkout)", file=sys.stderr)
        return 2
    except lark.exceptions.LarkError as exc:  # a grammar that does not load, or has conflicts
        print(f"{GRAMMAR}: error: {exc}", file=sys.stderr)
        return 1
    current = TABLES.read_text("utf-8") if TABLES.exists() else ""
    if "--check" in argv:
        if wanted != current:
            print(f"{TABLES} is out of date: run `python -m flowlang.syntax.tablegen`", file=sys.stderr)
            return 1
        return 0
    if wanted != current:
        TABLES.write_text(wanted, "utf-8")
        print(f"wrote {TABLES}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
