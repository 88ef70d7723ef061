"""The parsed-document cache (flowlang/openapi/cache.py): used on a second load, never stale, safe to delete."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flowlang.openapi import cache, load_spec, spec

MAIN = """openapi: 3.0.3
info: {title: Shop, version: "1"}
paths:
  /orders/{id}:
    get:
      operationId: getOrder
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "common.yaml#/Order"}
"""
COMMON = "Order:\n  type: object\n  properties:\n    id: {type: string}\n"


@pytest.fixture()
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_ENV, str(directory))
    spec._load_cached.cache_clear()  # a new process, as far as loading goes
    return directory / "openapi"


def write_docs(folder: Path, common: str | None = COMMON) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "shop.yaml").write_text(MAIN, encoding="utf-8")
    if common is not None:
        (folder / "common.yaml").write_text(common, encoding="utf-8")
    return folder / "shop.yaml"


def load_again(path: Path) -> spec.Spec:
    """Load as a new process would: the per-process cache emptied first."""
    spec._load_cached.cache_clear()
    return load_spec(path)


def fields_of(loaded: spec.Spec) -> list[str]:
    schema = loaded.operations["getOrder"].success_schemas[0]
    return sorted(schema.get("properties", {}))


def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(path: str) -> None:
        raise AssertionError(f"{path} was parsed although the cache holds it")

    monkeypatch.setattr(spec, "load_document", refuse)


def test_a_second_load_comes_from_the_cache_without_parsing(cache_dir: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_docs(tmp_path / "docs")
    first = load_spec(path)
    assert len(list(cache_dir.glob("*.pickle"))) == 1
    no_parsing(monkeypatch)
    second = load_again(path)
    assert second == first and fields_of(second) == ["id"]


def test_an_edited_document_is_parsed_again(cache_dir: Path, tmp_path: Path) -> None:
    path = write_docs(tmp_path / "docs")
    load_spec(path)
    path.write_text(MAIN.replace("getOrder", "fetchOrder"), encoding="utf-8")
    assert sorted(load_again(path).operations) == ["fetchOrder"]


def test_an_edited_referenced_file_makes_the_entry_stale(cache_dir: Path, tmp_path: Path) -> None:
    path = write_docs(tmp_path / "docs")
    assert fields_of(load_spec(path)) == ["id"]
    (tmp_path / "docs" / "common.yaml").write_text(COMMON + "    total: {type: integer}\n", encoding="utf-8")
    assert fields_of(load_again(path)) == ["id", "total"]


def test_a_referenced_file_that_appears_later_makes_the_entry_stale(cache_dir: Path, tmp_path: Path) -> None:
    path = write_docs(tmp_path / "docs", common=None)
    assert [p.code for p in load_spec(path).problems] == ["E303"]  # common.yaml is missing
    (tmp_path / "docs" / "common.yaml").write_text(COMMON, encoding="utf-8")
    again = load_again(path)
    assert again.problems == () and fields_of(again) == ["id"]


def test_the_same_bytes_elsewhere_get_their_own_entry(cache_dir: Path, tmp_path: Path) -> None:
    first = load_spec(write_docs(tmp_path / "a"))
    second = load_spec(write_docs(tmp_path / "b"))
    assert first.path != second.path and second.path == str(tmp_path / "b" / "shop.yaml")
    assert len(list(cache_dir.glob("*.pickle"))) == 2


def test_a_damaged_or_deleted_cache_is_no_error(cache_dir: Path, tmp_path: Path) -> None:
    path = write_docs(tmp_path / "docs")
    expected = load_spec(path)
    (entry,) = cache_dir.glob("*.pickle")
    entry.write_bytes(entry.read_bytes()[:100])  # a half-written entry
    assert load_again(path) == expected
    for leftover in cache_dir.glob("*"):
        leftover.unlink()
    cache_dir.rmdir()
    assert load_again(path) == expected and len(list(cache_dir.glob("*.pickle"))) == 1


def test_errors_are_not_cached(cache_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("openapi: 3.0.3\npaths: [1, 2\n", encoding="utf-8")
    with pytest.raises(spec.SpecError):
        load_spec(path)
    assert not cache_dir.exists() or not list(cache_dir.glob("*.pickle"))


def test_an_empty_cache_dir_setting_turns_the_cache_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, "")
    monkeypatch.chdir(tmp_path)
    load_again(write_docs(tmp_path / "docs"))
    assert not (tmp_path / ".flowlang").exists()


def test_by_default_the_cache_is_under_dot_flowlang_of_the_working_directory(tmp_path: Path) -> None:
    path = write_docs(tmp_path / "docs")
    env = {k: v for k, v in os.environ.items() if k != cache.CACHE_ENV}
    code = f"from flowlang.openapi import load_spec; load_spec({str(path)!r})"
    subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, check=True, timeout=60)
    assert len(list((tmp_path / ".flowlang" / "cache" / "openapi").glob("*.pickle"))) == 1


def test_the_cache_keeps_only_its_most_recently_used_entries(
    cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A host checks each flow in a fresh temporary folder: entries keyed by those paths must not pile up."""
    monkeypatch.setattr(cache, "MAX_ENTRIES", 3)
    first = write_docs(tmp_path / "first")
    load_again(first)
    for index in range(5):
        time.sleep(0.02)  # file times are coarse (a few ms): each use is later than the one before
        load_again(write_docs(tmp_path / f"folder{index}"))
        time.sleep(0.02)
        load_again(first)  # used again: the most recent, so it is kept
    assert len(list(cache_dir.glob("*.pickle"))) == 3
    no_parsing(monkeypatch)
    assert fields_of(load_again(first)) == ["id"]
