"""The parsed-document cache: each Spec that `load_spec` builds is kept, pickled, under `.flowlang/cache`.

Loading a large document is slow (GitHub's REST description, 13 MB of JSON: seconds), and `flowlang check`
loads it on every start. An entry's name is a hash of the document's bytes, its absolute path (relative
`$ref`s resolve from it) and flowlang's own OpenAPI code; the entry lists the other files its `$ref`s
read, with the hash of each, and is used only while all of them are unchanged. So an entry is never
stale, and deleting the directory is always safe. A cache that cannot be read or written is no error:
the document is then loaded as if there were none.

Where: `.flowlang/cache/openapi/` under the working directory (beside the state database), or under
FLOWLANG_CACHE_DIR; FLOWLANG_CACHE_DIR="" turns the cache off. Entries are pickles: the directory is
trusted as the project's own files are (it is inside the project's `.flowlang`). The directory keeps
the MAX_ENTRIES most recently used entries: a host checks each flow in a fresh temporary folder, so its
entries (keyed by path) would otherwise pile up without end.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

CACHE_ENV = "FLOWLANG_CACHE_DIR"
FORMAT = 1  # bumped when an entry's layout changes
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
    key = hashlib.sha256(_code_hash() + os.fsencode(path) + b"\0" + raw).hexdigest()
    entry = directory / f"{key}.pickle"
    found = _read(entry)
    if found is not None:
        return found
    spec, others = build()
    _write(entry, spec, others)
    return spec


def _read(entry: Path) -> Any | None:
    """The Spec of an entry whose other files are all unchanged, or None."""
    try:
        with open(entry, "rb") as handle:
            data = pickle.load(handle)
        if data["format"] != FORMAT:
            return None
        if any(_file_hash(other) != digest for other, digest in data["others"]):
            return None
        os.utime(entry)  # recently used: kept when older entries are pruned
        return data["spec"]
    except Exception:  # missing, half-written by a crashed process, or from an incompatible Python
        return None


def _write(entry: Path, spec: Any, others: list[str]) -> None:
    import tempfile  # only when an entry is written (~5 ms to import)

    hashes = [(other, _file_hash(other)) for other in others]
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                pickle.dump({"format": FORMAT, "others": hashes, "spec": spec}, handle,
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
