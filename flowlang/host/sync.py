"""`flowlang push` and `flowlang pull`: a local folder of flows and shared files kept in step with a
project on a running host, over its HTTP API (never its database).

A *flow file* is a `.flow` file that declares exactly one flow; its slug is its `slug:` setting, else
its file stem dashed (`order_webhook.flow` -> `order-webhook`). The shared files it uses (imports,
`spec:` documents, its `source:` sample) are the ones the host's checker finds, sent by their path
relative to the folder. Push makes each flow's draft the local text (creating the flow when its slug
is new), `--publish` then saves and merges it; pull writes the drafts (or, without one, the published
source) and their shared files back. Credentials are never read, sent or written by either.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import httpx

from flowlang.diagnostics import Diagnostic, Span, render_text
from flowlang.host.bundle import FILE_SUFFIXES, check_bundle, path_problem
from flowlang.host.flowmeta import describe, slug_from_name
from flowlang.host.remote import HostClient, HostError, diagnostic_text
from flowlang.host.syncstate import Seen, SyncState, flow_digest, text_digest

SKIPPED_DIRS = {".git", ".flowlang", ".venv", "node_modules", "__pycache__"}


class SyncError(HostError):
    """Something the user must fix (a bad token, an unreachable host, a flow that does not check)."""


@dataclass(frozen=True)
class LocalFlow:
    path: str  # the file, relative to the folder
    slug: str
    name: str
    description: str
    source: str
    sample: Any
    files: dict[str, str]  # shared files it uses: path -> text
    folder: str = "."  # the folder `path` is relative to (where its sync record is kept)


@dataclass
class Report:
    """What a push or pull did, one line per flow or file, for the command to print."""

    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # printed after the lines; push still exits 0
    problems: list[str] = field(default_factory=list)


def folder_files(folder: str) -> dict[str, str]:
    """Every file of `folder` a flow may use (.flow, .yaml, .yml, .json), by relative path."""
    found: dict[str, str] = {}
    for top, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("."))
        for name in sorted(names):
            if name.endswith(FILE_SUFFIXES):
                full = os.path.join(top, name)
                relative = os.path.relpath(full, folder).replace(os.sep, "/")
                try:
                    with open(full, encoding="utf-8") as handle:
                        found[relative] = handle.read()
                except (OSError, UnicodeDecodeError):
                    continue
    return found


def local_flows(folder: str, only: list[str] | None = None) -> list[LocalFlow]:
    """The flow files at the top of `folder` (or the files `only` names), with what each uses."""
    from flowlang.host.bundle import materialized
    from flowlang.loader import load_project

    files = folder_files(folder)
    candidates = only if only is not None else [p for p in files if p.endswith(".flow") and "/" not in p]
    flows: list[LocalFlow] = []
    for path in candidates:
        if "/" in path:
            raise SyncError(f"{path}: a pushed flow must be at the top of the folder (its imports are "
                            "relative to it, and the host keeps a flow at its project's top)")
        if path not in files:
            raise SyncError(f"{path}: not a readable .flow file")
        source = files[path]
        others = {p: t for p, t in files.items() if p != path}
        with materialized(path, source, others) as root:
            project = load_project(root)
            meta = describe(project)
            broken = [d for d in project.diagnostics if d.is_error]
            if broken:  # a file that does not even load is never skipped as "not a flow"
                raise SyncError(_load_error(broken[0], root, path, source))
        if meta is None:
            if only is not None:
                raise SyncError(f"{path}: declares no flow or several (a pushed file declares exactly one)")
            continue  # systems.flow and other shared files
        used = check_bundle(path, source, others).used
        for shared in used:
            problem = path_problem(shared)
            if problem:
                raise SyncError(f"{path}: uses {shared!r}, whose path {problem}")
        flows.append(LocalFlow(path, meta.slug or slug_from_name(path.removesuffix(".flow")), meta.name,
                               meta.description, source, _sample(files, used, path, source), used, folder))
    slugs = [f.slug for f in flows]
    for slug in sorted({s for s in slugs if slugs.count(s) > 1}):
        clash = ", ".join(f.path for f in flows if f.slug == slug)
        raise SyncError(f"{clash}: these files have one slug, {slug!r}")
    return flows


def _load_error(diag: Diagnostic, root: str, path: str, source: str) -> str:
    """The first load error against the local file, with its source line (a file is read where it loaded)."""
    span = diag.span
    where = os.path.relpath(span.file, os.path.dirname(root)) if os.path.isabs(span.file) else path
    text = source if where == path else None
    if text is None and os.path.isabs(span.file):
        try:
            with open(span.file, encoding="utf-8") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError):
            text = None
    shown = Span(where, span.line, span.column, span.end_line, span.end_column)
    return render_text(replace(diag, span=shown), text)


def _sample(files: dict[str, str], used: dict[str, str], path: str, source: str) -> Any:
    """The flow's sample payload: samples/<stem>.json, or the JSON file its `source:` names."""
    stem = path.removesuffix(".flow")
    for candidate in [f"samples/{stem}.json", *[p for p in used if p.endswith(".json")]]:
        if candidate in files:
            try:
                return json.loads(files[candidate])
            except ValueError:
                return None
    return None


