"""`flowlang push` never silently replaces a draft someone changed on the host: it compares the host's flow
with what the folder last pushed or pulled (.flowlang/sync.json), refuses with a hint (pull, or --force),
and sends every update with If-Match so that a change made while it runs is refused too."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import httpx

from flowlang.host.sync import Remote, local_flows, push
from host.harness import HostServer, Tenant
from host.test_sync import flows_of, sync

HELLO = 'flow hello {\n  description: "Says hi"\n  return "hi"\n}\n'


def _folder(tmp_path: Path, name: str = "repo") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "hello.flow").write_text(HELLO)
    return folder


def _edit_on_host(tenant: Tenant, slug: str, **fields: Any) -> dict[str, Any]:
    flow = flows_of(tenant)[slug]
    done = tenant.http.put(f"/v2/flows/{flow['id']}", json={"data": {"type": "flow", **fields}})
    assert done.status_code == 200, done.text
    return dict(done.json()["data"])


def test_a_draft_changed_on_the_host_is_not_overwritten_without_force(host: HostServer, tenant: Tenant,
                                                                      tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    assert sync(host, tenant, "push", str(folder)).returncode == 0
    record = json.loads((folder / ".flowlang" / "sync.json").read_text())
    (seen,) = record["hosts"][f"{host.url} {tenant.slug}"]["flows"].values()
    assert seen["revision"] == 1
    console_edit = HELLO.replace('"hi"', '"hello from the console"')
    _edit_on_host(tenant, "hello", source=console_edit)
    (folder / "hello.flow").write_text(HELLO.replace('"hi"', '"hi from git"'))
    refused = sync(host, tenant, "push", str(folder), "--publish")
    assert refused.returncode == 1, refused.stderr
    assert "hello.flow: flow hello NOT pushed: it changed on the host since this folder last pushed or pulled " \
           "it (revision 1, now 2, updated 20" in refused.stderr, refused.stderr
    assert "nothing was pushed" in refused.stderr and "push --force to overwrite" in refused.stderr
    assert f"`flowlang pull {folder} --flow hello` writes the host's version over it" in refused.stderr
    flow = flows_of(tenant)["hello"]
    assert flow["source"] == console_edit and flow["meta"]["published_version"] is None  # nothing lost
    forced = sync(host, tenant, "push", str(folder), "--force")
    assert forced.returncode == 0, forced.stderr
    assert "hello.flow: flow hello draft updated (--force)" in forced.stderr
    assert "hi from git" in str(flows_of(tenant)["hello"]["source"])


def test_pull_then_push_goes_through_and_a_toggle_on_the_host_is_no_conflict(host: HostServer, tenant: Tenant,
                                                                            tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    sync(host, tenant, "push", str(folder))
    console_edit = HELLO.replace('"hi"', '"console"')
    _edit_on_host(tenant, "hello", source=console_edit)
    pulled = sync(host, tenant, "pull", str(folder), "--flow", "hello")
    assert pulled.returncode == 0 and (folder / "hello.flow").read_text() == console_edit
    (folder / "hello.flow").write_text(console_edit.replace('"console"', '"merged"'))
    _edit_on_host(tenant, "hello", enabled=True)  # not a field push manages: no conflict
    done = sync(host, tenant, "push", str(folder), "--publish")
    assert done.returncode == 0, done.stderr
    assert "hello.flow: flow hello draft updated, published as version 1" in done.stderr
    assert '"merged"' in str(flows_of(tenant)["hello"]["source"])


def test_without_a_record_only_an_unpublished_host_draft_is_protected(host: HostServer, tenant: Tenant,
                                                                     tmp_path: Path) -> None:
    first = _folder(tmp_path, "first")
    assert sync(host, tenant, "push", str(first), "--publish").returncode == 0
    clone = tmp_path / "clone"  # a fresh clone (CI): no .flowlang/sync.json
    shutil.copytree(first, clone, ignore=shutil.ignore_patterns(".flowlang"))
    (clone / "hello.flow").write_text(HELLO.replace('"hi"', '"v2"'))
    deployed = sync(host, tenant, "push", str(clone), "--publish")  # the host's draft is its version 1
    assert deployed.returncode == 0, deployed.stderr
    assert "published as version 2" in deployed.stderr
    _edit_on_host(tenant, "hello", source=HELLO.replace('"hi"', '"unpublished work"'))
    other = tmp_path / "other"
    shutil.copytree(first, other, ignore=shutil.ignore_patterns(".flowlang"))
    refused = sync(host, tenant, "push", str(other))
    assert refused.returncode == 1
    assert "NOT pushed: the host has an unpublished draft of it (revision 3, updated 20" in refused.stderr, \
        refused.stderr
    assert "unpublished work" in str(flows_of(tenant)["hello"]["source"])


def test_a_shared_file_changed_on_the_host_is_not_overwritten(host: HostServer, tenant: Tenant,
                                                              tmp_path: Path) -> None:
    folder = tmp_path / "repo"
    (folder / "lib").mkdir(parents=True)
    (folder / "lib" / "greet.flow").write_text('func greet() {\n  return "hi"\n}\n')
    (folder / "greeter.flow").write_text('import "lib/greet.flow"\n\nflow greeter {\n  return greet()\n}\n')
    assert sync(host, tenant, "push", str(folder)).returncode == 0
    on_host = 'func greet() {\n  return "edited on the host"\n}\n'
    assert tenant.http.put("/v2/files/lib/greet.flow",
                           json={"data": {"type": "file", "content": on_host}}).status_code == 200
    (folder / "lib" / "greet.flow").write_text('func greet() {\n  return "edited in git"\n}\n')
    refused = sync(host, tenant, "push", str(folder))
    assert refused.returncode == 1
    assert "lib/greet.flow: NOT pushed: the shared file changed on the host since this folder last pushed " \
           "or pulled it" in refused.stderr, refused.stderr
    assert tenant.http.get("/v2/files/lib/greet.flow").json()["data"]["content"] == on_host
    assert sync(host, tenant, "push", str(folder), "--force").returncode == 0
    assert "edited in git" in tenant.http.get("/v2/files/lib/greet.flow").json()["data"]["content"]


class _RacingRemote(Remote):
    """A remote that lets a colleague change the flow on the host just before push's PUT reaches it."""

    def __init__(self, tenant: Tenant, *args: Any) -> None:
        super().__init__(*args)
        self.tenant = tenant

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        if method == "PUT" and path.startswith("/v2/flows/"):
            _edit_on_host(self.tenant, "hello", source=HELLO.replace('"hi"', '"raced"'))
        return super().call(method, path, **kwargs)


def test_a_change_made_while_push_runs_is_refused_by_if_match(host: HostServer, tenant: Tenant,
                                                             tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    assert sync(host, tenant, "push", str(folder)).returncode == 0
    (folder / "hello.flow").write_text(HELLO.replace('"hi"', '"mine"'))
    remote = _RacingRemote(tenant, host.url, tenant.slug, tenant.token)
    try:
        report = push(remote, local_flows(str(folder)), publish=True)
    finally:
        remote.close()
    assert report.problems == ["hello.flow: flow hello NOT pushed: it changed on the host while push ran (412); "
                               "push again (or pull it first)"]
    flow = flows_of(tenant)["hello"]
    assert '"raced"' in str(flow["source"]) and flow["meta"]["published_version"] is None
