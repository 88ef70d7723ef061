"""The parsed-document cache: each Spec that `load_spec` builds is kept, pickled, under `.flowlang/cache`.

Loading a large document is slow (GitHub's REST description, 13 MB of JSON: seconds), and `flowlang check`
loads it on every start. An entry's name is a hash of the document's bytes and flowlang's own OpenAPI
code, not of where the document is: the entry lists the other files its `$ref`s name, by their paths
relative to the document's folder, with the hash of each (or none, for a missing one), and is used only
while the files at those places are the same. So a project that is moved or copied, and a host that
checks each flow in a fresh temporary folder, reuse their entries; an entry is never stale, and deleting
the directory is always safe. A Spec from another folder gets this document's path, and its problems
name this folder's files. A cache that cannot be read or written is no error: the document is then
loaded as if there were none.

Where: `.flowlang/cache/openapi/` under the working directory (beside the state database), or under
FLOWLANG_CACHE_DIR; FLOWLANG_CACHE_DIR="" turns the cache off. Entries are pickles: the directory is
trusted as the project's own files are (it is inside the project's `.flowlang`; a host's is under its
working directory, beside its database). The directory keeps the MAX_ENTRIES most recently used entries.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

CACHE_ENV = "FLOWLANG_CACHE_DIR"
FORMAT = 2  # bumped when an entry's layout changes
MAX_ENTRIES = 32  # the least recently used entries beyond these are deleted when one is written


def cache_dir() -> Path | None:
    """The directory of the OpenAPI entries, or None when the cache is off."""
    value = os.environ.get(CACHE_ENV)
    if value == "":
        return None
    base = Path(value) if value else Path.cwd() / ".flowlang" / "cache"
    return base / "openapi"


@functools.cache
def _code_hash() -> bytes:
    """A hash of the code that builds a Spec: another flowlang builds other entries."""
    digest = hashlib.sha256(f"format {FORMAT}".encode())
    here = Path(__file__).parent
    for path in sorted(here.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.digest()


def _file_hash(path: str) -> str | None:
    """The hash of a file's bytes; None for a file that is missing or cannot be read."""
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return None


def cached(path: str, build: Callable[[], tuple[Any, list[str]]]) -> Any:
    """The Spec of the document at absolute `path`: from the cache, else `build()` and keep it.

    `build` returns the Spec and the other files its `$ref`s name (read or missing: a missing file that
    appears later makes the entry stale too); its errors (SpecError) pass through, and nothing is kept
    for a document that failed.
    """
    directory = cache_dir()
    if directory is None:
        return build()[0]
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError:
        return build()[0]  # build() reports the problem
    key = hashlib.sha256(_code_hash() + raw).hexdigest()
    entry = directory / f"{key}.pickle"
    folder = os.path.dirname(path)
    found = _read(entry, path, folder)
    if found is not None:
        return found
    spec, others = build()
    _write(entry, spec, folder, others)
    return spec


def _read(entry: Path, path: str, folder: str) -> Any | None:
    """The Spec of an entry whose other files, relative to `folder`, are all the same; None if not."""
    try:
        with open(entry, "rb") as handle:
            data = pickle.load(handle)
        if data["format"] != FORMAT:
            return None
        if any(_file_hash(os.path.join(folder, other)) != digest for other, digest in data["others"]):
            return None
        os.utime(entry)  # recently used: kept when older entries are pruned
        return _moved(data["spec"], data["folder"], path, folder)
    except Exception:  # missing, half-written by a crashed process, or from an incompatible Python
        return None


def _moved(spec: Any, built_in: str, path: str, folder: str) -> Any:
    """`spec` (built in folder `built_in`) as if built from `path`: its path, and its problems' paths."""
    if built_in == folder and spec.path == path:
        return spec
    old, new = built_in + os.sep, folder + os.sep
    problems = tuple(dataclasses.replace(p, message=p.message.replace(old, new)) for p in spec.problems)
    return dataclasses.replace(spec, path=path, problems=problems)


def _write(entry: Path, spec: Any, folder: str, others: list[str]) -> None:
    import tempfile  # only when an entry is written (~5 ms to import)

    hashes = [(os.path.relpath(other, folder), _file_hash(other)) for other in others]
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                pickle.dump({"format": FORMAT, "folder": folder, "others": hashes, "spec": spec}, handle,
                            protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, entry)  # readers see a whole entry or none
        except BaseException:
            os.unlink(temporary)
            raise
        _prune(entry.parent)
    except (OSError, pickle.PicklingError, RecursionError):
        pass


def _prune(directory: Path) -> None:
    """Delete the least recently used entries beyond MAX_ENTRIES (another process may delete them too)."""
    entries = []
    for path in directory.glob("*.pickle"):
        try:
            entries.append((path.stat().st_mtime, path))
        except OSError:
            continue
    entries.sort(reverse=True)
    for _, path in entries[MAX_ENTRIES:]:
        try:
            path.unlink()
        except OSError:
            pass
