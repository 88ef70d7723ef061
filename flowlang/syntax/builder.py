"""Lark parse tree -> flowlang AST (nodes.py), iteratively, with a Span on every node."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

from flowlang import nodes as n
from flowlang.diagnostics import ERROR, Diagnostic, FlowSyntaxError, Span, closest, source_lines
from flowlang.syntax.lalr import Tree
from flowlang.syntax.lexer import Tok
from flowlang.syntax.strings import decode_string

HTTP_VERBS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")
LOG_LEVELS = ("debug", "info", "warn", "error", "success", "failure")
TRANSPORT_FAULTS = ("timeout", "reset")
GIVEN_WORDS = ("state", "env", "now", "cassette")
# words that begin a statement in a block (a misspelt one gets "did you mean")
STATEMENT_WORDS: tuple[str, ...] = ("if", "for", "while", "break", "continue", "return", "try", "fail", "log", "wait",
                   "checkpoint", "call", "each")
DURATION_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}

MAX_INT_DIGITS = 4300  # Python's own limit for converting text to an int
MAX_DEPTH = 400  # deeper nesting is reported (E021), so no later pass can exhaust the Python stack

# tokens that only shape the syntax; builders never see them
PUNCTUATION = {"LBRACE", "RBRACE", "LPAR", "RPAR", "LSQB", "RSQB", "COMMA", "COLON", "DOT", "__ANON_0", "_NL"}

# (text, file, line, column) -> expression: parses `{expr}` inside a string
InterpolationParser = Callable[[str, str, int, int], Any]


def _start(child: Any) -> tuple[int, int] | None:
    if type(child) is Tok:
        return None if child.type == "_NL" else (child.line, child.column)
    if isinstance(child, n.Node):
        return child.span[1], child.span[2]
    if type(child) is tuple and child:
        return child[0].span[1], child[0].span[2]
    return None


def _end(child: Any) -> tuple[int, int] | None:
    if type(child) is Tok:
        return None if child.type == "_NL" else (child.end_line, child.end_column)
    if isinstance(child, n.Node):
        return child.span[3], child.span[4]
    if type(child) is tuple and child:
        return child[-1].span[3], child[-1].span[4]
    return None


def _error(code: str, message: str, span: Span, hint: str | None = None) -> FlowSyntaxError:
    return FlowSyntaxError([Diagnostic(code, ERROR, message, span, hint)])


def _number_too_large(text: str, span: Span) -> FlowSyntaxError:
    shown = text if len(text) <= 20 else text[:12] + "…"
    return _error("E022", f"number `{shown}` is too large", span,
                  f"numbers must stay below about 1.8e308, and whole numbers within {MAX_INT_DIGITS:,} digits")


class Builder:
    """One `build_<rule>` per grammar rule; children arrive already built (tokens stay tokens)."""

    def __init__(self, file: str, line_offset: int, col_offset: int, interpolate: InterpolationParser):
        self.file = file
        self.line_offset = line_offset
        self.col_offset = col_offset
        self.interpolate = interpolate

    # ------------------------------------------------------------ driving

    def program(self, tree: Tree, text: str) -> n.Program:
        lines = source_lines(text)
        if len(lines) > 1 and not lines[-1]:
            lines.pop()  # the file's last line break ends a line, it does not start one
        self._whole = Span(self.file, 1, 1, len(lines), len(lines[-1]) + 1)
        program: n.Program = self._build(tree)
        return program

    def expression(self, tree: Tree) -> Any:
        return self._build(tree)

    def _build(self, root: Tree) -> Any:
        """Post-order over the tree with an explicit stack: deep nesting cannot overflow Python's."""
        results: list[Any] = []
        depths: list[int] = []  # nesting depth of each result, to stop pathological input early
        stack: list[tuple[Any, bool]] = [(root, False)]
        builders = self._table()
        while stack:
            item, done = stack.pop()
            if type(item) is not Tree:
                results.append(item)
                depths.append(0)
                continue
            if not done:
                stack.append((item, True))
                stack.extend((child, False) for child in reversed(item.children))
                continue
            count = len(item.children)
            children = results[-count:] if count else []
            depth = 1 + max(depths[-count:]) if count else 1
            if count:
                del results[-count:]
                del depths[-count:]
            span = self._span(children)
            if depth > MAX_DEPTH:
                raise _error("E021", f"nested too deeply (more than {MAX_DEPTH} levels)", span,
                             "split the expression or block into smaller steps with variables or funcs")
            kept = [c for c in children if type(c) is not Tok or c.type not in PUNCTUATION]
            results.append(builders[item.data](self, span, kept))
            depths.append(depth)
        return results[0]

    @staticmethod
    @functools.cache
    def _table() -> dict[str, Callable[..., Any]]:
        """Rule name -> its `build_<rule>` function, computed once."""
        return {name[6:]: getattr(Builder, name) for name in dir(Builder) if name.startswith("build_")}

    def _span(self, children: list[Any]) -> Span:
        """From the start of the first child to the end of the last (tokens, nodes, or tuples of nodes)."""
        start = end = None
        for child in children:
            start = _start(child)
            if start is not None:
                break
        if start is None:
            return getattr(self, "_whole", Span(self.file, 1, 1, 1, 1))
        for child in reversed(children):
            end = _end(child)
            if end is not None:
                break
        assert end is not None
        return Span(self.file, start[0], start[1], end[0], end[1])

    def _tok(self, token: Tok) -> Span:
        """The span of a token (the lexer already placed it in the file)."""
        return Span(self.file, token.line, token.column, token.end_line, token.end_column)

    @staticmethod
    def _nodes(children: list[Any]) -> list[Any]:
        """Children without keyword tokens and empty `[ ]` placeholders."""
        return [c for c in children if c is not None and not (isinstance(c, Tok) and c.type != "NAME")]

    # ------------------------------------------------------------ declarations

    def build_start(self, span: Span, children: list[Any]) -> n.Program:
        imports = tuple(c for c in children if isinstance(c, n.Import))
        systems = tuple(c for c in children if isinstance(c, n.System))
        funcs = tuple(c for c in children if isinstance(c, n.Func))
        flows = tuple(c for c in children if isinstance(c, n.Flow))
        tests = tuple(c for c in children if isinstance(c, n.Test))
        return n.Program(self._whole, self.file, imports, systems, funcs, flows, tests)

    def build_expression_only(self, span: Span, children: list[Any]) -> Any:
        return children[0]

    def build_atom(self, span: Span, children: list[Any]) -> Any:
        """`( expr )`: the expression itself."""
        return children[0]

    def build_import_decl(self, span: Span, children: list[Any]) -> n.Import:
        token = children[1]
        return n.Import(span, self._plain_string(token), self._tok(token))

    def build_system_decl(self, span: Span, children: list[Any]) -> n.System:
        name = children[1]
        items = children[2:]
        settings = tuple(c for c in items if isinstance(c, n.Setting))
        operations = tuple(c for c in items if isinstance(c, n.Operation))
        return n.System(span, str(name), self._tok(name), settings, operations)

    def build_operation(self, span: Span, children: list[Any]) -> n.Operation:
        verb, name, path = children[0], children[1], children[2]
        options = children[3] if len(children) > 3 and children[3] is not None else ()
        if str(verb) not in HTTP_VERBS:
            hint = f"write it in capitals: {str(verb).upper()}" if str(verb).upper() in HTTP_VERBS else (
                "an operation line is `VERB name \"path\"` with VERB one of " + " ".join(HTTP_VERBS))
            raise _error("E006", f"unknown HTTP method `{verb}`", self._tok(verb), hint)
        return n.Operation(span, str(verb), str(name), self._tok(name), self._plain_string(path),
                           self._tok(path), tuple(options))

    def build_settings_block(self, span: Span, children: list[Any]) -> tuple[n.Setting, ...]:
        return tuple(children)

    def build_setting(self, span: Span, children: list[Any]) -> n.Setting:
        key, value = children
        return n.Setting(span, str(key), self._tok(key), value)

    def build_func_decl(self, span: Span, children: list[Any]) -> n.Func:
        name = children[1]
        params = tuple(c for c in children[2:-1] if isinstance(c, n.Param))
        return n.Func(span, str(name), self._tok(name), params, children[-1])

    def build_param(self, span: Span, children: list[Any]) -> n.Param:
        default = children[2] if len(children) > 2 else None
        return n.Param(span, str(children[0]), default)

    def build_flow_decl(self, span: Span, children: list[Any]) -> n.Flow:
        name = children[1]
        settings: list[n.Setting] = []
        stmts: list[Any] = []
        for item in children[2:]:
            if isinstance(item, n.Setting):
                if stmts:
                    raise _error("E009", f"flow setting `{item.key}` comes after a statement", item.key_span,
                                 "put name, description, slug, enabled, source and schedule first")
                settings.append(item)
            else:
                stmts.append(item)
        first = stmts[0].span if stmts else span
        last = stmts[-1].span if stmts else span
        body = n.Block(first.to(last), tuple(stmts))
        return n.Flow(span, str(name), self._tok(name), tuple(settings), body)

    # ------------------------------------------------------------ tests

    def build_test_decl(self, span: Span, children: list[Any]) -> n.Test:
        name = children[1]
        return n.Test(span, self._plain_string(name), self._tok(name), tuple(children[2:]))

    def build_given_call(self, span: Span, children: list[Any]) -> n.Given:
        system, operation = children[1], children[2]
        args = tuple(c for c in children[3:] if isinstance(c, n.Arg))
        rest = [c for c in children[3:] if c is not None and not isinstance(c, n.Arg)]
        word, values = rest[0], [c for c in rest[1:] if not isinstance(c, Tok)]
        head = (str(system), self._tok(system), str(operation), self._tok(operation), args)
        if str(word) == "returns":
            return n.Given(span, *head, tuple(values), None)
        if str(word) == "fails":
            fault = values[0]
            if len(values) > 1 or not (isinstance(fault, n.Name) and fault.name in TRANSPORT_FAULTS):
                raise _error("E028", "`fails` takes a transport fault: " + " or ".join(TRANSPORT_FAULTS),
                             fault.span, "for an HTTP error, write `returns {status: 503}`")
            return n.Given(span, *head, (), fault.name)
        raise _error("E028", f"expected `returns` or `fails` after `given {system}.{operation}`, found `{word}`",
                     self._tok(word), "write `given sys.op returns {status: 200, body: …}`")

    def build_given_value(self, span: Span, children: list[Any]) -> n.GivenValue:
        word, value = children[1], children[2]
        if str(word) not in GIVEN_WORDS:
            raise _error("E028", f"unknown `given {word}`", self._tok(word),
                         "use given SYSTEM.OPERATION returns …, or given " + ", ".join(GIVEN_WORDS) + " or secret")
        return n.GivenValue(span, str(word), None, value)

    def build_given_secret(self, span: Span, children: list[Any]) -> n.GivenValue:
        word, name, value = children[1], children[2], children[4]
        if str(word) != "secret":
            raise _error("E028", f"unknown `given {word} {name} = …`", self._tok(word),
                         'write `given secret NAME = "value"`')
        return n.GivenValue(span, "secret", str(name), value)

    def build_run_stmt(self, span: Span, children: list[Any]) -> n.RunFlow:
        target = children[0]
        if target is not None and not isinstance(target, n.Name):
            raise _error("E007", "the result of `run` goes into a variable", target.span, "write `result = run FLOW`")
        words = [c for c in children[1:] if c is not None and not (isinstance(c, Tok) and c.type == "EQUALS")]
        run, flow = words[0], words[1]
        if str(run) != "run":
            raise _error("E028", f"unexpected `{run}` in a test; expected `run`, `given` or `expect`",
                         self._tok(run), "a test runs a flow with `result = run FLOW`")
        source = None
        if len(words) > 2:
            keyword, key, source = words[2], words[3], words[4]
            if str(keyword) != "with" or str(key) != "source":
                raise _error("E028", f"expected `with source: …` after `run {flow}`", self._tok(keyword))
        return n.RunFlow(span, target, str(flow), self._tok(flow), source)

    def build_expect_stmt(self, span: Span, children: list[Any]) -> n.Expect:
        return n.Expect(span, children[1], children[2] if len(children) > 2 else None)

    # ------------------------------------------------------------ statements

    def build_block(self, span: Span, children: list[Any]) -> n.Block:
        return n.Block(span, tuple(children))

    def build_assign(self, span: Span, children: list[Any]) -> n.Assign:
        target, op, value = children
        if not isinstance(target, n.Name | n.Attr | n.Index) or (isinstance(target, n.Attr | n.Index) and target.optional):
            raise _error("E007", "cannot assign to this expression", target.span,
                         "assign to a variable, a field (`x.a`) or an item (`x[i]`)")
        return n.Assign(span, target, str(op), value)

    def build_if_stmt(self, span: Span, children: list[Any]) -> n.If:
        parts = [c for c in children if not isinstance(c, Tok)]
        orelse = parts[2] if len(parts) > 2 else None
        return n.If(span, parts[0], parts[1], orelse)

    def build_for_stmt(self, span: Span, children: list[Any]) -> n.For:
        names = tuple(n.Ident(self._tok(t), str(t)) for t in children if isinstance(t, Tok) and t.type == "NAME")
        parts = [c for c in children if not isinstance(c, Tok)]
        parallel = parts[1] if len(parts) == 3 else None
        return n.For(span, names, parts[0], parallel, parts[-1])

    def build_while_stmt(self, span: Span, children: list[Any]) -> n.While:
        return n.While(span, children[1], children[2])

    def build_break_stmt(self, span: Span, children: list[Any]) -> n.Break:
        return n.Break(span)

    def build_continue_stmt(self, span: Span, children: list[Any]) -> n.Continue:
        return n.Continue(span)

    def build_checkpoint_stmt(self, span: Span, children: list[Any]) -> n.Checkpoint:
        return n.Checkpoint(span)

    def build_return_stmt(self, span: Span, children: list[Any]) -> n.Return:
        return n.Return(span, children[1] if len(children) > 1 else None)

    def build_try_stmt(self, span: Span, children: list[Any]) -> n.Try:
        err = next((n.Ident(self._tok(t), str(t)) for t in children if isinstance(t, Tok) and t.type == "NAME"), None)
        blocks = [c for c in children if isinstance(c, n.Block)]
        return n.Try(span, blocks[0], err, blocks[1])

    def build_fail_stmt(self, span: Span, children: list[Any]) -> n.Fail:
        return n.Fail(span, children[1])

    def build_wait_stmt(self, span: Span, children: list[Any]) -> n.Wait:
        return n.Wait(span, children[1])

    def build_log_stmt(self, span: Span, children: list[Any]) -> n.Log:
        level = children[1]
        if str(level) not in LOG_LEVELS:
            raise _error("E005", f"unknown log level `{level}`", self._tok(level),
                         "use one of: " + ", ".join(LOG_LEVELS))
        return n.Log(span, str(level), children[2])

    def build_expr_stmt(self, span: Span, children: list[Any]) -> n.ExprStmt:
        expr = children[0]
        if not isinstance(expr, n.Call | n.ApiCall):
            keyword = closest(expr.name, STATEMENT_WORDS) if isinstance(expr, n.Name) else None
            if keyword is not None:  # `retrun` or `brake` alone on its line
                raise _error("E001", f"unknown word `{expr.name}` at the start of a statement", expr.span,
                             f"did you mean `{keyword}`?")
            hint = "did you mean `=`?" if isinstance(expr, n.Binary) and expr.op == "==" else (
                "assign it (`x = …`), return it, or log it")
            raise _error("E008", "this expression does nothing on its own; only a call can stand alone",
                         expr.span, hint)
        return n.ExprStmt(span, expr)

    # ------------------------------------------------------------ expressions

    def build_lambda(self, span: Span, children: list[Any]) -> n.Lambda:
        params: list[n.Ident] = []
        for item in children[:-1]:
            if isinstance(item, Tok):
                params.append(n.Ident(self._tok(item), str(item)))
            elif isinstance(item, n.Name):  # `(x) => …` parses its parameter as an expression
                params.append(n.Ident(item.span, item.name))
            else:
                raise _error("E001", "a lambda parameter must be a name", item.span,
                             "write `x => …` or `(a, b) => …`")
        return n.Lambda(span, tuple(params), children[-1])

    def build_conditional(self, span: Span, children: list[Any]) -> n.Conditional:
        cond, then, orelse = self._nodes(children)
        return n.Conditional(span, cond, then, orelse)

    def build_binary(self, span: Span, children: list[Any]) -> n.Binary:
        left, op, right = children
        return n.Binary(span, str(op), left, right)

    def build_not_in(self, span: Span, children: list[Any]) -> n.Binary:
        return n.Binary(span, "not in", children[0], children[-1])

    def build_unary(self, span: Span, children: list[Any]) -> Any:
        op, operand = children
        if str(op) == "-" and isinstance(operand, n.Literal) and not isinstance(operand.value, bool | None):
            return n.Literal(span, -operand.value)
        if str(op) == "-" and isinstance(operand, n.Duration):
            return n.Duration(span, -operand.seconds, "-" + operand.text)
        return n.Unary(span, "not" if str(op) == "not" else "-", operand)

    def build_attr(self, span: Span, children: list[Any]) -> n.Attr:
        obj, name = children
        return n.Attr(span, obj, str(name), self._tok(name))

    def build_opt_attr(self, span: Span, children: list[Any]) -> n.Attr:
        obj, _, name = children
        return n.Attr(span, obj, str(name), self._tok(name), True)

    def build_index(self, span: Span, children: list[Any]) -> n.Index:
        return n.Index(span, children[0], children[1])

    def build_opt_index(self, span: Span, children: list[Any]) -> n.Index:
        return n.Index(span, children[0], children[2], True)

    def build_call(self, span: Span, children: list[Any]) -> n.Call:
        callee, args = children[0], tuple(c for c in children[1:] if c is not None)
        if not isinstance(callee, n.Name):
            raise _error("E020", "only a builtin or a func can be called, by its name", callee.span,
                         "API operations are called with `call system.operation(…)`")
        return n.Call(span, callee.name, callee.span, args)

    def build_api_call(self, span: Span, children: list[Any]) -> n.ApiCall:
        mode, system, operation = children[0], children[1], children[2]
        args = tuple(c for c in children[3:] if c is not None)
        return n.ApiCall(span, str(mode), str(system), self._tok(system), str(operation),
                         self._tok(operation), args)

    def build_arg(self, span: Span, children: list[Any]) -> n.Arg:
        return n.Arg(span, None, children[0])

    def build_named_arg(self, span: Span, children: list[Any]) -> n.Arg:
        return n.Arg(span, str(children[0]), children[1])

    def build_entry(self, span: Span, children: list[Any]) -> n.Entry:
        key, value = children
        text = self._plain_string(key) if key.type in ("STRING", "LONG_STRING") else str(key)
        return n.Entry(span, text, self._tok(key), value)

    def build_name(self, span: Span, children: list[Any]) -> n.Name:
        return n.Name(span, str(children[0]))

    def build_number(self, span: Span, children: list[Any]) -> n.Literal:
        text = str(children[0]).replace("_", "")
        value: int | float
        if any(c in text for c in ".eE"):
            value = float(text)
        else:
            digits = text.lstrip("0") or "0"
            value = int(digits) if len(digits) <= MAX_INT_DIGITS else math.inf
        if value == math.inf:
            raise _number_too_large(str(children[0]), span)
        return n.Literal(span, value)

    def build_duration(self, span: Span, children: list[Any]) -> n.Duration:
        text = str(children[0])
        number_end = len(text) - len(text.lstrip("0123456789_."))
        digits, unit = text[:number_end], text[number_end:]
        if unit not in DURATION_UNITS:
            raise _error("E004", f"unknown duration unit `{unit}` in `{text}`", span,
                         "durations are written 250ms, 30s, 5m, 2h or 1d")
        seconds = float(digits.replace("_", "")) * DURATION_UNITS[unit]
        if math.isinf(seconds):
            raise _number_too_large(text, span)
        return n.Duration(span, seconds, text)

    def build_string(self, span: Span, children: list[Any]) -> n.String:
        token = children[0]
        parts = decode_string(str(token), self._tok(token), self.file, self.interpolate)
        return n.String(span, parts)

    def build_true(self, span: Span, children: list[Any]) -> n.Literal:
        return n.Literal(span, True)

    def build_false(self, span: Span, children: list[Any]) -> n.Literal:
        return n.Literal(span, False)

    def build_null(self, span: Span, children: list[Any]) -> n.Literal:
        return n.Literal(span, None)

    def build_list(self, span: Span, children: list[Any]) -> n.ListLit:
        return n.ListLit(span, tuple(c for c in children if c is not None))

    def build_object(self, span: Span, children: list[Any]) -> n.ObjectLit:
        return n.ObjectLit(span, tuple(c for c in children if c is not None))

    # ------------------------------------------------------------ helpers

    def _plain_string(self, token: Tok) -> str:
        """A string without interpolation (import paths, operation paths, quoted keys)."""
        parts = decode_string(str(token), self._tok(token), self.file, None)
        return "".join(p for p in parts if isinstance(p, str))
