"""Hash chain: verifies after appends; every kind of tampering is detected and named (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import json
from contextlib import contextmanager

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

import audit
from audit._chain import GENESIS_HASH, canonical_text, chain_hash, seal
from audit.events import LLM_REQUEST, RULE_EVALUATED
from audit.schema import append_only_statements

N = 6
COLUMNS = ["ts", "actor", "type", "document_id", "run_id", "prev_hash", "hash", "canonical"]


def _seed(engine, n: int = N) -> list[audit.AuditEvent]:
    out = []
    for i in range(n):
        out.append(audit.append(engine, type=LLM_REQUEST if i % 2 else RULE_EVALUATED, actor=f"actor{i}",
                                document_id=f"doc{i % 3}", run_id=f"run{i}", payload={"i": i, "text": f"é{i}"}))
    return out


@contextmanager
def tamper(engine):
    """A transaction in which the append-only triggers do not fire (what an attacker with DB rights does).

    SQLite: the triggers are dropped and re-created in the same transaction (on the same connection, whose
    schema is current; another pooled connection may still hold the old schema at prepare time)."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            yield conn
            return
        for t in ("audit_events", "audit_blobs"):
            for op in ("update", "delete"):
                conn.execute(text(f"DROP TRIGGER IF EXISTS {t}_no_{op}"))
        yield conn
        for stmt in append_only_statements("sqlite"):
            conn.execute(text(stmt))


def _row(engine, event_id: int) -> dict:
    with engine.connect() as c:
        return dict(c.execute(text("SELECT * FROM audit_events WHERE id = :i"), {"i": event_id}).mappings().one())


