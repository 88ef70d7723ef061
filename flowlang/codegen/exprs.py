"""Expressions -> Python expression documents calling the runtime functions the interpreter calls."""

from __future__ import annotations

import itertools
import keyword
import typing
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from flowlang import nodes
from flowlang.codegen import names
from flowlang.codegen.layout import (
    INDENT,
    Brackets,
    Chain,
    Doc,
    Parens,
    Seq,
    Text,
    arguments,
    call,
    flat,
    lines_of,
    seq,
)
from flowlang.codegen.sites import Sites
from flowlang.keysites import KEY_ARGUMENT, call_site_form
from flowlang.runtime.config import SETTING_FUNCTIONS
from flowlang.runtime.values import to_text

RUNTIME_NAMES = ("source", "state")
ARITHMETIC = ("-", "*", "/", "%")
# Operators with a fast path in the module's support code (the interpreter has the same ones).
FAST = {"+": "plus", "-": "minus", "*": "times", "<": "less", "<=": "at_most", ">": "more", ">=": "at_least"}
BOOLEAN_OPS = ("and", "or", "==", "!=", "<", "<=", ">", ">=", "in", "not in")


@dataclass
class Wheres:
    """The `where` tuples of a module as named constants (`W12_5`), in order of first use."""

    root: str
    files: dict[str, int] = field(default_factory=dict)
    constants: dict[tuple[str, int, int], str] = field(default_factory=dict)

    def name(self, node: nodes.Node) -> str:
        span = node.span
        key = (span.file, span.line, span.column)
        found = self.constants.get(key)
        if found is None:
            suffix = "" if span.file == self.root else f"_{self.files.setdefault(span.file, len(self.files) + 1)}"
            found = self.constants[key] = f"W{span.line}_{span.column}{suffix}"
        return found

    def definitions(self) -> list[str]:
        return [
            f"{name} = ({names.string(file)}, {line}, {col})"
            for (file, line, col), name in sorted(
                self.constants.items(),
                key=lambda kv: (self.files.get(kv[0][0], 0), kv[0][1], kv[0][2]),
            )
        ]


@dataclass(frozen=True)
class Scope:
    """What an expression needs to know about where it is."""

    lambdas: tuple[frozenset[str], ...] = ()  # parameters of the enclosing lambdas
    params: frozenset[str] = frozenset()  # the enclosing func's parameters (they may shadow `source`)
    settings: bool = False  # a system setting or operation option: setting functions are callable
    parallel: bool = False  # inside the body of a parallel loop

    def shadows(self, name: str) -> bool:
        return name in self.params or any(name in p for p in self.lambdas)


@dataclass
class Hoisted:
    """The nested defs of lambdas, written before the statement they belong to (at `indent`)."""

    indent: str
    lines: list[str] = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)  # id(lambda node) -> its def's name


# Builtins whose result may differ from call to call: a lambda using them is not evaluated twice.
IMPURE_BUILTINS = frozenset({"uuid", "now", "today", "env", "secret"})
# In a fast copy, these builtins of one string argument are the str method itself: on any
# other value the method is missing (AttributeError) and the slow copy reports the builtin's error.
STR_METHODS = {"trim": "strip", "upper": "upper", "lower": "lower"}
# In a fast copy, these builtins with a lambda become list comprehensions (see _comprehension).
COMPREHENSIONS = ("map", "filter")


class Temps:
    """Walrus temporaries of one Python function: `_t1`, `_t2`, …"""

    def __init__(self) -> None:
        self.count = 0

    def new(self) -> str:
        self.count += 1
        return f"_t{self.count}"


