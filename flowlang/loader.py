"""Reads a `.flow` file and its imports into a Project, turning I/O and import problems into diagnostics."""

from __future__ import annotations

import gc
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager

from flowlang import nodes
from flowlang.diagnostics import ERROR, Diagnostic, FlowSyntaxError, Span

BOM = "\ufeff"
MAX_SOURCE_BYTES = 64 << 20  # a .flow file larger than this is surely something else
NOT_FLOW_HINT = "give the path of a .flow file, or of a directory of them"

# code -> (severity, one-line meaning); merged into the checker's code table.
LOADER_CODES: dict[str, tuple[str, str]] = {
    "E010": (ERROR, "file not found"),
    "E011": (ERROR, "file cannot be read"),
    "E012": (ERROR, "file is not valid UTF-8"),
    "E013": (ERROR, "a directory was given where a .flow file was expected"),
    "E014": (ERROR, "file contains a NUL byte"),
    "E015": (ERROR, "imported file not found"),
    "E016": (ERROR, "import cycle"),
    "E017": (ERROR, "no .flow files in a directory"),
    "E018": (ERROR, "file or imports nested too deeply to load"),
}


class Project:
    """A root file and everything it imports: parsed programs and source texts by display name.

    Here and below plain classes, not dataclasses: each of those costs ~1.7 M instructions of start-up."""

    def __init__(self, root: str, programs: dict[str, nodes.Program] | None = None,
                 sources: dict[str, str] | None = None, diagnostics: list[Diagnostic] | None = None,
                 imports: dict[str, list[str]] | None = None) -> None:
        self.root = root
        self.programs: dict[str, nodes.Program] = {} if programs is None else programs  # imports first
        self.sources: dict[str, str] = {} if sources is None else sources
        self.diagnostics: list[Diagnostic] = [] if diagnostics is None else diagnostics
        self.imports: dict[str, list[str]] = {} if imports is None else imports  # file -> names it imports


def _error(code: str, message: str, span: Span, hint: str | None = None) -> Diagnostic:
    return Diagnostic(code, ERROR, message, span, hint)


def _file_span(file: str, line: int = 1, column: int = 1) -> Span:
    return Span(file, line, column, line, column + 1)


def _position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and character column of a byte offset (decoding what precedes it on its line)."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    line = data.count(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    return line, column


class SourceRefused(OSError):
    """A path that is not worth reading as a .flow file: not a regular file, or far too large."""

    def __init__(self, reason: str, hint: str | None = None) -> None:
        super().__init__(reason)
        self.strerror, self.hint = reason, hint


