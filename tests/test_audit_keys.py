"""Keyed MACs and signed checkpoints make the log tamper-evident against the database's own users (issue #14,
item 5), on SQLite and PostgreSQL.

The attacks are those of a role that can write the audit tables: one that may INSERT appends a forged event
with a correct chain hash; the owner of the tables disables the append-only triggers, rewrites a suffix and
re-hashes it; someone cuts the newest events. Without the key none of them verifies.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import text
from typer.testing import CliRunner

import audit
from audit._chain import chain_hash, seal
from audit.events import REVIEW_CONFIRMED, REVIEW_DECISION, RULE_EVALUATED
from pipeline.cli import _register, app
from pipeline.settings import Settings
from tests.test_audit_chain import tamper

_register()
runner = CliRunner()
N = 6
KEY_HEX = "5e" * 32


@pytest.fixture
def key():
    """The audit key in force for the test; none afterwards."""
    k = audit.AuditKey.from_text(KEY_HEX)
    audit.use_key(k)
    yield k
    audit.use_key(None)


def _seed(engine, n: int = N) -> list[audit.AuditEvent]:
    return [audit.append(engine, type=REVIEW_DECISION if i % 2 else RULE_EVALUATED, actor=f"ann{i}",
                         document_id="doc", payload={"i": i, "item_id": 40 + i}) for i in range(n)]


def _rows(engine) -> list[dict]:
    with engine.connect() as c:
        return [dict(r) for r in c.execute(text("SELECT * FROM audit_events ORDER BY id")).mappings()]


def _insert(conn, row: dict) -> None:
    conn.execute(text("INSERT INTO audit_events (id, ts, actor, type, document_id, run_id, prev_hash, hash, "
                      "canonical, mac, key_id) VALUES (:id, :ts, :actor, :type, :document_id, :run_id, :prev_hash, "
                      ":hash, :canonical, :mac, :key_id)"), row)


def _forged_confirmation(head: audit.AuditEvent, *, mac: str | None, key_id: str | None) -> dict:
    """A ``review.confirmed`` event after ``head``, correctly chained, as anyone who may INSERT can make it."""
    fields = dict(id=head.id + 1, ts=head.ts, actor="mallory", type=REVIEW_CONFIRMED, document_id="doc", run_id=None,
                  payload={"item_id": 41, "status": "accepted", "decided_by": "ann1", "version": 9},
                  prev_hash=head.hash)
    canonical, h = seal(**fields)
    return {**{k: v for k, v in fields.items() if k != "payload"}, "hash": h, "canonical": canonical,
            "mac": mac, "key_id": key_id}


def test_every_event_carries_the_documented_mac_of_its_hash(engine, key):
    events = _seed(engine)
    # Recompute the MAC as audit._keys documents it, without audit's code.
    mac_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=b"clausewise.audit.event-mac/1").derive(bytes.fromhex(KEY_HEX))
    key_id = hashlib.sha256(b"clausewise.audit.key-id/1" + bytes.fromhex(KEY_HEX)).hexdigest()[:16]
    for e, row in zip(events, _rows(engine)):
        assert row["mac"] == e.mac == hmac.new(mac_key, row["hash"].encode("ascii"), hashlib.sha256).hexdigest()
        assert row["key_id"] == e.key_id == key_id == key.key_id
        assert KEY_HEX not in json.dumps(row)  # the database never holds the key
    r = audit.verify(engine)
    assert (r.ok, r.count, r.keyed, r.unkeyed, r.key_id, r.check) == (True, N, N, 0, key.key_id, None)


@pytest.mark.parametrize("forgery", ["no_mac", "mac_under_another_key", "another_key_id"])
def test_a_forged_append_with_a_correct_chain_hash_is_caught(engine, key, forgery):
    events = _seed(engine)
    noted_head = events[-1].hash  # an auditor wrote the head down before the forgery
    other = audit.AuditKey.from_text("17" * 32)
    row = _forged_confirmation(events[-1], mac=None, key_id=None)
    if forgery == "mac_under_another_key":
        row.update(mac=other.mac(row["hash"]), key_id=key.key_id)
    elif forgery == "another_key_id":
        row.update(mac=other.mac(row["hash"]), key_id=other.key_id)
    with engine.begin() as c:  # INSERT is what the triggers allow
        _insert(c, row)
    want = {"no_mac": "mac_missing", "mac_under_another_key": "mac_invalid", "another_key_id": "wrong_key"}[forgery]
    for r in (audit.verify(engine), audit.verify(engine, expect_head=noted_head)):
        assert (r.ok, r.check, r.problem, r.first_bad_id, r.count) == (False, "mac", want, N + 1, N), r.detail
    # The chain alone is whole: the forged event really is correctly chained.
    assert chain_hash(row["prev_hash"], row["canonical"]) == row["hash"]


def test_a_suffix_rewritten_and_rehashed_by_the_owner_is_caught(engine, key):
    _seed(engine)
    rows = _rows(engine)
    prev = rows[2]["hash"]
    with tamper(engine) as c:  # the owner disables the triggers, edits event 4 and re-hashes 4..N
        for row in rows[3:]:
            rec = json.loads(row["canonical"])
            rec["prev_hash"] = prev
            if rec["id"] == 4:
                rec["actor"] = rec["payload"]["decided_by"] = "mallory"
            canonical = audit.canonical_text(rec)
            h = chain_hash(prev, canonical)
            c.execute(text("UPDATE audit_events SET actor = :a, prev_hash = :p, hash = :h, canonical = :c WHERE id = :i"),
                      {"a": rec["actor"], "p": prev, "h": h, "c": canonical, "i": rec["id"]})
            prev = h
    r = audit.verify(engine)
    assert (r.ok, r.check, r.problem, r.first_bad_id, r.count) == (False, "mac", "mac_invalid", 4, 3), r.detail
    # Without the key only the chain is checked, and the chain is whole: this is what the key adds.
    audit.use_key(None)
    plain = audit.verify(engine)
    assert (plain.ok, plain.key_id, plain.keyed) == (True, None, N)
    audit.use_key(key)
    # Stripping the MACs of the rewritten suffix instead: the first event without one is named.
    with tamper(engine) as c:
        c.execute(text("UPDATE audit_events SET mac = NULL, key_id = NULL WHERE id >= 4"))
    r = audit.verify(engine)
    assert (r.ok, r.check, r.problem, r.first_bad_id) == (False, "mac", "mac_missing", 4)
    audit.use_key(None)
    assert audit.verify(engine).problem == "mac_missing"  # visible even to a verifier without the key


def test_a_writer_without_the_key_or_with_another_cannot_append_to_a_keyed_log(engine, key):
    _seed(engine, 2)
    audit.use_key(None)
    with pytest.raises(audit.AuditWriteError, match="keyed.*no audit key is configured"):
        audit.append(engine, type=RULE_EVALUATED, actor="system", payload={})
    audit.use_key(audit.AuditKey.from_text("17" * 32))
    with pytest.raises(audit.AuditWriteError, match=f"under key {key.key_id}"):
        audit.append(engine, type=RULE_EVALUATED, actor="system", payload={})
    audit.use_key(key)
    assert audit.verify(engine).ok and audit.head(engine).id == 2


def test_events_written_before_the_key_are_reported_unkeyed(engine, key):
    audit.use_key(None)
    _seed(engine, 3)
    audit.use_key(key)
    _seed(engine, 2)
    r = audit.verify(engine)
    assert (r.ok, r.keyed, r.unkeyed) == (True, 2, 3)
    assert "events 1..3 carry no MAC" in r.detail
    r = audit.verify(engine, require_mac=True)
    assert (r.ok, r.check, r.problem, r.first_bad_id) == (False, "mac", "mac_missing", 1)


def test_a_signed_checkpoint_proves_the_log_was_not_cut_or_rewritten(engine, key, tmp_path):
    events = _seed(engine)
    cp = key.sign_checkpoint(4, events[3].hash)
    assert cp.signature_valid(key.public_key)
    r = audit.verify(engine, checkpoint=cp)
    assert r.ok and "extends the checkpoint of 4 events" in r.detail
    # An auditor without the secret key checks with the public key alone.
    audit.use_key(None)
    assert audit.verify(engine, checkpoint=cp, public_key=key.public_key).ok
    r = audit.verify(engine, checkpoint=cp)
    assert (r.ok, r.check, r.problem) == (False, "checkpoint", "checkpoint_signature")
    audit.use_key(key)
    # A checkpoint altered after signing, or signed by another key, is refused.
    for bad in (audit.Checkpoint(**{**cp.__dict__, "count": 3}),
                audit.AuditKey.from_text("17" * 32).sign_checkpoint(4, events[3].hash)):
        r = audit.verify(engine, checkpoint=bad)
        assert (r.ok, r.check, r.problem) == (False, "checkpoint", "checkpoint_signature"), r.detail
    # Cut the newest three events: a valid shorter chain, with valid MACs, but shorter than the checkpoint.
    with tamper(engine) as c:
        c.execute(text("DELETE FROM audit_events WHERE id >= 4"))
    assert audit.verify(engine).ok
    r = audit.verify(engine, checkpoint=cp)
    assert (r.ok, r.check, r.problem, r.count) == (False, "checkpoint", "truncated", 3), r.detail
    # Rebuild the log from a different history (every MAC valid: the writer holds the key): the head differs.
    with tamper(engine) as c:
        c.execute(text("DELETE FROM audit_events"))
    _seed(engine, 5)  # other timestamps, so other hashes
    r = audit.verify(engine, checkpoint=cp)
    assert (r.ok, r.check, r.problem, r.first_bad_id) == (False, "checkpoint", "head_mismatch", 4), r.detail


def test_an_exported_bundle_carries_the_macs(engine, key, tmp_path):
    _seed(engine, 3)
    out = tmp_path / "b.jsonl"
    audit.export_document(engine, "doc", out)
    assert audit.verify_bundle(out).ok
    lines = out.read_text(encoding="utf-8").splitlines(keepends=True)
    item = json.loads(lines[1])
    assert item["mac"] == key.mac(item["hash"])
    item["mac"] = "0" * 64
    (tmp_path / "t.jsonl").write_text(lines[0] + json.dumps(item) + "\n" + "".join(lines[2:]), encoding="utf-8")
    r = audit.verify_bundle(tmp_path / "t.jsonl")
    assert (r.ok, r.check, r.problem, r.first_bad_id) == (False, "mac", "mac_invalid", 1)


def test_key_files_are_made_private_never_overwritten_and_bad_ones_named(tmp_path):
    path = tmp_path / "keys" / "audit.key"
    k = audit.generate_key_file(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert audit.AuditKey.from_file(path).key_id == k.key_id
    with pytest.raises(audit.AuditKeyError, match="already exists"):
        audit.generate_key_file(path)
    assert audit.AuditKey.from_file(path).key_id == k.key_id
    (tmp_path / "bad.key").write_text("not a key\n")
    with pytest.raises(audit.AuditKeyError, match=f"audit key file {tmp_path / 'bad.key'} is not an audit key"):
        audit.AuditKey.from_file(tmp_path / "bad.key")
    with pytest.raises(audit.AuditKeyError, match="does not exist"):
        Settings(audit_key_file=tmp_path / "missing.key")
    with pytest.raises(audit.AuditKeyError, match="not both"):
        Settings(audit_key_file=path, audit_key=KEY_HEX)
    try:
        s = Settings(audit_key_file=path)
        assert audit.current_key().key_id == k.key_id  # loading settings puts their key in force
        assert s.masked()["audit_key_file"] == str(path)
        assert Settings(audit_key=KEY_HEX).masked()["audit_key"] == "***"
    finally:
        audit.use_key(None)


def test_cli_keygen_checkpoint_and_verify_name_the_failed_check(engine, db_url, tmp_path, monkeypatch):
    key_file = tmp_path / "audit.key"
    res = runner.invoke(app, ["audit", "keygen", "--out", str(key_file)])
    assert res.exit_code == 0, res.output
    k = audit.AuditKey.from_file(key_file)
    assert f"wrote audit key {k.key_id}" in res.output and k.public_key in res.output
    assert runner.invoke(app, ["audit", "keygen", "--out", str(key_file)]).exit_code == 2
    monkeypatch.setenv("CLAUSEWISE_AUDIT_KEY_FILE", str(key_file))
    try:
        Settings()  # as every command does: the key in force
        events = _seed(engine, 4)
        cp_file = tmp_path / "cp.json"
        res = runner.invoke(app, ["audit", "checkpoint", "--out", str(cp_file), "--database-url", db_url])
        assert res.exit_code == 0, res.output
        cp = audit.Checkpoint.from_file(cp_file)
        assert (cp.count, cp.head_hash, cp.key_id) == (4, events[-1].hash, k.key_id)
        res = runner.invoke(app, ["audit", "verify", "--checkpoint", str(cp_file), "--database-url", db_url])
        assert res.exit_code == 0, res.output
        assert f"mac: ok, 4 events under key {k.key_id}" in res.output
        assert "checkpoint: ok, the log extends the 4 events" in res.output
        with engine.begin() as c:
            _insert(c, _forged_confirmation(events[-1], mac=None, key_id=None))
        res = runner.invoke(app, ["audit", "verify", "--checkpoint", str(cp_file), "--database-url", db_url])
        assert res.exit_code == 1
        assert "FAILED event 5: mac_missing" in res.output and "check failed: mac" in res.output
        res = runner.invoke(app, ["audit", "checkpoint", "--out", str(tmp_path / "cp2.json"), "--database-url", db_url])
        assert res.exit_code == 1 and not (tmp_path / "cp2.json").exists()  # a broken log is never signed
        (tmp_path / "junk.json").write_text("{}")
        res = runner.invoke(app, ["audit", "verify", "--checkpoint", str(tmp_path / "junk.json"), "--database-url", db_url])
        assert res.exit_code == 2
        assert "junk.json is not a clausewise.audit.checkpoint/1 checkpoint" in " ".join(res.output.split())
    finally:
        audit.use_key(None)


def test_a_command_that_writes_is_refused_up_front_on_a_keyed_log_it_has_no_key_for(tmp_path):
    """A keyed log and a process without the key: `ingest` and `eval` stop before any work with one line on
    stderr and exit code 2, not at their first event with a traceback (a whole evaluation would be lost)."""
    import os
    import subprocess
    import sys

    from tests.conftest import REPO

    key = tmp_path / "audit.key"
    data = tmp_path / "data"
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CLAUSEWISE_", "OPENAI_"))}
    base.update({"PYTHONPATH": str(REPO), "CLAUSEWISE_DATA_DIR": str(data), "CLAUSEWISE_BACKEND": "replay",
                 "CLAUSEWISE_REPLAY_DIR": str(REPO / "tests" / "recordings" / "samples")})

    def cw(*args, **env):
        return subprocess.run([sys.executable, "-c", "from pipeline.cli import main; main()", *args], cwd=REPO,
                              env={**base, **env}, capture_output=True, text=True, timeout=300)

    assert cw("audit", "keygen", "--out", str(key)).returncode == 0
    txt = tmp_path / "note.txt"
    txt.write_text("This Agreement is made between Acme Corp. and Beta LLC.", encoding="utf-8")
    first = cw("ingest", "--no-extract", str(txt), CLAUSEWISE_AUDIT_KEY_FILE=str(key))
    assert first.returncode == 0, first.stdout + first.stderr
    for args in (("ingest", "--no-extract", str(txt)), ("eval", "samples", str(REPO / "samples"), "--limit", "1")):
        res = cw(*args)
        assert res.returncode == 2, res.stdout + res.stderr
        assert res.stderr.startswith("error: the audit log is keyed") and "Traceback" not in res.stderr
        assert "reading" not in res.stdout and "stored as eval run" not in res.stdout