def test_chain_verifies_after_appends_and_follows_the_documented_format(engine):
    events = _seed(engine)
    r = audit.verify(engine)
    assert (r.ok, r.count, r.head_hash, r.problem) == (True, N, events[-1].hash, None)
    assert [e.id for e in events] == list(range(1, N + 1))
    assert events[0].prev_hash == GENESIS_HASH == "0" * 64
    # Recompute from the raw row, without audit's code: sha256(prev_hash || canonical) over UTF-8.
    prev = GENESIS_HASH
    for e in events:
        row = _row(engine, e.id)
        assert row["prev_hash"] == prev
        assert hashlib.sha256((row["prev_hash"] + row["canonical"]).encode("utf-8")).hexdigest() == row["hash"]
        rec = json.loads(row["canonical"])
        assert sorted(rec) == ["actor", "document_id", "id", "payload", "prev_hash", "run_id", "ts", "type"]
        assert row["canonical"] == json.dumps(rec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert len(rec["ts"]) == 27 and rec["ts"].endswith("Z") and rec["ts"][19] == "."
        prev = row["hash"]
    assert "é" in _row(engine, 1)["canonical"]  # ensure_ascii=False: stored as UTF-8, not \u00e9
    assert events[0].ts <= events[-1].ts


def test_empty_log_verifies_with_genesis_head(engine):
    assert audit.verify(engine) == audit.VerifyResult(True, 0, GENESIS_HASH, None, None, audit.verify(engine).detail)
    assert audit.head(engine) == (0, GENESIS_HASH)


def _edit_value(column: str, old: str | None) -> str:
    if column == "canonical":
        return old.replace('"i":', '"i":1', 1)  # payload value changed
    if column in ("prev_hash", "hash"):
        return ("f" if old[0] != "f" else "e") + old[1:]
    if column == "ts":
        return old[:-2] + ("1Z" if old[-2] != "1" else "2Z")
    return (old or "") + "x"


@pytest.mark.parametrize("column", COLUMNS)
def test_editing_any_column_of_any_event_is_detected_as_edited(engine, column):
    _seed(engine)
    for event_id in (1, 3, N):
        old = _row(engine, event_id)[column]
        with tamper(engine) as c:
            c.execute(text(f"UPDATE audit_events SET {column} = :v WHERE id = :i"),
                      {"v": _edit_value(column, old), "i": event_id})
        r = audit.verify(engine)
        assert (r.ok, r.problem, r.first_bad_id, r.count) == (False, "edited", event_id, event_id - 1), r.detail
        with tamper(engine) as c:  # put it back: the chain is whole again
            c.execute(text(f"UPDATE audit_events SET {column} = :v WHERE id = :i"), {"v": old, "i": event_id})
        assert audit.verify(engine).ok


def test_a_recomputed_hash_does_not_hide_an_edit_of_the_payload(engine):
    _seed(engine)
    row = _row(engine, 2)
    forged = row["canonical"].replace('"i":1', '"i":99')
    with tamper(engine) as c:  # the attacker rehashes the edited event, but not the rest of the chain
        c.execute(text("UPDATE audit_events SET canonical = :c, hash = :h WHERE id = 2"),
                  {"c": forged, "h": chain_hash(row["prev_hash"], forged)})
    r = audit.verify(engine)
    assert (r.ok, r.problem, r.first_bad_id) == (False, "inserted", 3)  # event 3 no longer chains to 2


@pytest.mark.parametrize("victim", [1, 3, N])
def test_deleting_an_event_is_detected(engine, victim):
    events = _seed(engine)
    with tamper(engine) as c:
        c.execute(text("DELETE FROM audit_events WHERE id = :i"), {"i": victim})
    r = audit.verify(engine)
    if victim == N:  # the newest: the rest is a valid shorter chain; only the written-down head tells
        assert r.ok and r.count == N - 1
        r = audit.verify(engine, expect_head=events[-1].hash)
        assert (r.ok, r.problem) == (False, "head_not_found")
        assert audit.verify(engine, expect_head=events[-2].hash).ok
    else:
        assert (r.ok, r.problem, r.first_bad_id, r.count) == (False, "deleted", victim, victim - 1)


def test_inserting_an_event_in_the_middle_is_detected(engine):
    events = _seed(engine)
    with tamper(engine) as c:  # make room at id 3, then add a well-formed event chained to event 2
        c.execute(text("UPDATE audit_events SET id = id + 1000 WHERE id >= 3"))
        c.execute(text("UPDATE audit_events SET id = id - 999 WHERE id >= 1000"))
        canonical, h = seal(id=3, ts=events[1].ts, actor="mallory", type=RULE_EVALUATED, document_id="doc0",
                            run_id=None, payload={"ok": True}, prev_hash=events[1].hash)
        c.execute(text("INSERT INTO audit_events (id, ts, actor, type, document_id, run_id, prev_hash, hash, canonical) "
                       "VALUES (3, :ts, 'mallory', :t, 'doc0', NULL, :p, :h, :c)"),
                  {"ts": events[1].ts, "t": RULE_EVALUATED, "p": events[1].hash, "h": h, "c": canonical})
    r = audit.verify(engine)
    assert (r.ok, r.problem, r.first_bad_id) == (False, "inserted", 3), r.detail


def test_appending_an_unchained_event_is_detected(engine):
    events = _seed(engine)
    canonical, h = seal(id=N + 1, ts=events[-1].ts, actor="mallory", type=RULE_EVALUATED, document_id=None,
                        run_id=None, payload={}, prev_hash="1" * 64)
    with engine.begin() as c:  # a plain INSERT is allowed by the triggers
        c.execute(text("INSERT INTO audit_events (id, ts, actor, type, document_id, run_id, prev_hash, hash, canonical) "
                       "VALUES (:i, :ts, 'mallory', :t, NULL, NULL, :p, :h, :c)"),
                  {"i": N + 1, "ts": events[-1].ts, "t": RULE_EVALUATED, "p": "1" * 64, "h": h, "c": canonical})
    r = audit.verify(engine)
    assert (r.ok, r.problem, r.first_bad_id, r.count) == (False, "inserted", N + 1, N)


@pytest.mark.parametrize("a,b", [(2, 5), (3, 4)])
def test_swapping_two_events_is_detected_as_reordered(engine, a, b):
    _seed(engine)
    with tamper(engine) as c:
        c.execute(text("UPDATE audit_events SET id = -1 WHERE id = :a"), {"a": a})
        c.execute(text("UPDATE audit_events SET id = :a WHERE id = :b"), {"a": a, "b": b})
        c.execute(text("UPDATE audit_events SET id = :b WHERE id = -1"), {"b": b})
    r = audit.verify(engine)
    assert (r.ok, r.problem, r.first_bad_id) == (False, "reordered", a), r.detail


def test_large_bodies_are_stored_once_as_blobs_and_verified(engine):
    prompt = "Clause 7. Renewal. " * 600  # ~11 KB > BLOB_THRESHOLD
    e1 = audit.append(engine, type=LLM_REQUEST, actor="m", payload={"prompt": prompt})
    e2 = audit.append(engine, type=LLM_REQUEST, actor="m", payload={"prompt": prompt, "n": 2})
    ref = hashlib.sha256(prompt.encode()).hexdigest()
    assert e1.payload["prompt"] == {"$blob": ref} == e2.payload["prompt"]
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM audit_blobs")).scalar() == 1
    assert audit.get(engine, e2.id).payload["prompt"] == prompt
    assert audit.verify(engine).ok
    with tamper(engine) as c:
        c.execute(text("UPDATE audit_blobs SET body = :b"), {"b": prompt.replace("7", "8")})
    r = audit.verify(engine)
    assert (r.ok, r.problem, r.first_bad_id) == (False, "edited", 1)
    with tamper(engine) as c:
        c.execute(text("DELETE FROM audit_blobs"))
    r = audit.verify(engine)
    assert (r.ok, r.problem, r.first_bad_id) == (False, "deleted", 1)


def test_append_only_triggers_refuse_update_and_delete(engine):
    _seed(engine, 1)
    audit.append(engine, type=LLM_REQUEST, actor="m", payload={"prompt": "x" * 9000})  # one blob row
    statements = ["UPDATE audit_events SET actor = 'x' WHERE id = 1", "DELETE FROM audit_events WHERE id = 2",
                  "DELETE FROM audit_blobs"]
    if engine.dialect.name == "postgresql":
        statements += ["TRUNCATE audit_events", "TRUNCATE audit_blobs"]
    for sql in statements:
        with pytest.raises(DBAPIError, match="append-only"):
            with engine.begin() as c:
                c.execute(text(sql))
    assert audit.verify(engine).count == 2


def test_canonical_text_is_the_documented_encoding():
    assert canonical_text({"b": 1, "a": "ü", "c": [1.5, None]}) == '{"a":"ü","b":1,"c":[1.5,null]}'
    assert chain_hash("0" * 64, "{}") == hashlib.sha256(("0" * 64 + "{}").encode()).hexdigest()