class Remote(HostClient):
    """The host's API for one project (the one client's requests and errors, see host/remote.py)."""

    def __init__(self, url: str, project: str, token: str | None, *, transport: Any = None) -> None:
        super().__init__(url, token, timeout=60, transport=transport)
        self.project = project

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.send(method, path, **kwargs)

    def check_project(self) -> None:
        slug = self.get("/v2/project")["data"]["slug"]
        if slug != self.project:
            raise SyncError(f"the token belongs to project {slug!r}, not {self.project!r}")

    def flows(self) -> Iterator[dict[str, Any]]:
        return self.items("/v2/flows")


def _errors(response: httpx.Response) -> list[dict[str, Any]]:
    try:
        errors = response.json().get("errors", [])
        return [e for e in errors if isinstance(e, dict)]
    except (ValueError, AttributeError):
        return []


@dataclass
class _Step:
    """What push does to one flow: create, update or leave it, once every conflict is known."""

    flow: LocalFlow
    there: dict[str, Any] | None
    fields: dict[str, Any]
    action: str  # "create", "update", "unchanged"


def _published_source(remote: Remote, there: dict[str, Any]) -> str | None:
    if there["meta"].get("published_version") is None:
        return None
    found = remote.call("GET", f"/v2/flows/{there['id']}/versions", params={"page[limit]": 1})
    data = found.json().get("data") if found.status_code == 200 else None
    return str(data[0]["source"]) if data else None


def _flow_conflict(remote: Remote, there: dict[str, Any], seen: Seen | None, local_source: str) -> str | None:
    """Why the host's flow may not be replaced (someone changed it there), or None.

    With a record of this folder's last push or pull, any change of the fields push manages since then is
    one. Without one, only the draft source is known to be at risk: it is safe to replace when the host
    has none, the same text, or the text of its published version (which keeps it).
    """
    revision, stamp = there["meta"]["revision"], there["meta"]["timestamps"]["updated_at"]
    if seen is not None and seen.id == there["id"]:
        if seen.revision == revision or seen.digest == flow_digest(there):
            return None
        return (f"it changed on the host since this folder last pushed or pulled it (revision {seen.revision}, "
                f"now {revision}, updated {stamp})")
    draft = there.get("source")
    if not draft or draft == local_source or draft == _published_source(remote, there):
        return None
    return (f"the host has an unpublished draft of it (revision {revision}, updated {stamp}) that this folder "
            "never pushed or pulled")


def _file_conflict(host_text: str, seen: list[str]) -> bool:
    """A shared file changed on the host since a folder that uses it last synced it."""
    return bool(seen) and text_digest(host_text) not in seen


