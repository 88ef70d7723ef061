"""The inliner: the shared runtime and the used stdlib builtins as source for one standalone module.

Runtime modules are copied whole: those the generated code names (the roots) and those they import at
module level, transitively; a module imported only inside a function (launcher's `from …http import
HttpClient`) is left out unless it is a root, and the name is bound to None (that function is called only
when the module is needed: for HTTP, a flow with systems, whose roots include http). Stdlib modules
contribute only the builtins a flow uses and the module-level helpers, constants and imports those
reference, transitively. `from flowlang…` imports are
dropped (everything ends up in one namespace), other imports are hoisted, merged and sorted. A global
name defined by two modules is renamed deterministically in the later one (`name__module`), with every
reference to it in that module.
"""

from __future__ import annotations

import ast
import functools
import sys
from dataclasses import dataclass, field
from pathlib import Path

import flowlang.runtime
import flowlang.stdlib
from flowlang.codegen.layout import LINE_LENGTH
from flowlang.codegen.scopes import Occurrence, apply_renames, global_occurrences

RUNTIME_PACKAGE = "flowlang.runtime"
# Imported on first use in a compiled module (`httpx = LazyModule("httpx")`): together ~45 ms of start-up
# that a flow without systems never needs. The runtime reads them only inside functions (checked here).
LAZY_MODULES = ("asyncio", "httpx", "ssl")
STDLIB_PACKAGE = "flowlang.stdlib"
_STDLIB_SKIP = ("__init__", "registry")


class InlineError(Exception):
    """The runtime or stdlib sources cannot be inlined (a collision or a construct the inliner refuses)."""


@dataclass
class Statement:
    """One top-level statement of a module: its line range, what it binds and what it reads."""

    first: int  # first line, decorators and the comments right above included (1-based)
    last: int
    binds: set[str]
    reads: set[str]
    eager: set[str]  # names read while the module loads (outside function bodies and annotations)
    builtin: str | None = None  # the flowlang name when this is an `@builtin("name")` function
    drop_lines: set[int] = field(default_factory=set)  # decorator lines of `@builtin`


@dataclass
class Module:
    """A runtime or stdlib module, parsed."""

    qualname: str  # flowlang.runtime.values
    path: Path
    text: str
    statements: list[Statement]
    flow_imports: dict[str, tuple[str, str]]  # local name -> (module qualname, name there)
    external: dict[str, str]  # local name -> the import line that binds it (`from typing import Any`)
    occurrences: list[Occurrence]
    whole: bool  # runtime modules are inlined whole
    lazy: set[str] = field(default_factory=set)  # local names imported from flowlang inside functions only

    @property
    def short(self) -> str:
        return self.qualname.rsplit(".", 1)[1]

    @property
    def display(self) -> str:
        package = "flowlang/runtime" if self.qualname.startswith(RUNTIME_PACKAGE) else "stdlib"
        return f"{package}/{self.path.name}"

    def defines(self) -> set[str]:
        return {n for s in self.statements for n in s.binds}


def _import_line(module: str | None, name: str, asname: str | None, level: int) -> str:
    alias = f" as {asname}" if asname and asname != name else ""
    if module is None and level == 0:
        return f"import {name}{alias}"
    return f"from {'.' * level}{module or ''} import {name}{alias}"


def _first_line(node: ast.stmt, lines: list[str]) -> int:
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    while first > 1 and lines[first - 2].lstrip().startswith("#"):
        first -= 1
    return first


def _builtin_name(decorator: ast.expr) -> str | None:
    if (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Name)
        and decorator.func.id == "builtin"
        and decorator.args
        and isinstance(decorator.args[0], ast.Constant)
        and isinstance(decorator.args[0].value, str)
    ):
        return decorator.args[0].value
    return None


