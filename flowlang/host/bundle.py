"""A flow's source and the project's shared files, laid out in a private temporary directory so the
loader, checker and interpreter read them exactly as `flowlang check` and `flowlang run` read files.

`check_bundle` is Save & Merge's check; `materialized` is what a run executes from. Diagnostics name
files by their path in the project (`orders.flow:3:5`), never by the temporary directory.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flowlang import nodes
from flowlang.checker import check
from flowlang.diagnostics import Diagnostic
from flowlang.host.publish_warnings import Facts, facts
from flowlang.loader import Project, load_project

PATH = re.compile(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*")
FILE_SUFFIXES = (".flow", ".yaml", ".yml", ".json")


def path_problem(path: str) -> str | None:
    """Why `path` cannot name a shared file, or None."""
    if not PATH.fullmatch(path) or any(part in (".", "..") for part in path.split("/")):
        return "must be a relative path of letters, digits, '.', '-', '_' and '/' (no '..')"
    if len(path) > 200:
        return "must be at most 200 characters long"
    if not path.endswith(FILE_SUFFIXES):
        return f"must end in one of {', '.join(FILE_SUFFIXES)}"
    return None


def root_name(slug: str) -> str:
    return f"{slug}.flow"


@dataclass(frozen=True)
class Checked:
    """The check of a bundle: its diagnostics (as dicts, project paths) and the shared files it uses."""

    diagnostics: list[dict[str, Any]]
    used: dict[str, str]  # shared files the flow reads (imports, spec documents): path -> text
    flows: int  # how many flows the root file declares
    facts: Facts = field(default_factory=Facts)  # what the host's own publish warnings need (publish_warnings.py)

    @property
    def errors(self) -> list[dict[str, Any]]:
        return [d for d in self.diagnostics if d["severity"] == "error"]


@contextmanager
def materialized(root: str, source: str, files: dict[str, str]) -> Iterator[str]:
    """The path of `root` (holding `source`) in a 0700 temporary directory that also holds `files`."""
    with tempfile.TemporaryDirectory(prefix="flowlang-host-") as directory:
        for path, text in {**files, root: source}.items():
            target = os.path.join(directory, path)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w", encoding="utf-8") as handle:
                handle.write(text)
        yield os.path.join(directory, root)


def _relative(diag: Diagnostic, directory: str) -> dict[str, Any]:
    out = diag.to_dict()
    file = str(out["file"])
    if file.startswith(directory + os.sep):
        out["file"] = file[len(directory) + 1 :]
    for key in ("message", "hint"):
        if out[key]:
            out[key] = str(out[key]).replace(directory + os.sep, "")
    return out


def _literal(value: nodes.Node) -> str | None:
    if isinstance(value, nodes.String) and all(isinstance(p, str) for p in value.parts):
        return "".join(str(p) for p in value.parts)
    return None


def _referenced_paths(project: Project) -> list[str]:
    """Files the project names in settings: systems' `spec:` documents and flows' `source:` samples,
    as paths relative to the project root."""
    found = []
    for display, program in project.programs.items():
        settings = [s for sy in program.systems for s in sy.settings if s.key == "spec"]
        settings += [s for fl in program.flows for s in fl.settings if s.key == "source"]
        for setting in settings:
            text = _literal(setting.value)
            if text is not None:
                found.append(os.path.normpath(os.path.join(os.path.dirname(display), text)))
    return found


def check_bundle(root: str, source: str, files: dict[str, str]) -> Checked:
    """Load and check `source` as the file `root` of a project holding `files`, as `flowlang check` would."""
    with materialized(root, source, files) as path:
        directory = os.path.dirname(path)
        project = load_project(path)
        diagnostics = [_relative(d, directory) for d in check(project)]
        loaded = [os.path.relpath(p, directory) for p in project.sources if p != project.root]
        program = project.programs.get(project.root)
        count = len(program.flows) if program is not None else 0
        specs = [os.path.relpath(p, directory) for p in _referenced_paths(project)]
        found = facts(project).relative(directory)
    used = {p: files[p] for p in sorted({*loaded, *specs}) if p in files}
    return Checked(diagnostics, used, count, found)


def one_flow(checked: Checked, root: str) -> dict[str, Any] | None:
    """A diagnostic when the root file does not declare exactly one flow (a host flow runs one)."""
    if checked.flows == 1 or checked.errors:
        return None
    found = "no flow" if checked.flows == 0 else f"{checked.flows} flows"
    return {"file": root, "line": 1, "column": 1, "end_line": 1, "end_column": 2, "severity": "error",
            "code": "H001", "message": f"the source declares {found}; a host flow's source declares "
            "exactly one `flow NAME { … }`", "hint": "move the other flows into flows of their own"}