def push(remote: Remote, flows: list[LocalFlow], *, publish: bool, force: bool = False) -> Report:
    """Make each flow's draft (and the shared files it uses) the local text; publish when asked.

    Nothing is written when a draft or a shared file changed on the host since the folder's last push or
    pull (see syncstate.py) — every such conflict is reported — unless `force`. Each update is sent with
    `If-Match`, so a change made on the host while push runs is refused too (412) instead of lost.
    """
    report = Report()
    remote.check_project()
    states = {folder: SyncState.load(folder, remote.url, remote.project) for folder in {f.folder for f in flows}}
    existing = {f["slug"]: f for f in remote.flows()}
    shared = sorted({p: t for f in flows for p, t in f.files.items()}.items())
    users = {p: sorted({f.folder for f in flows if p in f.files}) for p, _ in shared}
    conflicts: list[str] = []
    stale: set[str] = set()  # slugs to pull: flows that changed on the host or use a file that did
    to_write: list[tuple[str, str]] = []
    for shared_path, text in shared:
        current = remote.call("GET", f"/v2/files/{shared_path}")
        host_text = current.json()["data"]["content"] if current.status_code == 200 else None
        if host_text == text:
            for folder in users[shared_path]:
                states[folder].files[shared_path] = text_digest(text)
            continue
        seen = [d for folder in users[shared_path] if (d := states[folder].files.get(shared_path))]
        if host_text is not None and not force and _file_conflict(host_text, seen):
            conflicts.append(f"{shared_path}: NOT pushed: the shared file changed on the host since this folder "
                             "last pushed or pulled it")
            stale.update(f.slug for f in flows if shared_path in f.files)
        to_write.append((shared_path, text))
    steps: list[_Step] = []
    for flow in flows:
        fields = {"name": flow.name, "description": flow.description, "source": flow.source,
                  "sample": flow.sample}
        there = existing.get(flow.slug)
        if there is None:
            steps.append(_Step(flow, None, fields, "create"))
        elif all(there.get(k) == v for k, v in fields.items()):
            steps.append(_Step(flow, there, fields, "unchanged"))
        else:
            why = None if force else _flow_conflict(remote, there, states[flow.folder].flows.get(flow.slug),
                                                    flow.source)
            if why is not None:
                conflicts.append(f"{flow.path}: flow {flow.slug} NOT pushed: {why}")
                stale.add(flow.slug)
            steps.append(_Step(flow, there, fields, "update"))
    if conflicts:
        folders = " ".join(sorted({_shown(f.folder) for f in flows if f.slug in stale}))
        wanted = " ".join(f"--flow {slug}" for slug in sorted(stale))
        report.problems.extend(conflicts)
        report.problems.append(f"  hint: nothing was pushed. Commit your change, then `flowlang pull {folders} "
                               f"{wanted}` writes the host's version over it for you to merge (git diff), and push "
                               "again; or push --force to overwrite the host's")
        return report
    try:
        for shared_path, text in to_write:
            stored = remote.call("PUT", f"/v2/files/{shared_path}", json={"data": {"type": "file", "content": text}})
            if stored.status_code not in (200, 201):
                raise SyncError(f"{shared_path}: {remote.problem(stored)}")
            for folder in users[shared_path]:
                states[folder].files[shared_path] = text_digest(text)
            report.lines.append(f"{shared_path}: {'created' if stored.status_code == 201 else 'updated'} shared file")
        for step in steps:
            _push_flow(remote, step, states[step.flow.folder], report, publish=publish, force=force)
    finally:
        for state in states.values():
            problem = state.save()
            if problem:
                report.warnings.append(f"warning: {problem} (the next push cannot tell what changed on the host)")
    return report


def _shown(folder: str) -> str:
    relative = os.path.relpath(folder)
    return folder if relative.startswith("..") else relative


def _push_flow(remote: Remote, step: _Step, state: SyncState, report: Report, *, publish: bool,
               force: bool) -> None:
    flow, there = step.flow, step.there
    sent: httpx.Response | None = None
    if step.action == "create":
        sent = remote.call("POST", "/v2/flows", json={"data": {"type": "flow", "slug": flow.slug, **step.fields}})
        what = "created (draft)"
    elif step.action == "unchanged":
        what = "unchanged"
    else:
        assert there is not None
        guard = {} if force else {"If-Match": f'"{there["meta"]["revision"]}"'}
        sent = remote.call("PUT", f"/v2/flows/{there['id']}", json={"data": {"type": "flow", **step.fields}},
                           headers=guard)
        what = "draft updated" + (" (--force)" if force else "")
    if sent is not None and sent.status_code == 412:
        report.problems.append(f"{flow.path}: flow {flow.slug} NOT pushed: it changed on the host while push ran "
                               "(412); push again (or pull it first)")
        return
    if sent is not None and sent.status_code not in (200, 201):
        report.problems.append(f"{flow.path}: {remote.problem(sent)}")
        return
    data = sent.json()["data"] if sent is not None else there
    assert data is not None
    state.saw_flow(flow.slug, data)
    line = f"{flow.path}: flow {flow.slug} {what}"
    if publish:
        line += ", " + _publish(remote, flow, data, report)
    report.lines.append(line)


