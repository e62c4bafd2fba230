"""A document whose extraction failed (no chunk was read) stays ``failed``: it is never verified. Its status history
is ``document.ingested`` then ``document.failed``, with no ``document.verified`` after it, no rule evaluated, no
finding and no review item; the ingest line says why it failed. Verification takes only an ``extracted`` document,
the one move to ``verified`` the state machine allows, and refuses any other without writing anything. A run
that read some chunks (``partial``) is still verified and sent to review.

Real parts: ``clausewise ingest`` and ``clausewise status`` as processes, the OpenAI-compatible HTTP server of
``benchmarks/stub_openai.py`` on 127.0.0.1 answering unusably (``bad_first``), real SQLite and PostgreSQL stores.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import audit
from benchmarks.stub_openai import StubServer
from pipeline.run import process_documents
from pipeline.settings import Settings
from pipeline.store import Chunk, Document, FindingRow, ReviewItem, latest_run, transaction
from pipeline.verify import NothingToVerify, verify_document
from tests.batch_fixtures import clausewise, contract_text
from tests.extract_fixtures import store_text_document

LONG = " ".join(f"Section {i}. The Supplier shall deliver batch {i} of the goods within {i + 3} days of the "
                f"order placed by the Customer under this Supply Agreement." for i in range(1, 41))


def _settings(tmp_path, stub: StubServer) -> Settings:
    return Settings(data_dir=tmp_path, backend="openai", model="stub-model", openai_base_url=stub.base_url,
                    openai_api_key="unused-key-for-the-stub", second_pass=False, llm_max_attempts=1)


def _counts(engine, doc_id: str) -> tuple[int, int, int]:
    """(findings, review items, rule.evaluated events) stored for ``doc_id``."""
    with Session(engine) as s:
        findings = s.scalar(select(func.count()).select_from(FindingRow).where(FindingRow.document_id == doc_id))
        items = s.scalar(select(func.count()).select_from(ReviewItem).where(ReviewItem.document_id == doc_id))
    rules = len(audit.query(engine, document=doc_id, type_glob="rule.evaluated"))
    return findings, items, rules


def test_a_document_whose_every_chunk_failed_is_failed_and_never_verified(engine, db_url, tmp_path):
    f = tmp_path / "supply.txt"
    f.write_text(contract_text("F"))
    with StubServer(latency=0.01, bad_first=10_000, bad="html") as stub:
        env = {"CLAUSEWISE_BACKEND": "openai", "CLAUSEWISE_MODEL": "stub-model",
               "CLAUSEWISE_OPENAI_BASE_URL": stub.base_url, "CLAUSEWISE_OPENAI_API_KEY": "unused-key-for-the-stub",
               "CLAUSEWISE_LLM_MAX_ATTEMPTS": "1", "CLAUSEWISE_SECOND_PASS": "false",
               "CLAUSEWISE_DATA_DIR": str(tmp_path / "data")}
        res = clausewise("ingest", "--database-url", db_url, str(f), env=env)
        assert res.returncode == 0, res.stdout + res.stderr
        assert stub.stats()["requests"] == 1  # the one chunk, asked once
    with Session(engine) as s:
        doc = s.scalars(select(Document)).one()
        doc_id, status = doc.id, (doc.status, doc.status_reason, doc.status_message)
        run = latest_run(s, doc_id)
    assert status == ("failed", "extraction_failed", "no chunk was extracted")
    assert run.status == "failed"
    line = next(ln for ln in res.stdout.splitlines() if ln.startswith(f"supply.txt ({doc_id[:12]}):"))
    assert line.endswith("; failed extraction, failed (extraction_failed: no chunk was extracted)"), res.stdout
    assert "fields to review" not in res.stdout and "P001" not in res.stdout  # no rule ran on it
    assert f"  chunk 0 (pages 1): malformed: {stub.base_url} answered with something that is not a chat " \
           f"completion" in res.stdout

    status = clausewise("status", "--json", "--document", doc_id[:12], "--database-url", db_url)
    assert status.returncode == 0, status.stdout + status.stderr
    detail = json.loads(status.stdout)
    assert [(h["type"], h["status"], h["reason"]) for h in detail["history"]] == [
        ("document.ingested", "ingested", None), ("document.failed", "failed", "extraction_failed")]
    assert (detail["document"]["status"], detail["document"]["findings"]) == ("failed", 0)
    assert _counts(engine, doc_id) == (0, 0, 0)
    assert [e.type for e in audit.query(engine, document=doc_id)] == [
        "document.ingested", "chunk.created", "llm.request", "llm.response", "llm.error", "document.failed"]
    assert audit.verify(engine).ok


def test_a_failed_document_is_not_verified_and_nothing_is_written(engine, tmp_path):
    doc_id = store_text_document(engine, contract_text("G"), "gone.txt")
    with StubServer(latency=0.01, bad_first=10_000, bad="no_choices") as stub:
        settings = _settings(tmp_path, stub)
        totals = process_documents(engine, [doc_id], settings, concurrency=1)
    # the model calls were made here and count; the document is failed, not an error of the batch
    assert (totals["documents"], totals["failed"], totals["pages"]) == (1, 0, 1)
    events = [e.type for e in audit.query(engine, document=doc_id)]
    assert events[-1] == "document.failed" and "document.verified" not in events

    with pytest.raises(NothingToVerify, match=rf"document {doc_id[:12]} is failed \(extraction_failed: no chunk was "
                                              r"extracted\); only an extracted document is verified"):
        verify_document(engine, doc_id, settings)
    assert [e.type for e in audit.query(engine, document=doc_id)] == events
    assert _counts(engine, doc_id) == (0, 0, 0)
    with Session(engine) as s:
        assert s.get(Document, doc_id).status == "failed"
    assert audit.verify(engine).ok


def test_a_document_verified_already_is_not_verified_again(engine, tmp_path):
    doc_id = store_text_document(engine, contract_text("H"), "done.txt")
    with StubServer(latency=0.01) as stub:
        settings = _settings(tmp_path, stub)
        process_documents(engine, [doc_id], settings, concurrency=1)
    with Session(engine) as s:
        status = s.get(Document, doc_id).status
    assert status in {"needs_review", "auto_accepted"}
    before = ([e.type for e in audit.query(engine, document=doc_id)], _counts(engine, doc_id))
    assert before[0].count("document.verified") == 1
    with pytest.raises(NothingToVerify, match=rf"document {doc_id[:12]} is {status}; only an extracted document is "
                                              r"verified"):
        verify_document(engine, doc_id, settings)
    assert ([e.type for e in audit.query(engine, document=doc_id)], _counts(engine, doc_id)) == before
    # a dry run (nothing stored) still evaluates the rules on the stored extraction
    assert verify_document(engine, doc_id, settings, store=False).status == status
    assert ([e.type for e in audit.query(engine, document=doc_id)], _counts(engine, doc_id)) == before


def test_a_document_with_some_chunks_read_is_verified_and_sent_to_review(engine, tmp_path):
    doc_id = store_text_document(engine, LONG, "supply.txt", chunk_tokens=120, overlap_tokens=10)
    with Session(engine) as s:
        n_chunks = s.query(Chunk).filter(Chunk.document_id == doc_id).count()
    assert n_chunks >= 3
    with StubServer(latency=0.01, bad_first=1, bad="html") as stub:
        settings = _settings(tmp_path, stub)
        totals = process_documents(engine, [doc_id], settings, concurrency=1)
    assert (totals["documents"], totals["failed"]) == (1, 0)
    with Session(engine) as s:
        assert latest_run(s, doc_id).status == "partial"
        assert s.get(Document, doc_id).status == "needs_review"
    history = [(e.type, (e.payload or {}).get("status")) for e in audit.query(engine, document=doc_id)
               if e.type.startswith("document.")]
    assert history == [("document.extracted", "extracted"), ("document.verified", "needs_review")]
    findings, items, rules = _counts(engine, doc_id)
    assert findings >= 1 and items >= 1 and rules > 0
    assert audit.verify(engine).ok


def test_verification_refuses_a_document_that_was_never_extracted(engine, tmp_path):
    doc_id = store_text_document(engine, contract_text("I"), "new.txt")
    with transaction(engine) as s:
        assert s.get(Document, doc_id).status == "ingested"
    with pytest.raises(NothingToVerify, match=rf"document {doc_id[:12]} has no extraction"):
        verify_document(engine, doc_id, Settings(data_dir=tmp_path))
    assert audit.query(engine, document=doc_id) == []
