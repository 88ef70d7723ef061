"""`idempotency_key: header("Idempotency-Key", o.id)` at a call: the call says where its key goes and what it is
made from (any operation); keys depend on the flow, the call site and the value only, on both engines; and the
proof: a run killed with SIGKILL between a write and its checkpoint, resumed, leaves each record stored once at a
destination that honours keys."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

from runtime_http.servers import FakeServer, Recorded, Reply

from e2e.harness import Write, flowlang, run_both, run_command
from flowlang.keysites import key_sites
from flowlang.syntax.parser import parse

SITES = """\
system shop {
  base_url: env("SHOP_URL")
  retry: 2
  backoff: 0
  POST create "/orders"
}
flow sites {
  for o in source {
    call shop.create(body: o, idempotency_key: header("Idempotency-Key", o.id))
    call shop.create(body: {refund: o.id}, idempotency_key: header("Idempotency-Key", o.id))
    call shop.create(body: o, idempotency_key: query("key", o.id))
    call shop.create(body: {id: o.id}, idempotency_key: body(name: "request_id", source: o.id))
  }
  return null
}
"""
ORDERS = json.dumps([{"id": "a"}, {"id": "b"}])


def keys_of(requests: list[Recorded]) -> list[str]:
    return [r.headers.get("idempotency-key") or r.arg("key") or (r.json() or {}).get("request_id")
            for r in requests]


def test_the_call_says_where_the_key_goes_and_keys_depend_on_the_site_and_value_only(write: Write) -> None:
    with FakeServer() as shop:
        shop.reply("POST", "/orders", 201, json={})
        flow = write("sites.flow", SITES)
        env = {"SHOP_URL": shop.url}
        one = run_both(flow, "--input", "-", stdin=ORDERS, env=env)
        assert one.code == 0, one.err
        sent = shop.received("POST", "/orders")
        assert len(sent) == 8 * 2  # 8 calls on each engine
        keys = keys_of(sent)
        assert Counter(keys) == Counter({k: 2 for k in keys})  # the same keys on both engines
        assert len(set(keys)) == 8  # each site and value has its own: the refund is not the order
        where = Counter(("header" if r.headers.get("idempotency-key") else "query" if r.arg("key") else "body")
                        for r in sent)
        assert where == {"header": 8, "query": 4, "body": 4}  # as each call says
        assert sorted(r.json()["id"] for r in sent if r.arg("key")) == ["a", "a", "b", "b"]
        assert all(set(r.json()) == {"id", "request_id"} for r in sent if "request_id" in (r.json() or {}))
        again = run_both(flow, "--input", "-", stdin=ORDERS, env=env)  # after a success too: made from values
        assert again.code == 0
        assert Counter(keys_of(shop.received("POST", "/orders")[16:])) == Counter(keys)


def test_a_call_site_is_named_by_its_flow_operation_and_rank_so_editing_other_lines_keeps_its_keys() -> None:
    names = sorted(key_sites([parse(SITES, "sites.flow")]).values())
    assert names == ["flow sites shop.create 1", "flow sites shop.create 2", "flow sites shop.create 3",
                     "flow sites shop.create 4"]
    edited = SITES.replace("flow sites {\n", "flow sites {\n  log info \"a fix before the resumed run\"\n")
    assert sorted(key_sites([parse(edited, "sites.flow")]).values()) == names


def test_a_post_keyed_at_the_call_is_retried_with_the_same_key_on_both_engines(write: Write) -> None:
    flow = write("retry.flow", SITES)
    assert flowlang("compile", flow.name, "-o", "retry.py", cwd=flow.parent).code == 0
    with FakeServer() as shop:
        for command in (["-m", "flowlang", "run", flow.name], ["retry.py"]):
            shop.requests.clear()
            shop.sequence("POST", "/orders", [Reply(503, headers={"retry-after": "0"})] + [Reply(201, json={})] * 8)
            result = run_command([sys.executable, *command, "--input", "-", "--state", "s.db"], flow.parent,
                                 stdin=ORDERS, env={"SHOP_URL": shop.url})
            assert result.code == 0, result.err
            first, retried = shop.requests[:2]
            assert first.headers["idempotency-key"] == retried.headers["idempotency-key"]
            assert retried.json() == {"id": "a"} and len(shop.requests) == 9


def test_the_source_belongs_to_the_call_not_the_operation(write: Write) -> None:
    flow = write("option.flow", SITES.replace('POST create "/orders"', 'POST create "/orders" {\n'
                                             '    idempotency_key: header("Idempotency-Key", o.id)\n  }'))
    checked = flowlang("check", flow.name, cwd=flow.parent)
    assert checked.code == 1
    assert ("option.flow:6:48: error[E214]: an operation's idempotency_key says only where the key goes: "
            "header(name)") in checked.out


DOC = (Path(__file__).resolve().parents[2] / "docs" / "running.md").read_text(encoding="utf-8")
RESUMABLE = DOC.split("### Resuming after a crash, each record once\n", 1)[1].split("```flow\n", 1)[1].split("```")[0]
RECORDS = 500
KILL_AT = 200  # the destination stores record 200, then the run is killed before it hears back


class Destination:
    """Stores each record once per Idempotency-Key, as Stripe or Square do; a repeated key gets the first answer."""

    def __init__(self) -> None:
        self.stored: Counter[int] = Counter()
        self.seen: dict[str, Reply] = {}
        self.kill: int | None = None  # the pid to SIGKILL when record KILL_AT arrives
        self.lock = threading.Lock()

    def handle(self, req: Recorded) -> Reply:
        key = req.headers.get("idempotency-key")
        if not key:
            return Reply(400, json={"error": "Idempotency-Key required"})
        with self.lock:
            if key in self.seen:
                return self.seen[key]
            record = req.json()
            self.stored[record["id"]] += 1
            self.seen[key] = reply = Reply(201, json={"stored": record["id"]})
            if record["id"] == KILL_AT and self.kill is not None:
                os.kill(self.kill, signal.SIGKILL)  # written, not answered: no checkpoint for it
                self.kill = None
        return reply


def test_a_run_killed_between_a_write_and_its_checkpoint_resumes_and_stores_every_record_once(
        tmp_path: Path) -> None:
    destination = Destination()
    (tmp_path / "push.flow").write_text(RESUMABLE, encoding="utf-8")
    records = json.dumps([{"id": n, "name": f"r{n}"} for n in range(1, RECORDS + 1)])
    (tmp_path / "records.json").write_text(records, encoding="utf-8")
    with FakeServer() as server:
        server.route("PUT", "/records", destination.handle)
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("FLOWLANG_")}, "DEST_URL": server.url}
        args = [sys.executable, "-m", "flowlang", "run", "push.flow", "--input", "records.json", "--state", "s.db",
                "--quiet"]
        killed = subprocess.Popen(args, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        destination.kill = killed.pid
        _, err = killed.communicate(timeout=60)
        assert killed.returncode == -signal.SIGKILL, err.decode()
        assert sorted(destination.stored) == list(range(1, KILL_AT + 1))
        resumed = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
        assert resumed.returncode == 0, resumed.stderr
        assert json.loads(resumed.stdout) == RECORDS
        assert "Traceback" not in resumed.stderr
        assert "was still recorded as running but its process is gone" in resumed.stderr  # the lock died with it
        sent = Counter(r.json()["id"] for r in server.received("PUT"))
    assert sent[KILL_AT] == 2 and sum(sent.values()) == RECORDS + 1  # only the record in flight was sent again
    assert destination.stored == Counter(range(1, RECORDS + 1))  # and the destination stored each once
