"""E127: an expression nested deeper than a compiled module's brackets can hold (Python's parser allows 199) is
a located checker error, so check, run and compile all say file:line:col; the checker's count of the brackets
the code generator writes is an upper bound (measured on the generated module, each form and random mixtures)
and not far above it."""

from __future__ import annotations

import io
import random
import tokenize
from pathlib import Path

import pytest
from click.testing import CliRunner

from flowlang.checker import check
from flowlang.checker.depth import MAX_BRACKETS, too_deep
from flowlang.cli import main
from flowlang.codegen import compile_project
from flowlang.diagnostics import FlowSyntaxError
from flowlang.interpreter import run_project
from flowlang.loader import load_project
from flowlang.syntax.parser import parse_expression

# one level of each form, around the inner expression `{}`
FORMS = {
    "list": "[{}]", "object": "{{a: {}}}", "add": "1 + ({})", "compare": "({}) == 1", "and": "v and ({})",
    "or": "({}) or v", "coalesce right": "v ?? ({})", "coalesce left": "({}) ?? 1", "negate": "-({})",
    "builtin": "length({})", "func": "f({})", "named": "f(a: {})", "api": "call s.op(body: {})", "field": "({}).a", "optional field": "({})?.a",
    "index": "({})[0]", "optional index": "({})?[0]", "index key": "v[{}]", "then": "if v then ({}) else 2",
    "condition": "if ({}) then 1 else 2", "map": "map(v, y => ({}))", "map list": "map({}, y => y)",
    "string": '"<{{{}}}>"', "not": "not ({})", "in": "({}) in v",
}
NESTED = [f for f in FORMS if f != "string"]  # an interpolation cannot hold a string: only at the outside
FUNC = 'func f(a) {\n  return a\n}\nsystem s {\n  base_url: "http://127.0.0.1:9"\n  POST op "/"\n}\n'
FLOW = "flow d {{\n  v = [1]\n  x = {}\n  return x\n}}\n" + FUNC.replace("{", "{{").replace("}", "}}")
SLACK = 4  # brackets a statement may put around its expression (`if truthy(…):`, `rt.log(…, e, …)`)


def nest(forms: list[str], inner: str = "v") -> str:
    for form in reversed(forms):
        inner = FORMS[form].format(inner)
    return inner


def estimate(expr: str) -> int:
    """The checker's count of the brackets around the deepest part of `expr` (a huge one when it does not parse:
    too deep for the parser's 400 levels)."""
    try:
        node = parse_expression(expr)
    except FlowSyntaxError:
        return 10**6
    low, high = -1, 1000  # too deep for low, not for high
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if too_deep(node, middle) is None else (middle, high)
    return high


def deepest(form: str) -> int:
    """The deepest nesting of `form` the checker accepts."""
    low, high = 1, 400
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if estimate(nest([form] * middle)) <= MAX_BRACKETS else (low, middle)
    return low


def segments(source: str, count: int) -> list[int]:
    """The deepest bracket nesting of the code between the strings "MARK{i}" and "MARK{i+1}" of a module."""
    deepest_of = [0] * count
    current, level = -1, 0
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.STRING and "MARK" in token.string:
            current = int(token.string.split("MARK")[1].split("'")[0].split('"')[0])
        elif token.type == tokenize.OP and token.string in "([{":
            level += 1
            if 0 <= current < count:
                deepest_of[current] = max(deepest_of[current], level)
        elif token.type == tokenize.OP and token.string in ")]}":
            level -= 1
    return deepest_of


def flow_of(exprs: list[str]) -> str:
    lines = "".join(f'  log info "MARK{i}"\n  x{i} = {e}\n' for i, e in enumerate(exprs))
    values = ", ".join(f"x{i}" for i in range(len(exprs)))
    return (f"flow d {{\n  v = [1]\n{lines}  log info \"MARK{len(exprs)}\"\n  return [{values}]\n}}\n"
            + FUNC)


def test_the_count_bounds_the_brackets_the_code_generator_writes(tmp_path: Path) -> None:
    rng = random.Random(11)
    exprs = [nest([form] * 25) for form in NESTED]
    for _ in range(20):
        mixture = rng.choices(NESTED, k=rng.randint(10, 30))
        exprs.append(nest(["string", *mixture] if rng.random() < 0.3 else mixture))
    path = tmp_path / "deep.flow"
    path.write_text(flow_of(exprs), encoding="utf-8")
    project = load_project(str(path))
    assert [d for d in check(project) if d.is_error] == []
    real = segments(compile_project(project), len(exprs))
    for expr, brackets in zip(exprs, real, strict=True):
        counted = estimate(expr)
        assert brackets <= counted + SLACK, expr  # what the checker accepts fits in Python's 199
        assert counted <= 2 * brackets + SLACK, expr  # and it is not refused far on the safe side
    assert MAX_BRACKETS + SLACK < 199


@pytest.mark.parametrize("form", NESTED)
def test_one_level_deeper_than_the_checker_accepts_is_e127_where_it_goes_too_deep(tmp_path: Path, form: str) -> None:
    low = deepest(form)
    assert low >= MAX_BRACKETS // 2
    path = tmp_path / "deep.flow"
    path.write_text(FLOW.format(nest([form] * (low + 1))), encoding="utf-8")
    [error] = [d for d in check(load_project(str(path))) if d.is_error]
    if error.code == "E021":  # the parser's own limit (400 levels of its tree) comes first for this form
        return
    assert error.code == "E127" and error.span.line == 3 and error.span.column > 20, error
    assert error.message == "this expression is nested too deeply to compile"
    assert error.hint == "put the inner part in a variable (or a func) and use that"


def test_at_the_limit_both_engines_run_it(tmp_path: Path) -> None:
    expr = nest(["coalesce left"] * deepest("coalesce left"))  # two brackets a level, in the generated code too
    path = tmp_path / "deep.flow"
    path.write_text(flow_of([expr]), encoding="utf-8")
    project = load_project(str(path))
    assert [d for d in check(project) if d.is_error] == []
    module = compile_project(project)
    assert segments(module, 1)[0] > MAX_BRACKETS  # really that deep
    stdout, stderr = io.StringIO(), io.StringIO()
    assert run_project(project, None, state_path=str(tmp_path / "s.db"), stdout=stdout, stderr=stderr) == 0
    assert stdout.getvalue().split() == ["[", "[", "1", "]", "]"]


def test_250_nested_lists_are_a_located_error_in_check_run_and_compile(tmp_path: Path) -> None:
    (tmp_path / "lists.flow").write_text(FLOW.format("[" * 250 + "]" * 250), encoding="utf-8")
    runner = CliRunner()
    for command in ("check", "run", "compile"):
        result = runner.invoke(main, [command, str(tmp_path / "lists.flow")])
        assert result.exit_code == 1, (command, result.output)
        assert f"{tmp_path / 'lists.flow'}:3:" in result.output and "error[E127]" in result.output
        assert "Traceback" not in result.output and "RecursionError" not in result.output
