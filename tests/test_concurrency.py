"""Issue #15, item 2: model calls in flight together in one process (``--concurrency`` /
``CLAUSEWISE_CONCURRENCY``). The bound holds for the batch, every request and answer is in the one audit chain
once, and the chain verifies, on SQLite and PostgreSQL; the progress protocol hears every call planned and ended.

Real parts: the fixed-latency OpenAI-compatible HTTP server of ``benchmarks/stub_openai.py`` on 127.0.0.1 (it
counts the requests it holds at once), real SQLite and PostgreSQL stores, a real ``clausewise ingest`` process.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import audit
from benchmarks.stub_openai import StubServer
from pipeline.ingest import ingest_paths
from pipeline.llm import DEFAULT_CONCURRENCY, CallPool, NoProgress, Progress, concurrency_for
from pipeline.run import process_documents
from pipeline.settings import Settings
from pipeline.store import Chunk, Document
from tests.batch_fixtures import clausewise
from tests.extract_fixtures import store_text_document

FINAL = {"needs_review", "auto_accepted"}


def contract(n: int, clauses: int = 3) -> str:
    """Written for these tests: a supply contract of ``clauses`` numbered clauses, one 60-token chunk each (and
    one for the title and preamble), unique to ``n``."""
    parts = [f"SUPPLY AGREEMENT NO. {n}",
             f"This Supply Agreement No. {n} is made on March 1, 2024 between Tarn Valley Foods LLC and "
             "Osprey Retail Inc."]
    parts += [f"{i}. Deliveries. Supplier shall deliver the goods listed in Schedule {n}-{i} to the Buyer's "
              f"warehouse in good order and condition, and shall give the Buyer a packing list for each delivery "
              f"made under Schedule {n}-{i} of Agreement {n}." for i in range(1, clauses + 1)]
    return "\n\n".join(parts)


def _settings(tmp_path, stub: StubServer, **kw) -> Settings:
    return Settings(data_dir=tmp_path, backend="openai", model="stub-model", openai_base_url=stub.base_url,
                    openai_api_key="unused-key-for-the-stub", second_pass=False, llm_max_attempts=1,
                    chunk_tokens=60, chunk_overlap_tokens=0, **kw)


# ---------------------------------------------------------------------------------------------------- the pool


def test_the_pool_keeps_at_most_size_calls_in_flight_and_answers_in_order():
    pool = CallPool(4)
    held, most, lock = [0], [0], threading.Lock()
    all_four = threading.Barrier(4, timeout=30)  # breaks (fails the call) unless 4 calls are in flight together

    def call(i: int) -> int:
        with pool.slot():
            with lock:
                held[0] += 1
                most[0] = max(most[0], held[0])
            if i < 4:
                all_four.wait()
            with lock:
                held[0] -= 1
        return i * i

    with pool:
        assert pool.map_ordered(call, range(12)) == [i * i for i in range(12)]
    assert most[0] == 4


def test_the_pool_raises_the_first_error_in_order_and_starts_nothing_after_it():
    started: list[int] = []
    lock = threading.Lock()
    gate = threading.Event()  # never set

    def call(i: int) -> int:
        with lock:
            started.append(i)
        if i == 1:
            raise ValueError("chunk 1")
        gate.wait(timeout=1)  # the others are still running when the error comes
        return i

    with CallPool(2) as pool:  # 4 threads: items 0..3 start, the rest wait in the queue
        with pytest.raises(ValueError, match="chunk 1"):
            pool.map_ordered(call, range(10))
    # the queued items are cancelled as soon as item 1 fails (item 4 may have been taken by the thread item 1
    # freed just before): nothing near the end of the queue ever starts
    assert 1 in started and set(started) <= {0, 1, 2, 3, 4}


def test_size_one_runs_in_the_callers_thread():
    me = threading.get_ident()
    assert CallPool(1).map_ordered(lambda _: threading.get_ident(), range(3)) == [me] * 3


def test_concurrency_defaults_by_backend_setting_and_the_backends_own_bound(tmp_path):
    assert DEFAULT_CONCURRENCY == {"local": 1, "replay": 1, "openai": 16}
    assert concurrency_for(Settings(data_dir=tmp_path, backend="openai")) == 16
    assert concurrency_for(Settings(data_dir=tmp_path, backend="local")) == 1
    assert concurrency_for(Settings(data_dir=tmp_path, backend="openai", concurrency=3)) == 3
    assert concurrency_for(Settings(data_dir=tmp_path, backend="openai", concurrency=3), requested=5) == 5

    class OneAtATime:
        max_concurrency = 1

    assert concurrency_for(Settings(data_dir=tmp_path, backend="local", concurrency=8), OneAtATime()) == 1


# ------------------------------------------------------------------------------------------ a batch at 16


class Recorder(NoProgress):
    """Counts what a batch reports, from any thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.planned = self.answered = self.cached = self.files = self.pages_read = 0
        self.found: list[int] = []
        self.done: list[tuple[str, str, str]] = []
        self.extracted: list[tuple[int, float]] = []  # (pages, model seconds) of each document done

    def files_found(self, n: int) -> None:
        self.found.append(n)

    def file_read(self, name: str, pages: int = 0) -> None:
        with self.lock:
            self.files += 1
            self.pages_read += pages

    def chunks_planned(self, n: int, second_pass: bool = False) -> None:
        with self.lock:
            self.planned += n

    def chunk_answered(self, input_tokens: int, output_tokens: int, cached: bool, failed: bool = False,
                       second_pass: bool = False) -> None:
        with self.lock:
            self.answered += 1
            self.cached += cached

    def document_done(self, name: str, status: str, line: str, pages: int = 0, model_seconds: float = 0.0) -> None:
        with self.lock:
            self.done.append((name, status, line))
            self.extracted.append((pages, model_seconds))