class ExprEmitter:
    """Builds Doc trees for expressions; `rt(module, name)` gives the global name of a runtime function."""

    def __init__(
        self,
        rt: Callable[[str, str], str],
        builtins: dict[str, str],
        funcs: set[str],
        wheres: Wheres,
    ) -> None:
        self.rt = rt
        self.builtins = builtins
        self.funcs = funcs
        self.wheres = wheres
        self.sites = Sites()
        self.temps = Temps()
        self.hoisted: list[Hoisted] = []  # lambdas become defs when a statement is being written
        # defs of lambdas that use nothing but their parameters: made once, at module level
        self.module_lambdas = Hoisted("")
        self.module_defs: list[list[str]] = []
        self.fast = False  # writing a fast copy (of a hoisted lambda or a statement): `a.b` is `a["b"]`
        self.counting = False  # statements call rt.hit as they begin (compile_project(counting=True))
        self.key_sites: dict[tuple[str, int, int], str] = {}  # keysites.key_sites() of the project
        self._dispatch: dict[type, Callable[[nodes.Node, Scope], Doc]] = {}
        for cls in typing.get_args(nodes.Expr):
            method = getattr(self, f"emit_{cls.__name__}", None)
            if method is None:
                raise TypeError(f"ExprEmitter has no emit_{cls.__name__}")
            self._dispatch[cls] = method

    def expr(self, node: nodes.Node, scope: Scope) -> Doc:
        return self._dispatch[type(node)](node, scope)

    def nested(self, node: nodes.Node, scope: Scope) -> Doc:
        """An expression inside another: operator chains get their own parentheses."""
        doc = self.expr(node, scope)
        return Parens(doc) if isinstance(doc, Chain) else doc

    def where(self, node: nodes.Node) -> str:
        return self.wheres.name(node)

    def _v(self, module: str, name: str) -> str:
        return self.rt(module, name)

    # ---------------------------------------------------------------- literals

    def emit_Literal(self, node: nodes.Literal, scope: Scope) -> Doc:
        """literal: "null" | "true" | "false" | NUMBER"""
        return Text(names.literal(node.value))

    def emit_Duration(self, node: nodes.Duration, scope: Scope) -> Doc:
        """duration: DURATION — seconds, an int when whole (as the interpreter folds it)"""
        seconds = node.seconds
        return Text(names.literal(int(seconds) if float(seconds).is_integer() else seconds))

    def emit_String(self, node: nodes.String, scope: Scope) -> Doc:
        """string: text and `{expr}` parts joined with `+`; constants folded through to_text"""
        parts: list[str | Doc] = []
        for part in node.parts:
            piece: str | Doc
            if isinstance(part, str):
                piece = part
            else:
                known = _constant(part)
                piece = to_text(known[0]) if known is not None else call(
                    self._v("values", "to_text"), self.nested(part, scope)
                )
            if isinstance(piece, str) and parts and isinstance(parts[-1], str):
                parts[-1] = parts[-1] + piece
            else:
                parts.append(piece)
        docs = [Text(names.string(p)) if isinstance(p, str) else p for p in parts if p != ""]
        if not docs:
            return Text(names.string(""))
        if len(docs) == 1:
            return docs[0]
        return Chain(docs[0], tuple(("+", d) for d in docs[1:]))

    def emit_ListLit(self, node: nodes.ListLit, scope: Scope) -> Doc:
        """list: "[" items "]" — a new list every time"""
        return Brackets("[", tuple(self.nested(i, scope) for i in node.items), "]", collection=True)

    def emit_ObjectLit(self, node: nodes.ObjectLit, scope: Scope) -> Doc:
        """object: "{" key: value, … "}" — a new dict every time"""
        items = tuple(
            seq(names.string(e.key) + ": ", self.nested(e.value, scope)) for e in node.entries
        )
        return Brackets("{", items, "}", collection=True)

    # ---------------------------------------------------------------- names and access

    def emit_Name(self, node: nodes.Name, scope: Scope) -> Doc:
        """name: a variable, a parameter, `source` or `state`"""
        if node.name in RUNTIME_NAMES and not scope.shadows(node.name):
            return Text(f"rt.{node.name}")
        return Text(names.variable(node.name))

    def emit_Attr(self, node: nodes.Attr, scope: Scope) -> Doc:
        """attr: expr "." NAME | expr "?." NAME"""
        key = names.string(node.name)
        if is_state(node.obj, scope):
            return call("rt.state.get", key)
        obj = self.nested(node.obj, scope)
        if node.optional:
            return call(self._v("values", "get_attr_optional"), obj, key)
        if self.fast and plain_path(node.obj, scope):
            return Text(f"{flat(obj)}[{key}]")
        path = names.string(nodes.describe(node.obj))
        # get_attr is the dict lookup plus the error path; an inline `type(x) is dict and …` test
        # measured no faster, and reads worse.
        return call(self._v("values", "get_attr"), obj, key, self.where(node), path)

    def emit_Index(self, node: nodes.Index, scope: Scope) -> Doc:
        """index: expr "[" expr "]" | expr "?[" expr "]" """
        index = self.nested(node.index, scope)
        if is_state(node.obj, scope):
            return call("state_get", "rt", index, self.where(node))
        obj = self.nested(node.obj, scope)
        path = names.string(nodes.describe(node.obj))
        if node.optional:
            return call(self._v("values", "get_index_optional"), obj, index, self.where(node), path)
        key = names.string(nodes.describe_key(node.index))
        return call(self._v("values", "get_index"), obj, index, self.where(node), path, key)

    # ---------------------------------------------------------------- operators

    def condition(self, node: nodes.Node, scope: Scope, top: bool = False) -> Doc:
        """A Python bool of the value's truthiness (already one for comparisons and `not`).

        `top`: the whole condition of an `if`/`while`, which needs no parentheses of its own.
        """
        if is_boolean(node):
            return self.expr(node, scope) if top else self.nested(node, scope)
        return call(self._v("values", "truthy"), self.nested(node, scope))

    def emit_Unary(self, node: nodes.Unary, scope: Scope) -> Doc:
        """unary: "-" expr | "not" expr"""
        if node.op == "not":
            return seq("not ", self.condition(node.operand, scope))
        operand = self.nested(node.operand, scope)
        return call(self._v("values", "negate"), operand, self.where(node))

    def emit_Binary(self, node: nodes.Binary, scope: Scope) -> Doc:
        """binary: expr OP expr — and/or/?? short-circuit; the rest call values.*"""
        op = node.op
        if op in ("and", "or"):
            left_test, right_test = self.condition(node.left, scope), self.condition(node.right, scope)
            return Chain(_parenthesized(left_test), ((op, _parenthesized(right_test)),))
        left, right = self.nested(node.left, scope), self.nested(node.right, scope)
        if op == "??":
            temp = self.temps.new()
            test = Chain(Parens(seq(f"{temp} := ", left)), (("is", Text("None")),))
            return Chain(right, (("if", test), ("else", Text(temp))))
        where = self.where(node)
        if op in FAST:
            return call(FAST[op], left, right, where)
        if op in ARITHMETIC:
            return call(self._v("values", "arith"), names.string(op), left, right, where)
        if op in ("==", "!=") and _text_comparison(node):
            return Chain(left, ((op, right),))
        if op == "==":
            return call("same", left, right)
        if op == "!=":
            return seq("not ", call("same", left, right))
        if op == "in":
            return call("member", left, right, where)
        if op == "not in":
            return seq("not ", call("member", left, right, where))
        raise names.CodegenError(f"unknown operator {op!r}")

    def emit_Conditional(self, node: nodes.Conditional, scope: Scope) -> Doc:
        """conditional: "if" expr "then" expr "else" expr"""
        cond = _parenthesized(self.condition(node.cond, scope))
        then, orelse = self.nested(node.then, scope), self.nested(node.orelse, scope)
        return Chain(then, (("if", cond), ("else", orelse)))

    # ---------------------------------------------------------------- calls

    def _args(self, args: tuple[nodes.Arg, ...], scope: Scope, mangle: bool) -> list[Doc]:
        out: list[Doc] = []
        for arg in args:
            value = self.nested(arg.value, scope)
            if arg.name is None:
                out.append(value)
            elif mangle:
                out.append(seq(f"{names.variable(arg.name)}=", value))
            elif arg.name.isidentifier() and not keyword.iskeyword(arg.name):
                out.append(seq(f"{arg.name}=", value))
            else:  # not a Python parameter name: passed by string
                out.append(seq("**", Brackets("{", (seq(names.string(arg.name) + ": ", value),), "}", True)))
        return out

    def emit_Call(self, node: nodes.Call, scope: Scope) -> Doc:
        """call: NAME "(" args ")" — a setting function (in settings), a func, or a builtin"""
        where = self.where(node)
        if scope.settings and node.func in SETTING_FUNCTIONS:
            positional = [self.nested(a.value, scope) for a in node.args if a.name is None]
            named = [
                seq(names.string(a.name) + ": ", self.nested(a.value, scope))
                for a in node.args
                if a.name is not None
            ]
            return call(
                "setting",
                names.string(node.func),
                where,
                Brackets("[", tuple(positional), "]", collection=True),
                Brackets("{", tuple(named), "}", collection=True),
            )
        if node.func in self.funcs:
            return call(names.func(node.func), "rt", where, *self._args(node.args, scope, True))
        if self.fast and node.func in COMPREHENSIONS and _items_and_lambda(node):
            return self._comprehension(node, scope)
        if self.fast and node.func in STR_METHODS and _one_operand(node):
            operand = node.args[0].value
            doc = self.expr(operand, scope)
            if isinstance(operand, nodes.Unary | nodes.Binary | nodes.Conditional):
                doc = Parens(doc)  # `(not x).strip()`, not `not x.strip()`
            return seq(doc, Text(f".{STR_METHODS[node.func]}()"))
        py = self.builtins.get(node.func)
        if py is None:
            message = names.string(f"unknown function '{node.func}'")
            return call("fail_now", names.string("data"), message, where)
        # Called directly; a failure is located through SITES (see sites.py).
        callee = self.sites.placeholder(py, node.func, where)
        return Seq((Text(callee), arguments(self._args(node.args, scope, False))))

    def _comprehension(self, node: nodes.Call, scope: Scope) -> Doc:
        """In a fast copy, `map(xs, x => e)` is `[e for x in xs]` and `filter(xs, x => e)` is
        `[x for x in xs if e]`, as hand-written Python would have them; `as_list` sends anything but a
        list (a stream, a wrong type) to the slow copy, which calls the builtin."""
        items, fn = node.args[0].value, node.args[1].value
        assert isinstance(fn, nodes.Lambda)
        param = fn.params[0].name
        inner = replace(scope, lambdas=(*scope.lambdas, frozenset({param})))
        var = names.variable(param)
        source = seq(f"{var} in ", call(self._v("values", "as_list"), self.expr(items, scope)))
        if node.func == "map":
            chain = Chain(self.nested(fn.body, inner), (("for", source),))
        else:
            test = _parenthesized(self.condition(fn.body, inner))
            chain = Chain(Text(var), (("for", source), ("if", test)))
        return Brackets("[", (chain,), "]")

    def emit_ApiCall(self, node: nodes.ApiCall, scope: Scope) -> Doc:
        """api_call: ("call" | "each") NAME "." NAME "(" named args ")" """
        where = self.where(node)
        if any(a.name is None for a in node.args):
            message = names.string(f"{node.system}.{node.operation}(): arguments must be named")
            return call("fail_now", names.string("data"), message, where)
        items = tuple(
            seq(names.string(a.name or "") + ": ",
                self._key_source(node, a.value, scope) if a.name == KEY_ARGUMENT else self.nested(a.value, scope))
            for a in node.args
        )
        method = "rt.each" if node.mode == "each" else "rt.call"
        args = Brackets("{", items, "}", collection=True)
        return call(method, names.string(node.system), names.string(node.operation), args, where)

    def _key_source(self, node: nodes.ApiCall, value: nodes.Node, scope: Scope) -> Doc:
        """`idempotency_key: e` or `idempotency_key: header("Idempotency-Key", e)`: a KeySource for the runtime."""
        span = node.span
        site = names.string(self.key_sites.get((span.file, span.line, span.column), f"{node.system}.{node.operation}"))
        form, where = call_site_form(value), self.where(node)
        if form is None:
            return call(self._v("config", "call_key"), site, where, self.nested(value, scope))
        location, name, source = form
        return call(self._v("config", "call_key"), site, where, self.nested(source, scope), names.string(location),
                    self.nested(name, scope))

    def emit_Lambda(self, node: nodes.Lambda, scope: Scope) -> Doc:
        """lambda: params "=>" expr — missing arguments are null, extra ones ignored"""
        params = [p.name for p in node.params]
        inner = replace(scope, lambdas=(*scope.lambdas, frozenset(params)))
        head = ", ".join(f"{names.variable(p)}=None" for p in params)
        if self.hoisted and self.fast_path_pays(node.body, inner):
            return Text(self._hoist(node, head, inner))
        # Lambdas inside this one see its parameters: they stay lambdas too. A lambda is a value that
        # may be called outside the fast copy it appears in, so its own body is never fast.
        hoisted, self.hoisted = self.hoisted, []
        was_fast, self.fast = self.fast, False
        body = self.nested(node.body, inner)
        self.hoisted, self.fast = hoisted, was_fast
        return seq(f"lambda {head}, *_: ", body)

    def fast_copy(self, node: nodes.Node, scope: Scope) -> Doc:
        """The fast copy of an expression for which `fast_path_pays`: fields read as `a["b"]`."""
        was_fast, self.fast = self.fast, True
        doc = self.expr(node, scope)
        self.fast = was_fast
        return doc

    def fast_path_pays(self, body: nodes.Node, scope: Scope) -> bool:
        """An expression (a statement's value, a lambda's body) that reads fields and may safely be
        evaluated twice: no API call, no func call, no builtin whose result differs from call to call."""
        reads = False
        for n in nodes.walk(body):
            if isinstance(n, nodes.ApiCall):
                return False
            if isinstance(n, nodes.Call) and (n.func in self.funcs or n.func in IMPURE_BUILTINS):
                return False
            if isinstance(n, nodes.Attr) and not n.optional and plain_path(n.obj, scope):
                reads = True
        return reads

    def _hoist(self, node: nodes.Lambda, head: str, scope: Scope) -> str:
        """The lambda as a nested def: fields read as plain dict lookups, `trim(x)` as `x.strip()`; when a
        field is missing (or anything raises a LookupError, TypeError or AttributeError), the body runs
        again the interpreter's way, which reports the error. Mapping code runs close to hand-written
        Python this way."""
        known = self.module_lambdas.names.get(id(node)) or self.hoisted[-1].names.get(id(node))
        if known is not None:  # the slow copy of an enclosing lambda: the def is already there
            return known
        # A lambda that closes over nothing is defined once for the module, not at every call of
        # its func: fewer objects for the garbage collector to count in a mapping loop. (Hoisted lambdas
        # call no func or API, see fast_path_pays, so only variables could tie one to its func.)
        at_module = not _free_names(node)
        frame = self.module_lambdas if at_module else self.hoisted[-1]
        name = f"_lambda_{node.span.line}_{node.span.column}"
        taken = set(self.module_lambdas.names.values())
        if at_module and name in taken:  # the same position in another file of the project
            name += f"_{next(n for n in itertools.count(1) if f'{name}_{n}' not in taken)}"
        frame.names[id(node)] = name
        inner = Hoisted(frame.indent + INDENT)
        self.hoisted.append(inner)
        was_fast, self.fast = self.fast, True
        fast = self.expr(node.body, scope)
        self.fast = False
        slow = self.expr(node.body, scope)
        self.fast = was_fast
        self.hoisted.pop()
        body_indent = inner.indent + INDENT
        lines = [f"{frame.indent}def {name}({head}, *_):", *inner.lines]
        lines.append(f"{inner.indent}try:")
        lines += lines_of(seq("return ", fast), body_indent)
        lines.append(f"{inner.indent}except (LookupError, TypeError, AttributeError):")
        lines += lines_of(seq("return ", slow), body_indent)
        if at_module:
            self.module_defs.append(lines)
        else:
            frame.lines.extend(lines)
        return name


