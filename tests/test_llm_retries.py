"""Issue #15, item 2: rate limits, overload and servers that do not answer. The openai backend retries HTTP 429,
502, 503 and 504 and dropped connections (tenacity), honouring ``Retry-After``, within a bounded number of tries
and seconds; every retry is in the audit chain (``llm.retry``); past the bounds the chunk fails with a reason
(``rate_limited``, ``unavailable``), and a call that runs past ``CLAUSEWISE_LLM_TIMEOUT_S`` fails as ``timeout``;
the batch goes on.

Real parts: the fixed-latency OpenAI-compatible HTTP server of ``benchmarks/stub_openai.py`` on 127.0.0.1 (its
fault modes answer 429/503 with ``Retry-After`` or never answer), real SQLite and PostgreSQL stores.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

import audit
from benchmarks.stub_openai import StubServer
from pipeline.extract import LLM_RETRY, extract_document
from pipeline.llm import LLMRequest, RateLimited, ServiceUnavailable, make_backend
from pipeline.llm.openai import OpenAIBackend, retry_after_seconds
from pipeline.run import process_documents
from pipeline.settings import Settings
from pipeline.store import Document
from schemas import ChunkExtraction
from tests.extract_fixtures import store_text_document

CONTRACT = ("This Hosting Agreement is made on January 5, 2024 between Larch Hosting Ltd and Fenwick Books LLC. "
            "Either party may terminate this Agreement on 30 days written notice.")
OTHER = ("This Cleaning Agreement is made on February 9, 2024 between Brisk Cleaning Co and Harbour Cafe LLC. "
         "The Customer shall pay each invoice within 15 days of receipt.")


def _settings(tmp_path, stub: StubServer, **kw) -> Settings:
    return Settings(data_dir=tmp_path, backend="openai", model="stub-model", openai_base_url=stub.base_url,
                    openai_api_key="unused-key-for-the-stub", second_pass=False, llm_max_attempts=1, **kw)


def _request() -> LLMRequest:
    return LLMRequest(messages=[{"role": "user", "content": "Extract."}], response_model=ChunkExtraction,
                      max_tokens=64, prompt_version="test", max_attempts=1)


def test_retry_after_is_read_as_seconds_or_as_an_http_date():
    now = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("2", now) == 2.0
    assert retry_after_seconds("0.5", now) == 0.5
    assert retry_after_seconds("Sun, 01 Mar 2026 12:00:07 GMT", now) == 7.0
    assert retry_after_seconds("Sun, 01 Mar 2026 11:59:00 GMT", now) == 0.0  # a date past: at once
    assert retry_after_seconds("soon", now) is None and retry_after_seconds(None, now) is None


def test_429_twice_then_200_the_chunk_succeeds_and_both_retries_are_audited(engine, tmp_path):
    doc = store_text_document(engine, CONTRACT, "hosting.txt")
    with StubServer(latency=0.05, fail_first=2, retry_after=0.2) as stub:
        settings = _settings(tmp_path, stub)
        run = extract_document(engine, doc, make_backend(settings), settings)
        assert stub.stats()["requests"] == 3
    assert run.status == "complete"
    (outcome,) = run.chunk_outcomes
    assert outcome["status"] == "ok" and outcome["calls"] == 1 and outcome["attempts"] == 1
    events = [e for e in audit.query(engine, run=run.id)]
    retries = [e for e in events if e.type == LLM_RETRY]
    assert [(e.payload["clausewise.retry.try"], e.payload["http.response.status_code"],
             e.payload["clausewise.retry.retry_after"], e.payload["clausewise.retry.wait_s"]) for e in retries] == [
        (1, 429, "0.2", 0.2), (2, 429, "0.2", 0.2)]
    assert all(e.payload["attempt"] == 1 and e.payload["clausewise.chunk_seq"] == outcome["chunk_seq"] for e in retries)
    kinds = [e.type for e in events if e.type.startswith("llm.")]
    assert kinds == ["llm.request", LLM_RETRY, LLM_RETRY, "llm.response"]  # the retries before the answer
    assert audit.verify(engine).ok


def test_429_past_the_retries_fails_the_chunk_as_rate_limited(engine, tmp_path):
    doc = store_text_document(engine, CONTRACT, "hosting.txt")
    with StubServer(latency=0.05, fail_first=100, retry_after=0.05) as stub:
        settings = _settings(tmp_path, stub, llm_retry_attempts=3)
        run = extract_document(engine, doc, make_backend(settings), settings)
        assert stub.stats()["requests"] == 3  # three tries in all
    assert run.status == "failed"
    (failure,) = run.extraction and run.extraction["chunk_failures"] or [None]
    assert failure["kind"] == "rate_limited" and "HTTP 429" in failure["reason"] and "after 3 tries" in failure["reason"]
    assert len([e for e in audit.query(engine, run=run.id) if e.type == LLM_RETRY]) == 2
    (error,) = [e for e in audit.query(engine, run=run.id) if e.type == "llm.error"]
    assert error.payload["clausewise.failure_kind"] == "rate_limited"


def test_a_retry_after_longer_than_the_time_left_is_not_waited_for():
    with StubServer(latency=0.05, fail_first=100, retry_after=30) as stub:
        backend = OpenAIBackend(stub.base_url, "stub-model", timeout_s=5, retry_attempts=5, retry_max_s=2)
        with pytest.raises(RateLimited) as info:
            backend.complete(_request())
        assert stub.stats()["requests"] == 1
    assert info.value.attempts[0].retries == []


def test_503_without_retry_after_backs_off_and_fails_as_unavailable(tmp_path):
    with StubServer(latency=0.05, fail_first=100, fail_status=503, retry_after=None) as stub:
        backend = OpenAIBackend(stub.base_url, "stub-model", timeout_s=5, retry_attempts=4, retry_max_s=60)
        with pytest.raises(ServiceUnavailable) as info:
            backend.complete(_request())
        assert stub.stats()["requests"] == 4
    retries = info.value.attempts[0].retries
    assert [r["status"] for r in retries] == [503, 503, 503] and [r["retry_after"] for r in retries] == [None] * 3
    # full jitter: each wait is drawn between 0 and a ceiling that doubles from 1 s
    assert all(0 <= r["wait_s"] <= 2 ** i for i, r in enumerate(retries))


@pytest.mark.parametrize("concurrency", [1, 4])
def test_a_server_that_never_answers_times_out_and_the_batch_goes_on(engine, tmp_path, concurrency):
    first = store_text_document(engine, CONTRACT, "hosting.txt")
    second = store_text_document(engine, OTHER, "cleaning.txt")
    with StubServer(latency=0.05, hang_first=1) as stub:  # the first request is held for ever, the rest answered
        settings = _settings(tmp_path, stub, llm_timeout_s=1.0)
        totals = process_documents(engine, [first, second], settings, concurrency=concurrency)
    assert totals["failed"] == 0 and totals["documents"] == 2
    with Session(engine) as s:
        statuses = {d.file_name: (d.status, d.status_reason) for d in s.query(Document)}
    hung = "hosting.txt" if concurrency == 1 else None  # in flight together, either document may get it
    failed = [name for name, (status, _) in statuses.items() if status == "failed"]
    assert len(failed) == 1 and (hung is None or failed == [hung])
    assert statuses[failed[0]][1] == "extraction_failed"
    other = ({"hosting.txt", "cleaning.txt"} - set(failed)).pop()
    assert statuses[other][0] in {"needs_review", "auto_accepted"}  # the next document was processed
    (error,) = [e for e in audit.query(engine) if e.type == "llm.error"]
    assert error.payload["clausewise.failure_kind"] == "timeout" and "did not answer within 1.0 s" in \
        error.payload["error.message"]
    assert audit.verify(engine).ok


def test_a_server_that_refuses_connections_while_it_starts_is_tried_again(tmp_path, monkeypatch):
    """Connection refused on the first calls (the server not up yet), then the server starts on that port: the
    backend's first call (its GET /models probe, then the chat call) succeeds after retries, which are recorded."""
    import threading

    from pipeline.llm import openai as openai_backend

    monkeypatch.setattr(openai_backend, "BACKOFF_S", 0.3)
    port_holder = StubServer(latency=0.05)  # a free port, not listening until started below
    port = port_holder.port
    port_holder._httpd.server_close()
    late: list[StubServer] = []

    def start_later() -> None:
        import time

        time.sleep(1.2)
        late.append(StubServer(latency=0.05, port=port).start())

    threading.Thread(target=start_later, daemon=True).start()
    backend = OpenAIBackend(f"http://127.0.0.1:{port}/v1", "stub-model", "unused-key", retry_attempts=8,
                            retry_max_s=30)
    try:
        result = backend.complete(_request())
    finally:
        for s in late:
            s.stop()
    assert result.parsed is not None
    retries = [r for a in result.attempts for r in a.retries]
    assert retries and all(r["status"] is None and "connection failed" in r["error"] for r in retries)


def test_a_server_that_never_accepts_a_connection_is_unavailable_after_the_retries(tmp_path):
    holder = StubServer(latency=0.05)
    port = holder.port
    holder._httpd.server_close()  # nothing listens on the port
    backend = OpenAIBackend(f"http://127.0.0.1:{port}/v1", "stub-model", "unused-key", retry_attempts=2,
                            retry_max_s=10)
    with pytest.raises(ServiceUnavailable, match=r"cannot reach .* \(after 2 tries\)"):
        backend.complete(_request())


def test_the_openai_backend_without_a_base_url_sends_nothing_anywhere(tmp_path, monkeypatch):
    """No CLAUSEWISE_OPENAI_BASE_URL (and an OPENAI_API_KEY in the shell): refused before any request, never the
    OpenAI client's default server."""
    from pipeline.llm import BackendUnavailable

    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-the-shell")
    with pytest.raises(BackendUnavailable, match="needs CLAUSEWISE_OPENAI_BASE_URL"):
        make_backend(Settings(data_dir=tmp_path, backend="openai", model="gpt-4o-mini"))
