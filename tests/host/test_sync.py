"""`flowlang push` and `flowlang pull` against a real `flowlang serve`: drafts by slug, --publish,
shared files, errors a user can act on, and credentials that never leave the host."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from host.harness import HostServer, Tenant

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ORDER = "order-webhook-to-erp"


def sync(host: HostServer, tenant: Tenant, *args: str, token: str | None = None
         ) -> subprocess.CompletedProcess[str]:
    """`flowlang ARGS… --host URL --project SLUG` with FLOWLANG_TOKEN (the tenant's unless given)."""
    env = {**host.env, "FLOWLANG_TOKEN": tenant.token if token is None else token}
    return subprocess.run([sys.executable, "-m", "flowlang", *args, "--host", host.url, "--project", tenant.slug],
                          cwd=host.directory, env=env, capture_output=True, text=True, timeout=120)


def copy_examples(tmp_path: Path) -> Path:
    folder = tmp_path / "repo"
    folder.mkdir()
    for name in ("order_webhook.flow", "systems.flow", "sales_report.flow"):
        shutil.copy(EXAMPLES / name, folder / name)
    shutil.copytree(EXAMPLES / "samples", folder / "samples")
    shutil.copytree(EXAMPLES / "specs", folder / "specs")
    return folder


def flows_of(tenant: Tenant) -> dict[str, dict[str, object]]:
    return {f["slug"]: f for f in tenant.http.get("/v2/flows").json()["data"]}


def test_push_creates_drafts_by_slug_with_their_shared_files_and_sample(host: HostServer, tenant: Tenant,
                                                                        tmp_path: Path) -> None:
    folder = copy_examples(tmp_path)
    done = sync(host, tenant, "push", str(folder))
    assert done.returncode == 0, done.stderr
    flows = flows_of(tenant)
    assert set(flows) == {ORDER, "sales-report"}
    order = flows[ORDER]
    assert order["source"] == (folder / "order_webhook.flow").read_text()
    assert order["name"] == "Order Webhook to ERP" and order["sample"]["line_items"]  # type: ignore[index]
    assert order["meta"]["published_version"] is None  # type: ignore[index]  # a draft only
    shared = tenant.http.get("/v2/files/systems.flow").json()["data"]["content"]
    assert shared == (folder / "systems.flow").read_text()
    assert f"order_webhook.flow: flow {ORDER} created (draft)" in done.stderr
    again = sync(host, tenant, "push", str(folder))
    assert f"order_webhook.flow: flow {ORDER} unchanged" in again.stderr and "shared file" not in again.stderr


def test_push_updates_the_draft_and_publish_saves_and_merges(host: HostServer, tenant: Tenant,
                                                             tmp_path: Path) -> None:
    folder = copy_examples(tmp_path)
    first = sync(host, tenant, "push", str(folder / "order_webhook.flow"), "--publish")
    assert first.returncode == 0, first.stderr
    assert f"flow {ORDER} created (draft), published as version 1" in first.stderr
    path = folder / "order_webhook.flow"
    path.write_text(path.read_text().replace("Create an ERP sales order", "Make an ERP sales order"))
    second = sync(host, tenant, "push", str(path), "--publish")
    assert f"flow {ORDER} draft updated, published as version 2" in second.stderr, second.stderr
    flow = flows_of(tenant)[ORDER]
    versions = tenant.http.get(f"/v2/flows/{flow['id']}/versions").json()["data"]
    assert [v["number"] for v in versions] == [2, 1] and "Make an ERP" in versions[0]["source"]
    assert set(flows_of(tenant)) == {ORDER}  # only the file named was pushed


def test_a_flow_that_does_not_check_stays_a_draft_and_push_exits_1(host: HostServer, tenant: Tenant,
                                                                   tmp_path: Path) -> None:
    (tmp_path / "broken.flow").write_text("flow broken {\n  return nope\n}\n")
    done = sync(host, tenant, "push", str(tmp_path / "broken.flow"), "--publish")
    assert done.returncode == 1
    assert "broken.flow: flow broken created (draft), NOT published (it does not check)" in done.stderr
    assert "broken.flow:2:10: error[" in done.stderr, done.stderr
    assert flows_of(tenant)["broken"]["meta"]["published_version"] is None  # type: ignore[index]


def test_pull_writes_the_flows_and_shared_files_back(host: HostServer, tenant: Tenant, tmp_path: Path) -> None:
    folder = copy_examples(tmp_path)
    sync(host, tenant, "push", str(folder))
    tenant.http.put("/v2/credentials/ERP_TOKEN", json={"data": {"type": "credential", "value": "Sekret-77"}})
    flow = flows_of(tenant)[ORDER]
    edited = str(flow["source"]).replace("Create an ERP", "Open an ERP")
    tenant.http.put(f"/v2/flows/{flow['id']}", json={"data": {"type": "flow", "source": edited}})
    done = sync(host, tenant, "pull", str(folder), "--flow", ORDER)
    assert done.returncode == 0, done.stderr
    assert (folder / "order_webhook.flow").read_text() == edited  # written over the file that has its slug
    assert "order_webhook.flow: updated" in done.stderr and "systems.flow: unchanged" in done.stderr
    fresh = tmp_path / "fresh"
    everything = sync(host, tenant, "pull", str(fresh))
    assert everything.returncode == 0, everything.stderr
    written = sorted(str(p.relative_to(fresh)) for p in fresh.rglob("*") if p.is_file())
    assert f"{ORDER}.flow" in written and "sales-report.flow" in written and "systems.flow" in written
    assert "samples/order_webhook.json" in written
    assert not any("Sekret-77" in p.read_text() for p in fresh.rglob("*") if p.is_file())


def test_clear_errors_for_token_project_and_host(host: HostServer, tenant: Tenant, tmp_path: Path) -> None:
    (tmp_path / "hello.flow").write_text('flow hello {\n  return "hi"\n}\n')
    target = str(tmp_path / "hello.flow")
    none = sync(host, tenant, "push", target, token="")
    assert none.returncode == 2 and "needs a project token" in none.stderr
    assert "hint: export FLOWLANG_TOKEN=" in none.stderr
    bad = sync(host, tenant, "push", target, token="flw_not-a-token")
    assert bad.returncode == 2 and f"the host at {host.url} refused the token: " in bad.stderr
    other = host.tenant()
    wrong = sync(host, other, "push", target, token=tenant.token)
    assert wrong.returncode == 2 and f"belongs to project {tenant.slug!r}, not {other.slug!r}" in wrong.stderr
    assert "Traceback" not in none.stderr + bad.stderr + wrong.stderr
    assert flows_of(other) == {} and flows_of(tenant) == {}


def test_the_examples_of_docs_host_md_run(host: HostServer, tenant: Tenant, tmp_path: Path) -> None:
    """Each `$ flowlang push|pull …` of the docs' console block runs (on this server and project) and
    writes the lines shown after it."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "host.md").read_text(encoding="utf-8")
    block = text.split("## From the command line: push and pull", 1)[1].split("```console\n", 1)[1]
    block = block.split("```", 1)[0]
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps and line.strip():
            steps[-1][1].append(line)
    runs = [(cmd, shown) for cmd, shown in steps if cmd.startswith(("flowlang push", "flowlang pull"))]
    assert len(runs) >= 3
    work = tmp_path / "work"
    (work / "examples").mkdir(parents=True)
    copied = copy_examples(tmp_path)
    for entry in copied.iterdir():
        (shutil.copytree if entry.is_dir() else shutil.copy)(entry, work / "examples" / entry.name)
    for command, shown in runs:
        args = command.split()[1:]
        at = args.index("--host")
        del args[at:at + 4]  # --host URL --project SLUG: the test's own
        done = subprocess.run([sys.executable, "-m", "flowlang", *args, "--host", host.url,
                               "--project", tenant.slug], cwd=work, capture_output=True, text=True, timeout=120,
                              env={**host.env, "FLOWLANG_TOKEN": tenant.token})
        assert done.returncode == 0, (command, done.stderr)
        for line in shown:
            assert line in done.stderr, (command, line, done.stderr)


def test_a_file_that_does_not_parse_is_named_with_its_line_not_skipped(host: HostServer, tenant: Tenant,
                                                                       tmp_path: Path) -> None:
    (tmp_path / "good.flow").write_text('flow good {\n  return "hi"\n}\n')
    (tmp_path / "typo.flow").write_text("flow typo {\n  return {\n}\n")
    done = sync(host, tenant, "push", str(tmp_path))
    assert done.returncode == 2 and "typo.flow:" in done.stderr and "error[" in done.stderr, done.stderr
    assert "\n   3 | }\n" in done.stderr and "^" in done.stderr, done.stderr  # the source line and a caret
    assert flows_of(tenant) == {}  # nothing half-pushed


def test_an_unreachable_host_is_named(host: HostServer, tenant: Tenant, tmp_path: Path) -> None:
    (tmp_path / "hello.flow").write_text('flow hello {\n  return "hi"\n}\n')
    done = subprocess.run([sys.executable, "-m", "flowlang", "push", str(tmp_path), "--host",
                           "http://127.0.0.1:1", "--project", tenant.slug], capture_output=True, text=True,
                          env={**host.env, "FLOWLANG_TOKEN": tenant.token}, timeout=60)
    assert done.returncode == 2 and "cannot reach the host at http://127.0.0.1:1" in done.stderr, done.stderr


def test_push_publish_prints_the_publish_warnings_against_the_local_file(host: HostServer, tenant: Tenant,
                                                                         tmp_path: Path) -> None:
    (tmp_path / "keyed.flow").write_text('flow keyed {\n  return {key: secret("SHOP_KEY")}\n}\n')
    done = sync(host, tenant, "push", str(tmp_path / "keyed.flow"), "--publish")
    assert done.returncode == 0, done.stderr  # a warning does not fail the push
    assert "keyed.flow: flow keyed created (draft), published as version 1" in done.stderr
    assert (f'keyed.flow:2:16: warning[H102]: no credential SHOP_KEY in project {tenant.slug}: '
            'secret("SHOP_KEY") fails when a run reads it\n'
            '   2 |   return {key: secret("SHOP_KEY")}\n'
            '     |                ^^^^^^^^^^^^^^^^^^\n'
            '  hint: store it: PUT /v2/credentials/SHOP_KEY') in done.stderr, done.stderr