def _free_names(node: nodes.Node, bound: frozenset[str] = frozenset()) -> bool:
    """Does `node` use a name it does not bind as a lambda parameter (a variable, `source`, `state`)?"""
    if isinstance(node, nodes.Lambda):
        return _free_names(node.body, bound | {p.name for p in node.params})
    if isinstance(node, nodes.Name):
        return node.name not in bound
    for name in nodes.node_fields(node):
        value = getattr(node, name)
        for child in value if isinstance(value, tuple) else (value,):
            if isinstance(child, nodes.Node) and _free_names(child, bound):
                return True
    return False


def _items_and_lambda(node: nodes.Call) -> bool:
    """`f(items, x => e)`: two positional arguments, the second a lambda of one parameter."""
    return (len(node.args) == 2 and all(a.name is None for a in node.args)
            and isinstance(node.args[1].value, nodes.Lambda) and len(node.args[1].value.params) == 1
            and not isinstance(node.args[0].value, nodes.Lambda)
            # `a ?? b` is a walrus, which Python does not allow in a comprehension's iterable
            and not any(isinstance(n, nodes.Binary) and n.op == "??" for n in nodes.walk(node.args[0].value)))


# Operands that are atoms in Python (a name, a subscript, a call, a literal): `a == b` needs no parentheses.
ATOMS = (nodes.Name, nodes.Attr, nodes.Index, nodes.Call, nodes.Literal, nodes.String)