_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def read_limited(path: str) -> bytes:
    """The bytes of a regular file of at most MAX_SOURCE_BYTES; SourceRefused for anything else.

    The file is opened without blocking and checked before it is read: a FIFO would wait for a writer
    forever, and /dev/zero or a terminal never end.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(fd).st_mode
        kind = next((name for test, name in _KINDS if test(mode)), None)
        if kind is not None or not stat.S_ISREG(mode):
            what = f"it is {kind}, not a regular file" if kind else "it is not a regular file"
            raise SourceRefused(what, "give the path of a .flow file")
        data = handle.read(MAX_SOURCE_BYTES + 1)  # a log file must not eat all memory
    if len(data) > MAX_SOURCE_BYTES:
        raise SourceRefused(f"larger than {MAX_SOURCE_BYTES >> 20} MiB", "is it really a .flow file?")
    return data


def read_source(path: str, display: str, at: Span | None = None) -> tuple[str | None, Diagnostic | None]:
    """The text of a .flow file (BOM stripped, line endings normalised to \\n), or a diagnostic.

    Problems opening the file are reported at `at` (an import string) when given, else at the file itself.
    """
    where = at or _file_span(display)
    if os.path.isdir(path):
        return None, _error("E013", f"'{display}' is a directory, not a .flow file", where)
    try:
        data = read_limited(path)
    except FileNotFoundError:
        code = "E015" if at else "E010"
        what = "imported file" if at else "file"
        return None, _error(code, f"{what} '{display}' not found", where)
    except SourceRefused as exc:
        return None, _error("E011", f"cannot read '{display}': {exc.strerror}", where, exc.hint)
    except OSError as exc:
        return None, _error("E011", f"cannot read '{display}': {exc.strerror or exc}", where)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    # A file not named *.flow that is not even text was surely given by mistake (`flowlang check /bin/ls`).
    other = not display.endswith(".flow")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _position(data, exc.start)
        what = f"byte 0x{data[exc.start]:02x} at offset {exc.start}"
        if other:
            return None, _error("E012", f"'{display}' is not a .flow file (not UTF-8 text: {what})",
                                _file_span(display, line, column), NOT_FLOW_HINT)
        return None, _error("E012", f"'{display}' is not valid UTF-8 ({what})", _file_span(display, line, column),
                            "save the file as UTF-8")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        column = nul - (text.rfind("\n", 0, nul) + 1) + 1
        span = _file_span(display, line, column)
        problem = (_error("E014", f"'{display}' is not a .flow file (it contains a NUL byte)", span, NOT_FLOW_HINT)
                   if other else _error("E014", f"'{display}' contains a NUL byte", span))
        return text.replace("\x00", "\u2400"), problem  # shown as ␀ when the line is rendered
    return text, None


class Sources:
    """What an editor knows better than the disk: unsaved texts by real path, and the files it parsed before.

    With `cache`, `parsed` maps (display name, text) of files read from disk to their programs, so that
    imports are parsed once across edits.
    """

    def __init__(self, texts: dict[str, str] | None = None, cache: bool = False,
                 parsed: dict[tuple[str, str], nodes.Program] | None = None) -> None:
        self.texts: dict[str, str] = {} if texts is None else texts
        self.cache = cache
        self.parsed: dict[tuple[str, str], nodes.Program] = {} if parsed is None else parsed


class _Loader:
    """Depth-first loading of imports; `stack` holds the chain of files being loaded, for cycles."""

    def __init__(self, project: Project, sources: Sources | None = None) -> None:
        self.project = project
        self.sources = sources or Sources()
        self.seen: dict[str, str] = {}  # real path -> display name
        self.stack: list[str] = []  # real paths of files being loaded

    def load(self, path: str, display: str, at: Span | None) -> None:
        real = os.path.realpath(path)
        if real in self.stack:
            chain = [self.seen[p] for p in self.stack[self.stack.index(real) :]] + [self.seen[real]]
            assert at is not None
            self.project.diagnostics.append(_error("E016", "import cycle: " + " -> ".join(chain), at))
            return
        if real in self.seen:
            return
        self.seen[real] = display
        text: str | None = self.sources.texts.get(real)
        problem: Diagnostic | None = None
        if text is None:
            text, problem = read_source(path, display, at)
        if text is not None:
            self.project.sources[display] = text
        if problem is not None:
            self.project.diagnostics.append(problem)
            return
        assert text is not None
        program = self._parse(text, display, cache=real not in self.sources.texts)
        if program is None:
            return
        self.stack.append(real)
        base = os.path.dirname(path)
        imported: list[str] = []
        for imp in program.imports:
            target = os.path.normpath(os.path.join(base, imp.path))
            target_display = os.path.normpath(os.path.join(os.path.dirname(display), imp.path))
            imported.append(self.seen.get(os.path.realpath(target), target_display))
            self.load(target, target_display, imp.path_span)
        self.stack.pop()
        self.project.imports[display] = imported
        self.project.programs[display] = program

    def _parse(self, text: str, display: str, cache: bool = False) -> nodes.Program | None:
        from flowlang.syntax.parser import parse

        parsed = self.sources.parsed if self.sources.cache and cache else None
        if parsed is not None and (display, text) in parsed:
            return parsed[display, text]
        try:
            with collector_paused():
                program = parse(text, display)
            if parsed is not None:
                if len(parsed) >= 256:
                    parsed.clear()
                parsed[display, text] = program
            return program
        except FlowSyntaxError as exc:
            self.project.diagnostics.extend(exc.diagnostics)
            return None
        except RecursionError:
            self.project.diagnostics.append(
                _error("E018", "file is nested too deeply to parse", _file_span(display))
            )
            return None


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic GC while parsing (or, in `flowlang check`, while loading and checking): the AST's many
    surviving objects made each full collection rescan them all, so time per line grew with the file
    (2x from 5,000 to 50,000 lines). Parsing and checking free their garbage by reference counting."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_project(path: str, sources: Sources | None = None) -> Project:
    """Read `path` and, recursively, the files it imports (relative to the importing file).

    `sources` (the language server's) gives texts of files open in an editor, and a cache of parsed files.
    """
    display = os.path.normpath(path)
    project = Project(root=display)
    try:
        _Loader(project, sources).load(path, display, None)
    except RecursionError:  # a chain of imports thousands of files long
        project.diagnostics.append(_error("E018", "imports are nested too deeply", _file_span(display)))
    return project


def find_flow_files(directory: str) -> list[str]:
    """Every *.flow file below `directory`, sorted."""
    found: list[str] = []
    for base, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(os.path.join(base, f) for f in files if f.endswith(".flow"))
    return sorted(os.path.normpath(f) for f in found)


def load_paths(paths: list[str]) -> list[Project]:
    """One Project per file given, and per *.flow file found (recursively, sorted) in each directory given."""
    projects: list[Project] = []
    for path in paths:
        if os.path.isdir(path):
            files = find_flow_files(path)
            if not files:
                display = os.path.normpath(path)
                project = Project(root=display)
                project.diagnostics.append(
                    _error("E017", f"no .flow files in directory '{display}'", _file_span(display))
                )
                projects.append(project)
            projects.extend(load_project(f) for f in files)
        else:
            projects.append(load_project(path))
    return projects