def located(flow: LocalFlow, diag: dict[str, Any]) -> str:
    """A diagnostic of the host's check as `file:line:col: severity[CODE]: message` against the local files
    (the host names the flow's own file `<slug>.flow`), with the local source line and its hint."""
    own = diag.get("file") in (None, f"{flow.slug}.flow")
    where = flow.path if own else str(diag["file"])
    return diagnostic_text(diag, where, flow.source if own else flow.files.get(where))


def _publish(remote: Remote, flow: LocalFlow, data: dict[str, Any], report: Report) -> str:
    """Save & Merge the draft push just saw (If-Match: a draft changed since is not published)."""
    done = remote.call("POST", f"/v2/flows/{data['id']}/publish",
                       headers={"If-Match": f'"{data["meta"]["revision"]}"'})
    if done.status_code == 412:
        report.problems.append(f"{flow.path}: not published: the flow changed on the host while push ran (412)")
        return "NOT published"
    if done.status_code in (200, 201):
        data = done.json()["data"]
        warnings = (data.get("meta") or {}).get("warnings") or []
        report.warnings.extend(located(flow, w) for w in warnings if isinstance(w, dict))
        number = data["number"]
        return f"published as version {number}" if done.status_code == 201 else f"version {number} already"
    if done.status_code == 422:
        for error in _errors(done):
            meta = error.get("meta") or {}
            if meta.get("line"):
                report.problems.append(located(flow, meta))
            else:
                report.problems.append(f"{flow.path}: {error.get('detail')}")
        return "NOT published (it does not check)"
    report.problems.append(f"{flow.path}: publish: {remote.problem(done)}")
    return "NOT published"


def pull(remote: Remote, folder: str, slugs: list[str] | None = None) -> Report:
    """Write the project's flows (draft, else published source) and their shared files into `folder`."""
    report = Report()
    remote.check_project()
    found = {f["slug"]: f for f in remote.flows()}
    wanted = slugs if slugs else sorted(found)
    missing = [s for s in wanted if s not in found]
    if missing:
        raise SyncError(f"project {remote.project} has no flow {', '.join(missing)}")
    by_slug = {f.slug: f.path for f in _known(folder)}
    state = SyncState.load(folder, remote.url, remote.project)
    for slug in wanted:
        exported = remote.call("GET", f"/v2/flows/{found[slug]['id']}/export")
        if exported.status_code != 200:
            report.problems.append(f"{slug}: {remote.problem(exported)}")
            continue
        doc = exported.json()["data"]
        if doc["flow"]["source"] is None:
            report.problems.append(f"{slug}: has no source yet (nothing to write)")
            continue
        target = by_slug.get(slug, f"{slug}.flow")
        for path, text in sorted({**doc["files"], target: doc["flow"]["source"]}.items()):
            report.lines.append(f"{path}: {_write(folder, path, text)}")
        state.saw_flow(slug, found[slug])  # what the next push compares the host's flow with
        state.files.update({path: text_digest(text) for path, text in doc["files"].items()})
    problem = state.save()
    if problem:
        report.warnings.append(f"warning: {problem}")
    return report


def _known(folder: str) -> list[LocalFlow]:
    try:
        return local_flows(folder) if os.path.isdir(folder) else []
    except SyncError:
        return []


def _write(folder: str, path: str, text: str) -> str:
    problem = path_problem(path)
    if problem:
        raise SyncError(f"the host sent a file path that {problem}: {path!r}")
    full = os.path.join(folder, *path.split("/"))
    try:
        with open(full, encoding="utf-8") as handle:
            if handle.read() == text:
                return "unchanged"
        what = "updated"
    except FileNotFoundError:
        what = "written"
    except (OSError, UnicodeDecodeError):
        what = "updated"
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w", encoding="utf-8") as handle:
        handle.write(text)
    return what
