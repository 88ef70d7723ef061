"""A server started with another FLOWLANG_SECRET_KEY on an existing database (finding 1 of the new-user trial).

Credentials sealed with the old key cannot be decrypted: the server warns at start, a run of a project
holding such a credential fails with the vault's message while every other run goes on, and the webhook
listener answers a 503 envelope with the hint, never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from host.flows import HELLO
from host.harness import Tenant, start_server
from served import published, wait_run, webhook


def test_a_credential_of_another_key_fails_its_run_only(tmp_path: Path) -> None:
    pytest.importorskip("starlette", reason="the host needs the serve extra: pip install -e '.[serve]'")
    db = str(tmp_path / "host.db")
    with start_server(tmp_path, db, env={"FLOWLANG_SECRET_KEY": Fernet.generate_key().decode()}) as first:
        sealed, plain = first.tenant(), first.tenant()
        done = sealed.http.put("/v2/credentials/ERP_TOKEN", json={"data": {"type": "credential", "value": "s3cret"}})
        assert done.status_code in (200, 201), done.text
        sealed_flow, plain_flow = published(sealed, HELLO), published(plain, HELLO)
        pipe, other = webhook(sealed, sealed_flow["id"]), webhook(plain, plain_flow["id"])
        sealed_slug, plain_slug, tokens = sealed.slug, plain.slug, (sealed.token, plain.token)
    with start_server(tmp_path, db, env={"FLOWLANG_SECRET_KEY": Fernet.generate_key().decode()}) as second:
        assert "cannot be decrypted with the key of FLOWLANG_SECRET_KEY" in second.log()
        assert f"credential ERP_TOKEN of project {sealed_slug}" in second.log()
        sealed_http, plain_http = second.client(tokens[0]), second.client(tokens[1])
        bad = sealed_http.post(f"/v2/pipes/{pipe['id']}/run")
        assert bad.status_code == 202, bad.text
        good = plain_http.post(f"/v2/pipes/{other['id']}/run")
        assert good.status_code == 202, good.text
        failed = wait_run(Tenant(sealed_slug, tokens[0], sealed_http), bad.json()["data"]["id"])
        assert failed["status"] == "failed", failed
        assert "credential ERP_TOKEN cannot be decrypted" in str(failed["error"])
        ok = wait_run(Tenant(plain_slug, tokens[1], plain_http), good.json()["data"]["id"])
        assert ok["status"] == "ok", ok
        answer = second.client().post(f"/listener/{pipe['id']}",
                                      headers={"Authorization": f"Bearer {pipe['token']}"}, json={})
        assert answer.status_code == 503, answer.text
        assert "FLOWLANG_SECRET_KEY" in answer.json()["errors"][0]["detail"]
        assert "Traceback" not in second.log()
        assert "dispatching runs failed" not in second.log()
        assert "s3cret" not in second.log()
