"""Issue #15 (batch faults, h5): servers answering 429 with a malformed or huge ``Retry-After``.

A malformed value (``nan``, ``-1``, ``inf``, ``1e3``: not RFC 9110's digits nor an HTTP date) used to be read by
``float()`` as 0 seconds, so every call in flight was sent again at once, with no backoff, until the tries ran
out; it is now ignored and the retry backs off as when no header came. A huge value is not waited for: the chunk
fails as ``rate_limited`` at once and the batch goes on.

Real parts: the fixed-latency OpenAI-compatible HTTP server of ``benchmarks/stub_openai.py`` on 127.0.0.1, real
SQLite and PostgreSQL stores, process_documents at 16 calls in flight.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

import audit
from benchmarks.stub_openai import StubServer
from pipeline.extract import LLM_RETRY
from pipeline.llm import LLMRequest
from pipeline.llm.openai import OpenAIBackend, retry_after_seconds
from pipeline.run import process_documents
from pipeline.settings import Settings
from pipeline.store import Document, latest_run
from schemas import ChunkExtraction
from tests.extract_fixtures import store_text_document

CONTRACT = ("This Hosting Agreement is made on January 5, 2024 between Larch Hosting Ltd and Fenwick Books LLC. "
            "Either party may terminate this Agreement on 30 days written notice.")
OTHER = ("This Cleaning Agreement is made on February 9, 2024 between Brisk Cleaning Co and Harbour Cafe LLC. "
         "The Customer shall pay each invoice within 15 days of receipt.")
NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "Infinity", "-1", "-0.5", "+5", "1e3", "1_000", "0x10",
                                   "soon", "Mon, 99 Foo", ""])
def test_a_malformed_retry_after_is_ignored(value):
    assert retry_after_seconds(value, NOW) is None


@pytest.mark.parametrize("value,seconds", [("2", 2.0), (" 3 ", 3.0), ("0.5", 0.5), ("0", 0.0),
                                           ("Sun, 01 Mar 2026 12:00:07 GMT", 7.0),
                                           ("Sun, 01 Mar 2026 11:59:00 GMT", 0.0),
                                           ("99999999999999999999", 1e20)])
def test_a_well_formed_retry_after_is_read(value, seconds):
    assert retry_after_seconds(value, NOW) == seconds


@pytest.mark.parametrize("header", [float("nan"), -1.0])
def test_a_malformed_retry_after_backs_off_instead_of_retrying_at_once(header):
    with StubServer(latency=0.05, fail_first=2, retry_after=header) as stub:
        backend = OpenAIBackend(stub.base_url, "stub-model", timeout_s=5, retry_attempts=5, retry_max_s=60)
        result = backend.complete(LLMRequest(messages=[{"role": "user", "content": "Extract."}],
                                             response_model=ChunkExtraction, max_tokens=64, prompt_version="test",
                                             max_attempts=1))
        assert stub.stats()["requests"] == 3
    retries = result.attempts[0].retries
    assert [r["retry_after"] for r in retries] == [f"{header:g}"] * 2
    # full-jitter backoff (ceilings 1 s, then 2 s), not 0 s: both waits 0.000 has a chance of about 1e-7
    assert 0 < retries[0]["wait_s"] + retries[1]["wait_s"] and retries[0]["wait_s"] <= 1 and retries[1]["wait_s"] <= 2


def test_a_huge_retry_after_fails_the_chunks_at_once_at_16_in_flight(engine, tmp_path):
    first = store_text_document(engine, CONTRACT, "hosting.txt")
    second = store_text_document(engine, OTHER, "cleaning.txt")
    with StubServer(latency=0.05, fail_first=1000, retry_after=10**20) as stub:
        settings = Settings(data_dir=tmp_path, backend="openai", model="stub-model", openai_base_url=stub.base_url,
                            openai_api_key="unused-key-for-the-stub", second_pass=False, llm_max_attempts=1)
        totals = process_documents(engine, [first, second], settings, concurrency=16)
        assert stub.stats()["requests"] == 2  # one try each: a wait past llm_retry_max_s is not begun
    assert totals["documents"] == 2
    with Session(engine) as s:
        for doc_id in (first, second):
            run = latest_run(s, doc_id)
            assert run.chunk_outcomes[0]["failures"][0]["kind"] == "rate_limited"
            assert s.get(Document, doc_id).status == "failed"
    assert not [e for e in audit.query(engine) if e.type == LLM_RETRY]
    assert audit.verify(engine).ok
