"""What a folder last pushed to or pulled from each host: `.flowlang/sync.json` beside its flows.

`flowlang push` compares a host's flow with it to tell "the host still has what this folder last saw"
(safe to replace) from "someone changed the draft on the host since" (refused unless `--force`). Per
host URL and project it keeps, for each flow slug, the flow's id, its revision (the ETag) and a digest
of the fields push manages (name, description, source, sample), and for each shared file a digest of
its content. The file is local state, like the rest of `.flowlang/`: keep it out of git.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from typing import Any

FILE = os.path.join(".flowlang", "sync.json")
FORMAT = 1
FLOW_FIELDS = ("name", "description", "source", "sample")


def flow_digest(fields: dict[str, Any]) -> str:
    """The digest of the fields push manages, as the host or the local file has them."""
    text = json.dumps({k: fields.get(k) for k in FLOW_FIELDS}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Seen:
    """A flow as this folder last saw it on the host."""

    id: str
    revision: int
    digest: str


@dataclass
class SyncState:
    """The record of one folder for one host and project; `save()` writes it back."""

    folder: str
    key: str  # "URL project"
    flows: dict[str, Seen] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # path -> digest of the content last synced
    _all: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: str, url: str, project: str) -> SyncState:
        key = f"{url.rstrip('/')} {project}"
        try:
            with open(os.path.join(folder, FILE), encoding="utf-8") as handle:
                everything = json.load(handle)
            mine = everything["hosts"].get(key, {})
            flows = {slug: Seen(str(s["id"]), int(s["revision"]), str(s["digest"]))
                     for slug, s in mine.get("flows", {}).items()}
            files = {str(p): str(d) for p, d in mine.get("files", {}).items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return cls(folder, key)  # none yet, or unreadable: as if this folder never synced
        return cls(folder, key, flows, files, everything)

    def saw_flow(self, slug: str, data: dict[str, Any]) -> None:
        """Record the host's flow `data` (its JSON:API resource) as this folder's latest view of it."""
        self.flows[slug] = Seen(data["id"], int(data["meta"]["revision"]), flow_digest(data))

    def save(self) -> str | None:
        """Write the record (atomically); the reason when it cannot be written, else None."""
        everything: dict[str, Any] = dict(self._all)
        hosts: dict[str, Any] = everything["hosts"] if isinstance(everything.get("hosts"), dict) else {}
        everything.update(format=FORMAT, hosts=hosts)
        hosts[self.key] = {
            "flows": {slug: {"id": s.id, "revision": s.revision, "digest": s.digest}
                      for slug, s in sorted(self.flows.items())},
            "files": dict(sorted(self.files.items())),
        }
        path = os.path.join(self.folder, FILE)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path + ".tmp", "w", encoding="utf-8") as handle:
                json.dump(everything, handle, indent=1, sort_keys=True)
                handle.write("\n")
            os.replace(path + ".tmp", path)
        except OSError as exc:
            return f"cannot record what was synced in {path}: {exc.strerror or exc}"
        return None