def test_sixteen_calls_in_flight_put_every_request_and_answer_in_the_chain_once(engine, tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    for n in range(10):
        (folder / f"supply-{n}.txt").write_text(contract(n), encoding="utf-8")
    progress = Recorder()
    assert isinstance(progress, Progress)
    with StubServer(latency=0.5) as stub:
        settings = _settings(tmp_path, stub)
        outcomes = ingest_paths(engine, [folder], settings, progress=progress)
        ids = [o.document_id for o in outcomes]
        totals = process_documents(engine, ids, settings, concurrency=16, progress=progress)
        stats = stub.stats()
    with Session(engine) as s:
        n_chunks = s.scalar(select(func.count()).select_from(Chunk))
        statuses = set(s.scalars(select(Document.status)))
    assert n_chunks == 40 and statuses <= FINAL and totals["documents"] == 10 and totals["failed"] == 0
    assert stats["max_in_flight"] == 16  # the bound was reached, never passed
    assert stats["requests"] == n_chunks and set(stats["by_messages"].values()) == {1}  # each chunk asked once
    events = audit.query(engine)
    requests = Counter((e.document_id, e.payload["clausewise.chunk_seq"]) for e in events if e.type == "llm.request")
    answers = Counter((e.document_id, e.payload["clausewise.chunk_seq"]) for e in events if e.type == "llm.response")
    assert len(requests) == n_chunks and set(requests.values()) == {1}
    assert answers == requests
    for doc in ids:  # within a document, each chunk's answer comes after its request
        seen: set[int] = set()
        for e in events:
            if e.document_id == doc and e.type == "llm.request":
                seen.add(e.payload["clausewise.chunk_seq"])
            elif e.document_id == doc and e.type == "llm.response":
                assert e.payload["clausewise.chunk_seq"] in seen
    result = audit.verify(engine)
    assert result.ok and result.count == len(events)
    assert progress.found == [10] and progress.files == 10
    assert progress.pages_read == sum(o.pages for o in outcomes) == 10  # one page per text file
    # each document's pages and model seconds arrive with it: their sums are the batch's totals
    assert sum(p for p, _ in progress.extracted) == totals["pages"] == 10
    assert sum(m for _, m in progress.extracted) == pytest.approx(totals["seconds"]) and totals["seconds"] > 0
    assert progress.planned == progress.answered == n_chunks and progress.cached == 0
    assert sorted(name for name, _, _ in progress.done) == sorted(f"supply-{n}.txt" for n in range(10))
    assert {status for _, status, _ in progress.done} <= FINAL


def test_a_batch_run_again_takes_every_answer_from_the_store_whatever_the_concurrency(engine, tmp_path):
    docs = [store_text_document(engine, contract(n), f"supply-{n}.txt", chunk_tokens=60, overlap_tokens=0)
            for n in range(3)]
    with StubServer(latency=0.2) as stub:
        settings = _settings(tmp_path, stub)
        process_documents(engine, docs, settings, concurrency=8)
        asked = stub.stats()["requests"]
        with Session(engine) as s:  # extracted again from the start: the answers are stored
            for d in s.scalars(select(Document)):
                d.status = "ingested"
            s.commit()
        progress = Recorder()
        process_documents(engine, docs, settings, concurrency=8, progress=progress)
        assert stub.stats()["requests"] == asked  # no stored answer is asked again
    assert progress.answered == progress.cached == asked


def test_ingest_with_concurrency_reads_and_extracts_every_file(tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    for n in range(5):
        (folder / f"supply-{n}.txt").write_text(contract(n), encoding="utf-8")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7 this is not a PDF")
    data = tmp_path / "data"
    with StubServer(latency=0.5) as stub:
        env = {"CLAUSEWISE_DATA_DIR": str(data), "CLAUSEWISE_BACKEND": "openai", "CLAUSEWISE_MODEL": "stub-model",
               "CLAUSEWISE_OPENAI_BASE_URL": stub.base_url, "CLAUSEWISE_OPENAI_API_KEY": "unused-key-for-the-stub",
               "CLAUSEWISE_CHUNK_TOKENS": "60", "CLAUSEWISE_CHUNK_OVERLAP_TOKENS": "0",
               "CLAUSEWISE_SECOND_PASS": "false", "NO_PROXY": "127.0.0.1"}
        done = clausewise("ingest", "--concurrency", "4", str(folder), env=env)
        stats = stub.stats()
    assert done.returncode == 0, done.stdout + done.stderr
    assert stats["max_in_flight"] == 4 and stats["requests"] == 20
    assert "broken.pdf: failed" in done.stdout  # a bad file gets its status, the batch goes on
    for n in range(5):
        assert f"supply-{n}.txt" in done.stdout
    from pipeline.store import make_engine

    engine = make_engine(f"sqlite:///{data / 'clausewise.db'}")
    with Session(engine) as s:
        statuses = {d.file_name: d.status for d in s.scalars(select(Document))}
    assert statuses.pop("broken.pdf") == "failed" and set(statuses.values()) <= FINAL and len(statuses) == 5
    assert audit.verify(engine).ok
    engine.dispose()


def test_the_settings_and_the_option_are_documented():
    from tests.conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in ("CONCURRENCY", "LLM_RETRY_ATTEMPTS", "LLM_RETRY_MAX_S"):
        assert f"| `CLAUSEWISE_{name}` |" in readme, name
    assert "`ingest --concurrency N`" in readme
    s = Settings()
    assert (s.concurrency, s.llm_retry_attempts, s.llm_retry_max_s) == (None, 5, 120.0)
    shown = clausewise("ingest", "--help", env={"COLUMNS": "200"})
    assert "--concurrency" in shown.stdout and "openai 16" in shown.stdout


def test_a_batch_killed_with_calls_in_flight_resumes_without_asking_again_for_a_stored_answer(tmp_path):
    """Four documents of four chunks at four calls in flight, a real ``ingest`` killed with SIGKILL once some
    answers are stored: the next ``ingest`` asks only what was not stored, every document gets one complete run,
    the runs the kill left are closed as interrupted, and the chain verifies."""
    import hashlib
    import json
    import signal
    import sqlite3
    import time

    from tests.batch_fixtures import start_clausewise

    folder = tmp_path / "batch"
    folder.mkdir()
    for n in range(4):
        (folder / f"supply-{n}.txt").write_text(contract(n), encoding="utf-8")
    data = tmp_path / "data"
    db = data / "clausewise.db"

    def stored() -> dict[str, str]:
        """Each stored answer's messages digest (as the stub computes it) -> its document id."""
        try:
            with sqlite3.connect(db) as c:
                rows = c.execute("SELECT document_id, result FROM model_answers").fetchall()
        except sqlite3.OperationalError:
            return {}  # not migrated yet
        return {hashlib.sha256(json.dumps(json.loads(r)["attempts"][-1]["messages"], sort_keys=True).encode())
                .hexdigest(): d for d, r in rows}

    with StubServer(latency=0.4) as stub:
        env = {"CLAUSEWISE_DATA_DIR": str(data), "CLAUSEWISE_BACKEND": "openai", "CLAUSEWISE_MODEL": "stub-model",
               "CLAUSEWISE_OPENAI_BASE_URL": stub.base_url, "CLAUSEWISE_OPENAI_API_KEY": "unused-key-for-the-stub",
               "CLAUSEWISE_CHUNK_TOKENS": "60", "CLAUSEWISE_CHUNK_OVERLAP_TOKENS": "0",
               "CLAUSEWISE_SECOND_PASS": "false", "CLAUSEWISE_LLM_MAX_ATTEMPTS": "1", "CLAUSEWISE_CONCURRENCY": "4",
               "NO_PROXY": "127.0.0.1"}
        first = start_clausewise("ingest", str(folder), env=env)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(stored()) < 5:
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)  # calls are in flight
        first.wait(timeout=30)
        before = stored()
        assert 5 <= len(before) < 16, len(before)
        asked_first = len(stub.requests)

        again = start_clausewise("ingest", str(folder), env=env)
        out, err = again.communicate(timeout=300)
        assert again.returncode == 0, out + err
        asked_again = [r.digest for r in stub.requests[asked_first:]]
        everything = stored()
    assert len(everything) == 16 and set(everything) <= {r.digest for r in stub.requests}  # digests comparable
    assert not set(asked_again) & set(before)  # no stored answer was asked for again
    assert len(asked_again) == 16 - len(before) and len(set(asked_again)) == len(asked_again)
    from pipeline.store import ExtractionRun, make_engine

    engine = make_engine(f"sqlite:///{db}")
    with Session(engine) as s:
        assert set(s.scalars(select(Document.status))) <= FINAL
        runs: dict[str, list[str]] = {}
        for r in s.scalars(select(ExtractionRun)):
            runs.setdefault(r.document_id, []).append(r.status)
    assert len(runs) == 4
    for statuses in runs.values():
        assert statuses.count("complete") == 1 and set(statuses) <= {"complete", "interrupted"}
    interrupted = sum(statuses.count("interrupted") for statuses in runs.values())
    assert interrupted >= 1 and len(audit.query(engine, type_glob="extraction.interrupted")) == interrupted
    assert audit.verify(engine).ok
    engine.dispose()


def test_an_error_that_concerns_every_document_stops_the_batch_at_any_concurrency(engine, tmp_path):
    """A replay without recorded answers: the first miss is raised, documents not started are left ``ingested``
    and unclaimed, and no lease is left held."""
    from pipeline.llm import ReplayMiss

    docs = [store_text_document(engine, contract(n), f"supply-{n}.txt", chunk_tokens=60, overlap_tokens=0)
            for n in range(6)]
    settings = Settings(data_dir=tmp_path, backend="replay", model="qwen2.5-coder-0.5b", replay_dir=tmp_path / "none",
                        second_pass=False, chunk_tokens=60, chunk_overlap_tokens=0)
    with pytest.raises(ReplayMiss):
        process_documents(engine, iter(docs), settings, concurrency=2)
    with Session(engine) as s:
        rows = list(s.scalars(select(Document)))
        assert {d.status for d in rows} == {"ingested"} and all(d.lease_holder is None for d in rows)
        from pipeline.store import ExtractionRun

        started = {r.document_id for r in s.scalars(select(ExtractionRun))}
    assert 1 <= len(started) < 6  # stopped before the end of the batch
