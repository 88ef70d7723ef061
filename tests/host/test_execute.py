"""`run_published`: a published version run here and now on the executors' path (`published_job` +
`run_job`) with the project's credentials — against a real system on 127.0.0.1, with secrets masked,
and never with the server's own environment."""

from __future__ import annotations

import io
import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from host.flows import HELLO, create, publish, put
from host.harness import HostServer, Tenant

pytest.importorskip("sqlalchemy", reason="the host needs the serve extra: pip install -e '.[serve]'")

from flowlang.host.execute import NotRunnable, run_published
from flowlang.host.settings import Settings
from flowlang.host.store import Store
from flowlang.host.vault import open_vault

SECRET = 'tok-"quoted" $HOME \\ and more'
FLOW = """\
system echo {
  base_url: secret("ECHO_URL")
  auth: bearer(secret("ECHO_TOKEN"))
  GET whoami "/whoami"
}

flow check_secret {
  answer = call echo.whoami()
  token = env("ECHO_TOKEN")
  log info "called with {token}"
  return {seen: answer.body.auth, input: source}
}
"""


class _Echo(BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        auth = self.headers.get("Authorization", "")
        _Echo.seen.append(auth)
        body = json.dumps({"auth": auth}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def echo() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def credential(tenant: Tenant, name: str, value: str) -> None:
    response = tenant.http.put(f"/v2/credentials/{name}", json={"data": {"type": "credential", "value": value}})
    assert response.status_code in (200, 201)


def run(server: HostServer, tenant: Tenant, flow_id: str, tmp_path: Path, **kwargs: object
        ) -> tuple[int, str, str, int]:
    settings = Settings(db=server.db)
    store = Store(settings.db_url)
    out, err = io.StringIO(), io.StringIO()
    try:
        with store.read() as conn:
            from flowlang.host.store.projects import get_project

            project = get_project(conn, tenant.slug)
            assert project is not None
        result = run_published(store, open_vault(settings), project.id, flow_id, stdout=out, stderr=err,
                               state_path=str(tmp_path / "state.db"), **kwargs)  # type: ignore[arg-type]
    finally:
        store.close()
    return result.exit_code, out.getvalue(), err.getvalue(), result.version


def test_a_published_flow_runs_with_the_projects_credentials(host: HostServer, echo: str,
                                                              tmp_path: Path) -> None:
    tenant = host.tenant()
    credential(tenant, "ECHO_URL", echo)
    credential(tenant, "ECHO_TOKEN", SECRET)
    flow = create(tenant, source=FLOW, enabled=True)
    publish(tenant, flow["id"])
    _Echo.seen.clear()
    code, out, err, version = run(host, tenant, flow["id"], tmp_path, input={"order": 7})
    assert (code, version) == (0, 1), err
    assert _Echo.seen == [f"Bearer {SECRET}"]  # the real value reached its own system
    assert json.loads(out) == {"seen": "Bearer ***", "input": {"order": 7}}
    assert "called with ***" in err
    assert SECRET not in out + err and "ECHO_TOKEN" not in os.environ
    assert "flowlang-host-" not in err  # no temporary paths in what the run wrote


def test_the_run_uses_the_published_version_not_the_draft(host: HostServer, tmp_path: Path) -> None:
    tenant = host.tenant()
    flow = create(tenant, source=HELLO, enabled=True)
    publish(tenant, flow["id"])
    put(tenant, flow["id"], source=HELLO.replace('"hi"', '"draft"'))
    code, out, _, version = run(host, tenant, flow["id"], tmp_path)
    assert (code, json.loads(out), version) == (0, {"greeting": "hi"}, 1)


def test_a_disabled_flow_never_runs(host: HostServer, tmp_path: Path) -> None:
    tenant = host.tenant()
    flow = create(tenant, source=HELLO, enabled=False)
    publish(tenant, flow["id"])
    with pytest.raises(NotRunnable, match="is disabled"):
        run(host, tenant, flow["id"], tmp_path)


def test_an_unpublished_flow_does_not_run(host: HostServer, tmp_path: Path) -> None:
    tenant = host.tenant()
    flow = create(tenant, source=HELLO, enabled=True)
    with pytest.raises(NotRunnable, match="has no published version"):
        run(host, tenant, flow["id"], tmp_path)


def test_another_projects_flow_is_unknown(host: HostServer, tmp_path: Path) -> None:
    owner, other = host.tenant(), host.tenant()
    flow = create(owner, source=HELLO, enabled=True)
    publish(owner, flow["id"])
    with pytest.raises(NotRunnable, match="no flow"):
        run(host, other, flow["id"], tmp_path)


def test_a_failing_flow_reports_its_own_file_and_line(host: HostServer, tmp_path: Path) -> None:
    tenant = host.tenant()
    flow = create(tenant, slug="fails", enabled=True,
                  source='flow fails {\n  x = parse_json("not json")\n  return x\n}\n')
    publish(tenant, flow["id"])
    code, _, err, _ = run(host, tenant, flow["id"], tmp_path, log_format="text")
    assert code == 3 and "fails.flow:2:" in err, err


def test_the_servers_environment_is_not_the_flows(host: HostServer, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVER_ONLY_SECRET", "the-servers-own-value")
    monkeypatch.setenv("SHARED_NAME", "the server's")
    tenant = host.tenant()
    credential(tenant, "SHARED_NAME", "the project's")
    source = ('flow peek {\n  return {server: env("SERVER_ONLY_SECRET", "unset"), shared: env("SHARED_NAME"),'
              ' home: env("HOME", "unset")}\n}\n')
    flow = create(tenant, slug="peek", source=source, enabled=True)
    publish(tenant, flow["id"])
    code, out, err, _ = run(host, tenant, flow["id"], tmp_path)
    assert code == 0, err
    assert json.loads(out) == {"server": "unset", "shared": "***", "home": "unset"}
    assert "the-servers-own-value" not in out + err


def test_state_persists_between_runs_in_the_state_file(host: HostServer, tmp_path: Path) -> None:
    tenant = host.tenant()
    source = "flow count {\n  state.n = (state.n ?? 0) + 1\n  return state.n\n}\n"
    flow = create(tenant, slug="count", source=source, enabled=True)
    publish(tenant, flow["id"])
    assert json.loads(run(host, tenant, flow["id"], tmp_path)[1]) == 1
    assert json.loads(run(host, tenant, flow["id"], tmp_path)[1]) == 2