def _text_comparison(node: nodes.Binary) -> bool:
    """`x == "text"` (or `!=`, either side): Python's `==` is flowlang's equality there, since no value of
    another type equals a str (a number, a boolean, null, a list, an object, a stream) and strings are
    equal when Python says so. Both operands must be atoms, so the comparison reads as written."""
    texts = [c for c in (_constant(node.left), _constant(node.right)) if c is not None and type(c[0]) is str]
    return bool(texts) and isinstance(node.left, ATOMS) and isinstance(node.right, ATOMS)


def _one_operand(node: nodes.Call) -> bool:
    """`f(x)` with one positional argument that is not a number (`1.strip()` would not parse)."""
    return (len(node.args) == 1 and node.args[0].name is None
            and not isinstance(node.args[0].value, nodes.Literal | nodes.Duration))


def plain_path(node: nodes.Node, scope: Scope) -> bool:
    """A variable or a field path of one (`r`, `r.customer.address`): safe to subscript in place."""
    while isinstance(node, nodes.Attr) and not node.optional:
        node = node.obj
    return isinstance(node, nodes.Name) and (node.name != "state" or scope.shadows("state"))


def is_state(node: nodes.Node, scope: Scope) -> bool:
    """Is `node` the name `state` (the flow's persisted state), not a parameter of that name?"""
    return isinstance(node, nodes.Name) and node.name == "state" and not scope.shadows("state")


def _constant(node: nodes.Node) -> tuple[object] | None:
    """`(value,)` for a literal whose text the interpreter folds into a string at compile time."""
    if isinstance(node, nodes.Literal):
        return (node.value,)
    if isinstance(node, nodes.Duration):
        s = node.seconds
        return (int(s) if float(s).is_integer() else s,)
    if isinstance(node, nodes.String) and all(isinstance(p, str) for p in node.parts):
        return ("".join(p for p in node.parts if isinstance(p, str)),)
    return None


def is_boolean(node: nodes.Node) -> bool:
    """Does the expression always give a boolean (so `truthy()` of it is itself)?"""
    if isinstance(node, nodes.Binary):
        return node.op in BOOLEAN_OPS
    if isinstance(node, nodes.Unary):
        return node.op == "not"
    return isinstance(node, nodes.Literal) and isinstance(node.value, bool)


def _parenthesized(doc: Doc) -> Doc:
    """An operand inside a chain: chains and `not …` get parentheses, so precedence reads plainly."""
    if isinstance(doc, Chain):
        return Parens(doc)
    return doc
