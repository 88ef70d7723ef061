"""Credentials: write-only through the API, Fernet ciphertext at rest, the key file created 0600."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from host.harness import HostServer, Tenant, start_server

VALUE = "s3cr3t-Value-42"


def put(tenant: Tenant, name: str, value: object) -> tuple[int, dict[str, object]]:
    response = tenant.http.put(f"/v2/credentials/{name}", json={"data": {"type": "credential", "value": value}})
    return response.status_code, response.json()


def test_put_answers_without_the_value(tenant: Tenant) -> None:
    status, body = put(tenant, "ERP_TOKEN", VALUE)
    assert status == 201
    assert VALUE not in str(body)
    data = body["data"]
    assert isinstance(data, dict) and (data["type"], data["name"]) == ("credential", "ERP_TOKEN")
    assert put(tenant, "ERP_TOKEN", VALUE + "2")[0] == 200


def test_get_and_list_show_names_and_dates_never_values(tenant: Tenant) -> None:
    put(tenant, "B_TOKEN", VALUE)
    put(tenant, "A_TOKEN", VALUE)
    listing = tenant.http.get("/v2/credentials")
    assert [c["name"] for c in listing.json()["data"]] == ["A_TOKEN", "B_TOKEN"]
    one = tenant.http.get("/v2/credentials/A_TOKEN")
    assert one.status_code == 200 and "timestamps" in one.json()["data"]["meta"]
    assert VALUE not in listing.text + one.text


def test_delete_then_404(tenant: Tenant) -> None:
    put(tenant, "GONE", VALUE)
    assert tenant.http.delete("/v2/credentials/GONE").status_code == 204
    assert tenant.http.get("/v2/credentials/GONE").status_code == 404
    assert tenant.http.delete("/v2/credentials/GONE").status_code == 404


@pytest.mark.parametrize(("name", "value", "detail"), [
    ("has space", VALUE, "credential names are read with secret"),
    ("1ST", VALUE, "credential names are read with secret"),
    ("OK", "", "data.value: must not be empty"),
    ("OK", 42, "data.value: must be a string, not a number"),
])
def test_bad_credentials_are_422(tenant: Tenant, name: str, value: object, detail: str) -> None:
    status, body = put(tenant, name, value)
    assert status == 422
    assert detail in str(body)
    assert tenant.http.get("/v2/credentials").json()["data"] == []


def test_an_error_about_a_value_never_echoes_it(tenant: Tenant) -> None:
    response = tenant.http.put("/v2/credentials/X", json={"data": {"type": "secret", "value": VALUE}})
    assert response.status_code == 422 and VALUE not in response.text


def test_another_project_cannot_see_a_credential(host: HostServer, tenant: Tenant) -> None:
    put(tenant, "MINE", VALUE)
    other = host.tenant()
    assert other.http.get("/v2/credentials/MINE").status_code == 404
    assert other.http.get("/v2/credentials").json()["data"] == []


def test_values_are_encrypted_at_rest_and_the_key_file_is_0600(private_host: HostServer) -> None:
    tenant = private_host.tenant()
    put(tenant, "AT_REST", VALUE)
    with sqlite3.connect(private_host.db) as db:
        (ciphertext,) = db.execute("SELECT ciphertext FROM credentials WHERE name = 'AT_REST'").fetchone()
        dump = "\n".join(db.iterdump())
    assert VALUE not in dump and ciphertext.startswith("gAAAA")  # a Fernet token
    key_file = Path(private_host.db).parent / "host.key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert VALUE not in private_host.log()


def test_a_key_file_readable_by_others_stops_the_server(tmp_path: Path) -> None:
    (tmp_path / "host.key").write_text("whatever\n")
    os.chmod(tmp_path / "host.key", 0o644)
    with pytest.raises(AssertionError, match=r"can be read by others \(mode 0644\): chmod 600"):
        with start_server(tmp_path):
            pass


def test_a_malformed_secret_key_stops_the_server(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match="FLOWLANG_SECRET_KEY is not a Fernet key"):
        with start_server(tmp_path, env={"FLOWLANG_SECRET_KEY": "short"}):
            pass
