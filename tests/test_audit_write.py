"""The one write path: redaction, atomicity with the caller's transaction, loud failures, concurrency (F36)."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

import audit
from audit.events import CONFIG_CHANGED, DOCUMENT_INGESTED, LLM_REQUEST
from pipeline.store.engine import make_engine, transaction
from pipeline.store.tables import Document

SECRETS = {
    "sk-proj-9fKq2LmN8pQr4sTu6vWx",  # OpenAI-style key inside free text
    "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LWJlYXJlcg",  # bearer token in a header value
    "hunter2-correct-horse",  # password field
    "AKIAIOSFODNN7EXAMPLE",  # AWS key id in text
    "tok_live_51HzQmZ",  # value of a "token" key
    "s3cr3t-client-value",  # client_secret nested in a list
    "xapikey-0987654321",  # X-Api-Key header
    "dbpass-7781",  # password inside a URL
    "blob-bearer-abcdef123456",  # bearer token inside a >8 KB prompt (blob path)
}
MARKER = "visible-marker-4711"


def _secret_payload() -> dict:
    return {
        "note": f"{MARKER} call with key sk-proj-9fKq2LmN8pQr4sTu6vWx please",
        "headers": {"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LWJlYXJlcg", "X-Api-Key": "xapikey-0987654321"},
        "settings": {"openai_api_key": "sk-other-0000000000000000000", "database_url":
                     "postgresql://app:dbpass-7781@db.example/clausewise"},
        "login": [{"user": "ann", "PASSWORD": "hunter2-correct-horse"}, {"client_secret": "s3cr3t-client-value"}],
        "token": "tok_live_51HzQmZ",
        "log": "aws AKIAIOSFODNN7EXAMPLE used",
        "prompt": "Contract text. " * 700 + "Authorization: Bearer blob-bearer-abcdef123456",
        "gen_ai.usage.input_tokens": 1234,
    }


def test_redaction_keeps_structure_and_non_secrets():
    e_payload, blobs = audit._redact.prepare_payload(_secret_payload())
    assert e_payload["headers"] == {"Authorization": "[REDACTED]", "X-Api-Key": "[REDACTED]"}
    assert e_payload["login"] == [{"user": "ann", "PASSWORD": "[REDACTED]"}, {"client_secret": "[REDACTED]"}]
    assert e_payload["note"] == f"{MARKER} call with key [REDACTED] please"
    assert e_payload["settings"]["database_url"] == "postgresql://app:[REDACTED]@db.example/clausewise"
    assert e_payload["gen_ai.usage.input_tokens"] == 1234  # a token *count* is not a secret
    assert audit.redact_text("the Password shall be kept") == "the Password shall be kept"  # contract words stay
    (body,) = blobs.values()
    assert body.endswith("Authorization: Bearer [REDACTED]")


def test_secrets_are_absent_from_every_stored_byte(engine):
    for i in range(3):
        audit.append(engine, type=LLM_REQUEST, actor="gpt-4o", document_id="d", payload=_secret_payload())
    with audit.writer(engine) as conn:
        audit.append_many(conn, [{"type": CONFIG_CHANGED, "actor": "ann", "payload": _secret_payload()}])
    assert audit.verify(engine).ok
    if engine.dialect.name == "sqlite":
        with engine.connect() as c:
            c.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
        db = Path(engine.url.database)
        stored = b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))  # db, -wal, -shm
    else:
        with engine.connect() as c:
            rows = c.execute(text("SELECT row_to_json(e)::text FROM audit_events e UNION ALL "
                                  "SELECT row_to_json(b)::text FROM audit_blobs b")).scalars().all()
        stored = "\n".join(rows).encode()
    assert MARKER.encode() in stored  # we really are looking at the stored data
    assert b"Contract text. Contract text." in stored  # and at the blob table
    for secret in SECRETS:
        assert secret.encode() not in stored, secret


def test_event_commits_and_rolls_back_with_the_callers_transaction(engine):
    with pytest.raises(RuntimeError):
        with transaction(engine, immediate=True) as s:
            s.add(Document(id="a" * 64, file_name="x.pdf", source_path="/x.pdf", size_bytes=1, page_count=1,
                           status="ingested", text="t"))
            audit.append(s, type=DOCUMENT_INGESTED, actor="system", document_id="a" * 64, payload={"pages": 1})
            raise RuntimeError("step failed after logging")
    assert audit.head(engine).id == 0
    with transaction(engine, immediate=True) as s:
        s.add(Document(id="b" * 64, file_name="y.pdf", source_path="/y.pdf", size_bytes=1, page_count=1,
                       status="ingested", text="t"))
        ev = audit.append(s, type=DOCUMENT_INGESTED, actor="system", document_id="b" * 64, payload={"pages": 1})
    with Session(engine) as s:
        assert s.scalars(select(Document.id)).all() == ["b" * 64]
    assert audit.get(engine, 1) == ev


def test_invalid_events_are_refused_before_writing(engine):
    for bad in [dict(type="Bad Type", actor="a", payload={}), dict(type="a.b", actor="", payload={}),
                dict(type="a.b", actor="a", payload={"x": float("nan")}), dict(type="a.b", actor="a", payload={1: 2}),
                dict(type="a.b", actor="a", payload={"$blob": "x"}), dict(type="a.b", actor="a", payload=[1]),
                dict(type="a.b", actor="a", payload={"o": object()})]:
        with pytest.raises(audit.InvalidEvent):
            audit.append(engine, **bad)
    assert audit.head(engine).id == 0


def test_a_failed_audit_write_raises_closed_connection(engine):
    conn = engine.connect()
    conn.close()
    with pytest.raises(audit.AuditWriteError):
        audit.append(conn, type=DOCUMENT_INGESTED, actor="system", payload={})


def test_a_failed_audit_write_raises_table_missing(engine):
    with engine.begin() as c:
        c.execute(text("DROP TABLE audit_events"))
    with pytest.raises(audit.AuditWriteError, match="audit_events"):
        audit.append(engine, type=DOCUMENT_INGESTED, actor="system", payload={})
    with pytest.raises(audit.AuditWriteError):
        with transaction(engine) as s:
            audit.append(s, type=DOCUMENT_INGESTED, actor="system", payload={})


def test_sqlite_stale_read_transaction_fails_loudly_instead_of_forking(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    from pipeline.store.engine import upgrade

    upgrade(eng)
    audit.append(eng, type=DOCUMENT_INGESTED, actor="system", payload={})
    with eng.connect() as reader:
        reader.begin()  # deferred: takes a read snapshot only
        reader.execute(text("SELECT count(*) FROM audit_events")).scalar()
        audit.append(eng, type=DOCUMENT_INGESTED, actor="other", payload={})  # another writer commits
        with pytest.raises(audit.AuditWriteError, match="locked"):
            audit.append(reader, type=DOCUMENT_INGESTED, actor="stale", payload={})
    r = audit.verify(eng)
    assert (r.ok, r.count) == (True, 2)


def test_concurrent_threads_give_one_unbroken_chain_f36(engine):
    """../shared/failcases/F36 through our API: 8 threads x 200 events, no lost row, no swallowed error."""
    workers, per = 8, 200
    errors: list[BaseException] = []

    def work(w: int) -> None:
        try:
            for n in range(per):
                with audit.writer(engine) as conn:
                    audit.append(conn, type=LLM_REQUEST, actor=f"worker{w}", run_id=f"w{w}",
                                 payload={"worker": w, "n": n, "body": "x" * 200})
        except BaseException as exc:  # collected and asserted below, never swallowed
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(workers)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert errors == []
    r = audit.verify(engine)
    assert (r.ok, r.count) == (True, workers * per)
    for w in range(workers):
        got = [e.payload["n"] for e in audit.query(engine, run=f"w{w}")]
        assert got == list(range(per))  # each worker's events in its own order, none lost


def _process_worker(url: str, w: int, per: int) -> None:
    eng = make_engine(url)
    for n in range(per):
        with audit.writer(eng) as conn:
            audit.append(conn, type=LLM_REQUEST, actor=f"proc{w}", run_id=f"p{w}", payload={"n": n})
    eng.dispose()


def test_concurrent_processes_on_sqlite_give_one_unbroken_chain(tmp_path):
    from pipeline.store.engine import upgrade

    url = f"sqlite:///{tmp_path / 'p.db'}"
    eng = make_engine(url)
    upgrade(eng)
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_process_worker, args=(url, w, 100)) for w in range(4)]
    [p.start() for p in procs]
    [p.join(120) for p in procs]
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    r = audit.verify(eng)
    assert (r.ok, r.count) == (True, 400)
    assert sorted({e.actor for e in audit.query(eng)}) == ["proc0", "proc1", "proc2", "proc3"]