def _statement_binds(node: ast.stmt) -> set[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {node.name}
    if isinstance(node, ast.Assign):
        return {n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    if isinstance(node, ast.AnnAssign | ast.AugAssign):
        return {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}
    return set()


def _eager_reads(node: ast.AST) -> set[str]:
    """The names a top-level statement reads when it runs: not in function bodies, nor in annotations
    (every runtime module has `from __future__ import annotations`)."""
    out: set[str] = set()

    def visit(n: ast.AST) -> None:
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            for d in getattr(n, "decorator_list", []):
                visit(d)
            for d in [*n.args.defaults, *n.args.kw_defaults]:
                if d is not None:
                    visit(d)
            return
        if isinstance(n, ast.AnnAssign):
            if n.value is not None:
                visit(n.value)
            return
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
            out.add(n.id)
        for child in ast.iter_child_nodes(n):
            visit(child)

    visit(node)
    return out


def _skip(node: ast.stmt) -> bool:
    """Module docstrings, `__all__` and `if __name__ == "__main__":` blocks are left out."""
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return True
    if _statement_binds(node) == {"__all__"}:
        return True
    return isinstance(node, ast.If) and "__name__" in ast.unparse(node.test)


def parse_module(qualname: str, path: Path, whole: bool) -> Module:
    text = path.read_text(encoding="utf-8")
    flow_imports: dict[str, tuple[str, str]] = {}
    text, tree = _flatten_local_imports(text, ast.parse(text, str(path)), path, flow_imports)
    lazy = set(flow_imports)
    lines = text.splitlines()
    statements: list[Statement] = []
    external: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            continue
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("flowlang"):
            for a in node.names:
                flow_imports[a.asname or a.name] = (node.module or "", a.name)
                lazy.discard(a.asname or a.name)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            if isinstance(node, ast.ImportFrom) and node.level:
                raise InlineError(f"{path}: relative imports cannot be inlined")
            for a in node.names:
                top = (a.name if isinstance(node, ast.Import) else node.module or "").split(".")[0]
                if top in LAZY_MODULES and (isinstance(node, ast.ImportFrom) or a.asname or "." in a.name):
                    raise InlineError(f"{path}:{node.lineno}: import {top} only as `import {top}` (it is lazy)")
                if isinstance(node, ast.Import):
                    if "." in a.name and not a.asname:
                        raise InlineError(f"{path}: `import {a.name}` cannot be inlined; use `from … import`")
                    external[a.asname or a.name] = _import_line(None, a.name, a.asname, 0)
                else:
                    external[a.asname or a.name] = _import_line(node.module, a.name, a.asname, 0)
            continue
        if _skip(node):
            continue
        reads = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        stmt = Statement(
            _first_line(node, lines), node.end_lineno or node.lineno, _statement_binds(node), reads, _eager_reads(node)
        )
        for d in getattr(node, "decorator_list", []):
            name = _builtin_name(d)
            if name is not None:
                stmt.builtin = name
                stmt.drop_lines.update(range(d.lineno, (d.end_lineno or d.lineno) + 1))
        statements.append(stmt)
    wanted = {n for s in statements for n in s.binds} | set(flow_imports)
    occurrences = global_occurrences(tree, text, wanted)
    return Module(qualname, path, text, statements, flow_imports, external, occurrences, whole, lazy)


def _flatten_local_imports(
    text: str, tree: ast.Module, path: Path, flow_imports: dict[str, tuple[str, str]]
) -> tuple[str, ast.Module]:
    """A `from flowlang… import X` inside a function (a lazy import) becomes `pass`: X is global."""
    lines = text.splitlines(keepends=True)
    changed = False
    alone: set[int] = set()  # lazy imports that are the only statement of their block
    for parent in ast.walk(tree):
        for attr in ("body", "orelse", "finalbody"):
            block = getattr(parent, attr, None)
            if isinstance(block, list) and len(block) == 1 and isinstance(block[0], ast.ImportFrom):
                alone.add(id(block[0]))
    for node in ast.walk(tree):
        if not (isinstance(node, ast.ImportFrom) and (node.module or "").startswith("flowlang")):
            continue
        if node.col_offset == 0:
            continue
        if node.lineno != node.end_lineno or any(a.asname for a in node.names):
            raise InlineError(f"{path}:{node.lineno}: write lazy flowlang imports on one line, without `as`")
        for a in node.names:
            flow_imports.setdefault(a.name, (node.module or "", a.name))
        line = lines[node.lineno - 1]
        indent = line[: len(line) - len(line.lstrip())]
        lines[node.lineno - 1] = f"{indent}pass\n" if id(node) in alone else ""
        changed = True
    if not changed:
        return text, tree
    text = "".join(lines)
    return text, ast.parse(text, str(path))


def _package_modules(package: str, directory: Path, skip: tuple[str, ...], whole: bool) -> list[Module]:
    return [
        parse_module(f"{package}.{p.stem}", p, whole)
        for p in sorted(directory.glob("*.py"))
        if p.stem not in skip and p.stem != "__init__"
    ]


@functools.cache
def all_modules() -> tuple[Module, ...]:
    """Every runtime and stdlib module, in dependency order (a module after those it imports from)."""
    runtime_dir = Path(flowlang.runtime.__file__).parent
    stdlib_dir = Path(flowlang.stdlib.__file__).parent
    modules = _package_modules(RUNTIME_PACKAGE, runtime_dir, (), True)
    modules += _package_modules(STDLIB_PACKAGE, stdlib_dir, _STDLIB_SKIP, False)
    by_name = {m.qualname: m for m in modules}
    ordered: list[Module] = []
    visiting: set[str] = set()

    def visit(m: Module) -> None:
        if m in ordered:
            return
        if m.qualname in visiting:
            raise InlineError(f"import cycle through {m.qualname}")
        visiting.add(m.qualname)
        for source, _ in sorted(m.flow_imports.values()):
            dep = by_name.get(source)
            if dep is not None:
                visit(dep)
            elif source != f"{STDLIB_PACKAGE}.registry":
                raise InlineError(f"{m.path}: imports {source}, which is neither runtime nor stdlib")
        visiting.discard(m.qualname)
        ordered.append(m)

    for m in modules:
        visit(m)
    return tuple(ordered)


@functools.cache
def builtin_index() -> dict[str, tuple[str, str]]:
    """flowlang builtin name -> (stdlib module qualname, Python function name)."""
    index: dict[str, tuple[str, str]] = {}
    for m in all_modules():
        for s in m.statements:
            if s.builtin is not None:
                (fn,) = s.binds
                index[s.builtin] = (m.qualname, fn)
    return index


@dataclass
class Inlined:
    """What the template needs: sorted import lines, the code chunks, and the global names."""

    future: bool
    import_lines: set[str]
    lazy: list[str]  # LAZY_MODULES the runtime uses: bound to a LazyModule, imported on first use
    chunks: list[tuple[str, str]]  # (display path, source text)
    globals: dict[tuple[str, str], str]  # (module qualname, name) -> global name in the output
    builtins: dict[str, str]  # flowlang builtin -> global Python name

    def name(self, module: str, name: str) -> str:
        """The global name of `module.name` (e.g. ("values", "add")) in the generated module."""
        qual = module if module.startswith("flowlang.") else f"{RUNTIME_PACKAGE}.{module}"
        try:
            return self.globals[(qual, name)]
        except KeyError:
            raise InlineError(f"the runtime has no {qual}.{name}") from None


def _choose(
    module: Module, builtins: set[str], names: set[str], root: bool = True
) -> tuple[list[Statement], set[tuple[str, str]]]:
    """The statements of `module` needed for `builtins` and `names`, transitively, in source order;
    and the (module, name) pairs they import from other flowlang modules at module level."""
    if module.whole:
        chosen = list(module.statements) if root or names else []
    else:
        binders = {n: s for s in module.statements for n in s.binds}
        todo = [s for s in module.statements if s.builtin in builtins]
        todo += [binders[n] for n in sorted(names) if n in binders]
        seen: set[int] = set()
        chosen = []
        while todo:
            s = todo.pop()
            if id(s) in seen:
                continue
            seen.add(id(s))
            chosen.append(s)
            todo.extend(binders[n] for n in sorted(s.reads) if n in binders)
        chosen.sort(key=lambda s: s.first)
    reads = {n for s in chosen for n in s.reads}
    needs = {module.flow_imports[n] for n in reads if n in module.flow_imports and n not in module.lazy}
    return chosen, needs


def inline(used_builtins: set[str], reserved: set[str], roots: set[str] | None = None) -> Inlined:
    """Inline the runtime and the builtins `used_builtins`; `reserved` names belong to generated code.

    `roots`: the runtime modules (short names: "launcher") the generated code names; None: all of them."""
    modules = all_modules()
    index = builtin_index()
    unknown = sorted(used_builtins - set(index))
    if unknown:
        raise InlineError(f"unknown builtins: {', '.join(unknown)}")
    builtins: dict[str, set[str]] = {m.qualname: set() for m in modules}
    for name in used_builtins:
        builtins[index[name][0]].add(name)
    names: dict[str, set[str]] = {m.qualname: set() for m in modules}  # what other modules import
    selections: dict[str, list[Statement]] = {}
    for m in reversed(modules):  # importers come after what they import: visit them first
        root = roots is None or not m.qualname.startswith(RUNTIME_PACKAGE) or m.short in roots
        chosen, needs = _choose(m, builtins[m.qualname], names[m.qualname], root)
        selections[m.qualname] = chosen
        for qual, name in needs:
            if qual in names:
                names[qual].add(name)
    return _assemble(modules, selections, used_builtins, reserved, index)


def _assemble(
    modules: tuple[Module, ...],
    selections: dict[str, list[Statement]],
    used_builtins: set[str],
    reserved: set[str],
    index: dict[str, tuple[str, str]],
) -> Inlined:
    owner: dict[str, str] = {}  # global name -> module that defines it
    externals: dict[str, str] = {}  # global name -> import line
    globals_: dict[tuple[str, str], str] = {}
    chunks: list[tuple[str, str]] = []
    left_out: dict[str, str] = {}  # a lazily imported name whose module is not inlined -> that module
    for m in modules:
        chosen = selections[m.qualname]
        if not chosen:
            continue
        reads = {n for s in chosen for n in s.reads}
        renames: dict[str, str] = {}
        for name in sorted(m.defines() & {n for s in chosen for n in s.binds}):
            target = name
            if name in owner or name in externals or name in reserved:
                target = f"{name}__{m.short}"
                if target in owner or target in reserved:
                    raise InlineError(f"cannot rename {m.qualname}.{name}: {target} is taken too")
            owner[target] = m.qualname
            globals_[(m.qualname, name)] = target
            if target != name:
                renames[name] = target
        for local, (source, name) in m.flow_imports.items():
            if local in reads and (source, name) in globals_:
                target = globals_[(source, name)]
                if target != local:
                    renames[local] = target
            elif local in reads and local in m.lazy:
                if local in owner or local in reserved or local in externals or local in left_out:
                    raise InlineError(f"{m.display}: '{local}' of {source} is left out and collides")
                left_out[local] = source
            elif local in reads and source != f"{STDLIB_PACKAGE}.registry":
                raise InlineError(f"{m.display}: {source}.{name} is not inlined")
        for local, line in m.external.items():
            if local not in reads:
                continue
            if local in LAZY_MODULES:
                early = [s.first for s in chosen if local in s.eager]
                if early:
                    raise InlineError(f"{m.display}:{early[0]}: reads {local} as the module loads; it is imported "
                                      "on first use in compiled modules: use it inside functions only")
            if local in owner or local in reserved or externals.get(local, line) != line:
                raise InlineError(f"{m.display}: the import `{line}` collides with another global '{local}'")
            externals[local] = line
        chunks.append((m.display, _extract(m, chosen, renames)))
    if left_out:
        chunks.append(("left out", "\n".join(
            f"{local} = None  # {source} is not inlined: nothing this flow does reaches it"
            for local, source in sorted(left_out.items()))))
    builtins = {name: globals_[index[name]] for name in sorted(used_builtins)}
    lazy = sorted(n for n in externals if n in LAZY_MODULES)
    imports = {line for n, line in externals.items() if n not in LAZY_MODULES}
    return Inlined(True, imports, lazy, chunks, globals_, builtins)


def _extract(module: Module, chosen: list[Statement], renames: dict[str, str]) -> str:
    text = apply_renames(module.text, module.occurrences, renames) if renames else module.text
    lines = text.splitlines()
    out: list[str] = []
    if module.whole:
        keep: set[int] = set()
        for s in chosen:
            keep.update(range(s.first, s.last + 1))
        # Section comments between statements are kept too, for whole modules.
        first = min(s.first for s in chosen)
        for i in range(first, len(lines) + 1):
            stripped = lines[i - 1].strip()
            if i in keep or stripped.startswith("#") or not stripped:
                out.append(lines[i - 1])
    else:
        for s in chosen:
            if out:
                out.extend(["", ""])
            out.extend(lines[i - 1] for i in range(s.first, s.last + 1) if i not in s.drop_lines)
    return _squeeze_blank_lines("\n".join(out)).strip("\n")


def _squeeze_blank_lines(text: str) -> str:
    while "\n\n\n\n" in text:
        text = text.replace("\n\n\n\n", "\n\n\n")
    return text


def sorted_imports(lines: set[str]) -> list[str]:
    """isort order: standard library then third party; `import x` before `from x import …`; merged."""
    plain: set[str] = set()
    froms: dict[str, set[str]] = {}
    for line in lines:
        if line.startswith("import "):
            plain.add(line[len("import ") :])
        else:
            module, _, name = line[len("from ") :].partition(" import ")
            froms.setdefault(module, set()).add(name)

    def section(module: str) -> int:
        return 0 if module.split(".")[0] in sys.stdlib_module_names else 1

    out: list[str] = []
    for sec in (0, 1):
        block = [f"import {p}" for p in sorted(plain, key=str.lower) if section(p) == sec]
        for module in sorted(froms, key=str.lower):
            if section(module) == sec:
                imported = sorted(froms[module], key=_isort_key)
                line = f"from {module} import {', '.join(imported)}"
                if len(line) > LINE_LENGTH:
                    line = f"from {module} import (\n" + "".join(f"    {n},\n" for n in imported) + ")"
                block.append(line)
        if block and out:
            out.append("")
        out.extend(block)
    return out


def _isort_key(name: str) -> tuple[bool, bool, str]:
    """Constants, then classes, then the rest (ruff's order-by-type), each case-insensitively."""
    return (not name.isupper(), not name[:1].isupper(), name.lower())
