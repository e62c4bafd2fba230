"""Issue #15 (batch faults, h5): a server that answers HTTP 200 with something that is not a chat completion (no
choices, a proxy's HTML page, a cut JSON body, a choice without a message) fails the chunk that got it with kind
``malformed`` and a reason naming the server and what came; it never fails the whole document as an unexpected
error, nor the batch; the other chunks' answers are kept; the audit chain verifies. A connection dropped half way
through an answer is retried like a refused one.

Real parts: the fixed-latency OpenAI-compatible HTTP server of ``benchmarks/stub_openai.py`` on 127.0.0.1 (its
``bad_first`` fault), real SQLite and PostgreSQL stores, process_documents at 16 calls in flight.
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

import audit
from benchmarks.stub_openai import StubServer
from pipeline.extract import LLM_RETRY
from pipeline.run import process_documents
from pipeline.settings import Settings
from pipeline.store import Chunk, Document, latest_run
from tests.extract_fixtures import store_text_document

CONTRACT = ("This Hosting Agreement is made on January 5, 2024 between Larch Hosting Ltd and Fenwick Books LLC. "
            "Either party may terminate this Agreement on 30 days written notice.")
OTHER = ("This Cleaning Agreement is made on February 9, 2024 between Brisk Cleaning Co and Harbour Cafe LLC. "
         "The Customer shall pay each invoice within 15 days of receipt.")
LONG = " ".join(f"Section {i}. The Supplier shall deliver batch {i} of the goods within {i + 3} days of the "
                f"order placed by the Customer under this Supply Agreement." for i in range(1, 41))


def _settings(tmp_path, stub: StubServer, **kw) -> Settings:
    return Settings(data_dir=tmp_path, backend="openai", model="stub-model", openai_base_url=stub.base_url,
                    openai_api_key="unused-key-for-the-stub", second_pass=False, llm_max_attempts=1, **kw)


@pytest.mark.parametrize("bad", ["no_choices", "html", "not_json", "no_message"])
def test_an_unusable_200_answer_fails_the_chunk_as_malformed_and_the_batch_goes_on(engine, tmp_path, bad):
    first = store_text_document(engine, CONTRACT, "hosting.txt")
    second = store_text_document(engine, OTHER, "cleaning.txt")
    with StubServer(latency=0.05, bad_first=1, bad=bad) as stub:
        settings = _settings(tmp_path, stub)
        totals = process_documents(engine, [first, second], settings, concurrency=16)
        port = stub.port
    assert totals["documents"] == 2 and totals["failed"] == 0
    (error,) = [e for e in audit.query(engine) if e.type == "llm.error"]
    assert error.payload["clausewise.failure_kind"] == "malformed"
    assert f"http://127.0.0.1:{port}/v1 answered" in error.payload["error.message"]
    with Session(engine) as s:
        docs = {d.id: d for d in s.query(Document)}
        hit = docs[error.document_id]
        run = latest_run(s, hit.id)
        (outcome,) = run.chunk_outcomes
        other = docs[({first, second} - {hit.id}).pop()]
        assert run.status == "failed" and outcome["failures"][0]["kind"] == "malformed"
        assert hit.status == "failed" and "IndexError" not in (hit.status_message or "")
        assert other.status in {"needs_review", "auto_accepted"}  # the other document was carried on
    assert audit.verify(engine).ok


def test_a_document_whose_chunks_all_get_unusable_answers_at_16_in_flight(engine, tmp_path):
    long_doc = store_text_document(engine, LONG, "supply.txt", chunk_tokens=120, overlap_tokens=10)
    other = store_text_document(engine, OTHER, "cleaning.txt")
    with Session(engine) as s:
        n_chunks = s.query(Chunk).filter(Chunk.document_id == long_doc).count()
    assert n_chunks >= 6
    with StubServer(latency=0.05, bad_first=10_000, bad="no_choices") as stub:
        settings = _settings(tmp_path, stub)
        totals = process_documents(engine, [long_doc, other], settings, concurrency=16)
        assert stub.stats()["requests"] == n_chunks + 1  # every chunk asked once, none re-asked
    assert totals["documents"] == 2
    with Session(engine) as s:
        run = latest_run(s, long_doc)
        kinds = [o["failures"][0]["kind"] for o in run.chunk_outcomes]
        assert run.status == "failed" and kinds == ["malformed"] * n_chunks  # every chunk has its outcome
        assert s.get(Document, long_doc).status == "failed"
        assert s.get(Document, other).status == "failed"
    errors = [e for e in audit.query(engine) if e.type == "llm.error"]
    assert len(errors) == n_chunks + 1 and {e.payload["clausewise.failure_kind"] for e in errors} == {"malformed"}
    assert audit.verify(engine).ok


def test_a_connection_dropped_half_way_through_an_answer_is_retried(engine, tmp_path):
    doc = store_text_document(engine, CONTRACT, "hosting.txt")
    with StubServer(latency=0.05, bad_first=1, bad="drop") as stub:
        settings = _settings(tmp_path, stub, llm_retry_attempts=3)
        process_documents(engine, [doc], settings, concurrency=16)
        assert stub.stats()["requests"] == 2 and stub.stats()["answered"] == 1
    with Session(engine) as s:
        run = latest_run(s, doc)
        assert run.status == "complete" and run.chunk_outcomes[0]["status"] == "ok"
    (retry,) = [e for e in audit.query(engine) if e.type == LLM_RETRY]
    assert retry.payload.get("http.response.status_code") is None  # no HTTP status: the connection dropped
    assert "connection failed" in retry.payload["error.message"]
    assert audit.verify(engine).ok


def test_an_answer_trickled_byte_by_byte_times_out_at_the_call_timeout(engine, tmp_path):
    """httpx bounds each read by the timeout, not the whole body: a server sending one byte every 0.05 s held the
    call about 12 s at a 1 s timeout, and the chunk was stored as answered."""
    first = store_text_document(engine, CONTRACT, "hosting.txt")
    second = store_text_document(engine, OTHER, "cleaning.txt")
    with StubServer(latency=0.05, bad_first=1, bad="trickle") as stub:
        settings = _settings(tmp_path, stub, llm_timeout_s=1.0)
        totals = process_documents(engine, [first, second], settings, concurrency=16)
        assert stub.stats()["requests"] == 2  # a timeout is not retried
    assert totals["documents"] == 2
    (error,) = [e for e in audit.query(engine) if e.type == "llm.error"]
    assert error.payload["clausewise.failure_kind"] == "timeout"
    assert "did not answer within 1.0 s" in error.payload["error.message"]
    with Session(engine) as s:
        run = latest_run(s, error.document_id)
        assert run.status == "failed" and run.chunk_outcomes[0]["failures"][0]["kind"] == "timeout"
        other = ({first, second} - {error.document_id}).pop()
        assert s.get(Document, other).status in {"needs_review", "auto_accepted"}
    assert audit.verify(engine).ok


def test_the_progress_counts_failed_calls_apart_from_answered_ones(engine, tmp_path):
    """The ingest summary used to read "chunks: 12 answered of 12 (12 by the model)" when 5 of the calls had
    failed."""
    from rich.console import Console

    from pipeline.cli.progress_bar import IngestProgress

    doc = store_text_document(engine, LONG, "supply.txt", chunk_tokens=120, overlap_tokens=10)
    with Session(engine) as s:
        n = s.query(Chunk).filter(Chunk.document_id == doc).count()
    console = Console(record=True, force_terminal=False, width=200)
    with StubServer(latency=0.05, bad_first=2, bad="html") as stub:
        settings = _settings(tmp_path, stub)
        with IngestProgress(console) as bar:
            process_documents(engine, [doc], settings, concurrency=16, progress=bar)
    f = bar.figures()
    assert (f.chunks_planned, f.chunks_answered, f.chunks_failed) == (n, n - 2, 2)
    assert f"chunks: {n - 2} answered of {n} (0 from the store, {n - 2} by the model), 2 failed" in \
        console.export_text()
    with Session(engine) as s:
        kinds = [x["kind"] for o in latest_run(s, doc).chunk_outcomes for x in o["failures"]]
    assert kinds == ["malformed", "malformed"]
