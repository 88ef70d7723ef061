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


def test_the_same_bytes_elsewhere_are_a_hit_with_their_own_path(cache_dir: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A moved or copied project (and a host's fresh temporary folder per check) reuses the entry."""
    first = load_spec(write_docs(tmp_path / "a"))
    no_parsing(monkeypatch)
    second = load_again(write_docs(tmp_path / "b"))
    assert second.path == str(tmp_path / "b" / "shop.yaml") and first.path == str(tmp_path / "a" / "shop.yaml")
    assert fields_of(second) == ["id"] and second.operations == first.operations
    assert len(list(cache_dir.glob("*.pickle"))) == 1


def test_the_same_bytes_beside_other_referenced_files_are_parsed_again(cache_dir: Path, tmp_path: Path) -> None:
    assert fields_of(load_spec(write_docs(tmp_path / "a"))) == ["id"]
    other = write_docs(tmp_path / "b", common=COMMON + "    total: {type: integer}\n")
    assert fields_of(load_again(other)) == ["id", "total"]
    missing = write_docs(tmp_path / "c", common=None)  # the $ref target does not exist here
    assert [p.code for p in load_again(missing).problems] == ["E303"]


def test_problems_of_an_entry_from_elsewhere_name_the_real_paths(cache_dir: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    (first,) = load_spec(write_docs(tmp_path / "a", common=None)).problems
    assert str(tmp_path / "a" / "common.yaml") in first.message
    no_parsing(monkeypatch)
    (moved,) = load_again(write_docs(tmp_path / "b", common=None)).problems
    assert moved.message == first.message.replace(str(tmp_path / "a"), str(tmp_path / "b"))


def test_a_host_checking_a_flow_twice_parses_its_document_once(cache_dir: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The host checks each publish in a fresh temporary folder (flowlang/host/bundle.py)."""
    from flowlang.host.bundle import check_bundle

    parsed: list[str] = []
    real_load = spec.load_document

    def counting(path: str) -> object:
        parsed.append(os.path.basename(path))
        return real_load(path)

    monkeypatch.setattr(spec, "load_document", counting)
    source = ('system shop {\n  base_url: "http://127.0.0.1:9"\n  spec: "shop.yaml"\n}\n'
              'flow orders {\n  r = call shop.getOrder(id: "1")\n  log info \"order {r.body.id}\"\n}\n')
    files = {"shop.yaml": MAIN, "common.yaml": COMMON}
    first = check_bundle("orders.flow", source, files)
    spec._load_cached.cache_clear()
    second = check_bundle("orders.flow", source, files)
    assert first.errors == [], [e["message"] for e in first.errors]
    assert second.diagnostics == first.diagnostics
    assert parsed == ["shop.yaml"] and "shop.yaml" in second.used


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
    """Entries of many documents must not pile up without end."""
    monkeypatch.setattr(cache, "MAX_ENTRIES", 3)
    first = write_docs(tmp_path / "first")
    load_again(first)
    for index in range(5):
        time.sleep(0.02)  # file times are coarse (a few ms): each use is later than the one before
        other = write_docs(tmp_path / f"folder{index}")
        other.write_text(MAIN.replace("getOrder", f"getOrder{index}"), encoding="utf-8")  # other bytes
        load_again(other)
        time.sleep(0.02)
        load_again(first)  # used again: the most recent, so it is kept
    assert len(list(cache_dir.glob("*.pickle"))) == 3
    no_parsing(monkeypatch)
    assert fields_of(load_again(first)) == ["id"]
