"""One editor buffer as the language server knows it: loaded with its imports, checked, and indexed.

The buffer's text (and those of other open files) replace the files on disk; imported files read from disk
are parsed once across edits (loader.Sources), and OpenAPI documents are cached by flowlang.openapi.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from flowlang import nodes
from flowlang.checker import check
from flowlang.diagnostics import Diagnostic
from flowlang.loader import Project, Sources, collector_paused, load_project
from flowlang.systems import SystemModel, build_systems
from flowlang.tools.lsp.index import FileIndex, Occurrence, import_targets, index_program


@dataclass
class Analysis:
    """The result of one check of a buffer: `parsed` is False when its own text has syntax errors."""

    path: str
    text: str
    project: Project
    diagnostics: list[Diagnostic]
    systems: dict[str, SystemModel]
    funcs: dict[str, tuple[nodes.Func, str]]
    flows: dict[str, tuple[nodes.Flow, str]]
    indexes: dict[str, FileIndex]
    parsed: bool
    memo: dict[Any, Any] = field(default_factory=dict)  # completion's per-analysis caches

    @property
    def program(self) -> nodes.Program | None:
        return self.project.programs.get(self.path)

    @property
    def index(self) -> FileIndex | None:
        return self.indexes.get(self.path)

    def definition_of(self, key: str) -> Occurrence | None:
        for index in self.indexes.values():
            for occ in index.occurrences:
                if occ.key == key and occ.definition:
                    return occ
        return None

    def references(self, key: str) -> list[Occurrence]:
        return [occ for index in self.indexes.values() for occ in index.occurrences if occ.key == key]


def analyze(path: str, text: str, sources: Sources) -> Analysis:
    """Load (the buffer's text for `path`), check and index a file, exactly as `flowlang check` would."""
    path = os.path.abspath(path)
    sources.texts[os.path.realpath(path)] = text
    with collector_paused():
        project = load_project(path, sources)
        diagnostics = check(project)
    systems, _ = build_systems(project.programs.values())
    funcs: dict[str, tuple[nodes.Func, str]] = {}
    flows: dict[str, tuple[nodes.Flow, str]] = {}
    for file, program in project.programs.items():
        for func in program.funcs:
            funcs.setdefault(func.name, (func, file))
        for flow in program.flows:
            flows.setdefault(flow.name, (flow, file))
    names = set(funcs)
    indexes = {file: index_program(program, names, import_targets(program))
               for file, program in project.programs.items()}
    return Analysis(path, text, project, diagnostics, systems, funcs, flows, indexes, path in project.programs)
