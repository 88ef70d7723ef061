"""Where a module's source refers to its own globals: the positions the inliner renames."""

from __future__ import annotations

import ast
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Occurrence:
    """A global name at (line, byte column) of the module source; `end` is the byte column after it."""

    name: str
    line: int
    col: int
    end: int


def _bound_names(target: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}


def _function_locals(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> set[str]:
    """Names local to a function: its parameters and every name it binds, minus global/nonlocal ones."""
    args = node.args
    params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    names = {a.arg for a in params}
    if args.vararg:
        names.add(args.vararg.arg)
    if args.kwarg:
        names.add(args.kwarg.arg)
    declared: set[str] = set()
    body = node.body if isinstance(node.body, list) else [node.body]
    stack: list[ast.AST] = list(body)
    while stack:
        item = stack.pop()
        if isinstance(item, ast.Global | ast.Nonlocal):
            declared.update(item.names)
            continue
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(item.name)
            stack.extend(item.decorator_list)
            if not isinstance(item, ast.ClassDef):
                stack.extend(d for d in (*item.args.defaults, *item.args.kw_defaults) if d)
            continue  # its body is a scope of its own
        if isinstance(item, ast.Lambda | ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
            continue
        if isinstance(item, ast.Name) and isinstance(item.ctx, ast.Store | ast.Del):
            names.add(item.id)
        elif isinstance(item, ast.NamedExpr):
            names.update(_bound_names(item.target))
        elif isinstance(item, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in item.names)
        elif isinstance(item, ast.ExceptHandler) and item.name:
            names.add(item.name)
        stack.extend(ast.iter_child_nodes(item))
    return names - declared


class _Finder(ast.NodeVisitor):
    """Collects the occurrences of module-level names, honouring function scopes that shadow them."""

    def __init__(self, lines: list[str], wanted: set[str]) -> None:
        self.lines = lines
        self.wanted = wanted
        self.scopes: list[set[str]] = []  # locals of the enclosing functions, innermost last
        self.found: list[Occurrence] = []

    def _is_global(self, name: str) -> bool:
        return name in self.wanted and not any(name in scope for scope in self.scopes)

    def _add(self, name: str, line: int, col: int) -> None:
        self.found.append(Occurrence(name, line, col, col + len(name.encode())))

    def _def_name(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        if not self._is_global(node.name):
            return
        keyword = "class" if isinstance(node, ast.ClassDef) else "def"
        raw = self.lines[node.lineno - 1].encode()
        at = raw.find(f"{keyword} {node.name}".encode(), node.col_offset)
        self._add(node.name, node.lineno, at + len(keyword) + 1)

    def visit_Name(self, node: ast.Name) -> None:
        if self._is_global(node.id):
            self._add(node.id, node.lineno, node.col_offset)

    def visit_Global(self, node: ast.Global) -> None:
        raise ValueError(f"line {node.lineno}: `global` statements cannot be inlined")

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        for d in (*node.args.defaults, *node.args.kw_defaults):
            if d is not None:
                self.visit(d)
        if not isinstance(node, ast.Lambda):
            for d in node.decorator_list:
                self.visit(d)
            for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs):
                if a.annotation is not None:
                    self.visit(a.annotation)
            if node.returns is not None:
                self.visit(node.returns)
        self.scopes.append(_function_locals(node))
        body = node.body if isinstance(node.body, list) else [node.body]
        for stmt in body:
            self.visit(stmt)
        self.scopes.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._def_name(node)
        self._function(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._def_name(node)
        self._function(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._function(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._def_name(node)
        for d in (*node.decorator_list, *node.bases, *(k.value for k in node.keywords)):
            self.visit(d)
        # Class bodies do not hide globals from the methods inside them; names bound in the body
        # shadow globals only in the body itself.
        own = {n for s in node.body for n in _class_binds(s)}
        self.scopes.append(own)
        for stmt in node.body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                self.scopes.pop()
                self.visit(stmt)
                self.scopes.append(own)
            else:
                self.visit(stmt)
        self.scopes.pop()

    def _comprehension(self, node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp) -> None:
        targets: set[str] = set()
        for gen in node.generators:
            targets |= _bound_names(gen.target)
        self.visit(node.generators[0].iter)  # evaluated in the enclosing scope
        self.scopes.append(targets)
        for i, gen in enumerate(node.generators):
            if i:
                self.visit(gen.iter)
            for cond in gen.ifs:
                self.visit(cond)
        if isinstance(node, ast.DictComp):
            self.visit(node.key)
            self.visit(node.value)
        else:
            self.visit(node.elt)
        self.scopes.pop()

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension


def _class_binds(stmt: ast.stmt) -> set[str]:
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {stmt.name}
    if isinstance(stmt, ast.Assign):
        return {n for t in stmt.targets for n in _bound_names(t)}
    if isinstance(stmt, ast.AnnAssign):
        return _bound_names(stmt.target)
    return set()


def global_occurrences(tree: ast.Module, text: str, wanted: set[str]) -> list[Occurrence]:
    """Every place where `tree` (parsed from `text`) binds or reads one of its globals in `wanted`."""
    finder = _Finder(text.splitlines(), wanted)
    finder.visit(tree)
    return finder.found


def apply_renames(text: str, occurrences: list[Occurrence], renames: dict[str, str]) -> str:
    """`text` with the occurrences of renamed globals replaced (positions are 1-based lines, byte columns)."""
    lines = text.splitlines(keepends=True)
    by_line: dict[int, list[Occurrence]] = {}
    for occ in occurrences:
        if occ.name in renames:
            by_line.setdefault(occ.line, []).append(occ)
    for line_no, occs in by_line.items():
        raw = lines[line_no - 1].encode()
        for occ in sorted(occs, key=lambda o: o.col, reverse=True):
            if raw[occ.col : occ.end] != occ.name.encode():
                raise ValueError(f"line {line_no}: expected {occ.name!r} at column {occ.col}")
            raw = raw[: occ.col] + renames[occ.name].encode() + raw[occ.end :]
        lines[line_no - 1] = raw.decode()
    return "".join(lines)
