"""Issue #15, items 3 and 4: a PostgreSQL job queue (procrastinate) and workers on many machines.

Real processes on a real PostgreSQL: ``clausewise ingest --queue`` stores the files and queues one job per
document; ``clausewise worker`` processes run them against a fixed-latency OpenAI-compatible server (the only
stand-in, at the LLM boundary). One worker is killed with SIGKILL mid-batch and the other finishes; a worker in
another folder, with the input folder deleted, reads everything from the database; the last attempt of a job that
keeps failing ends the document ``failed``; ``--queue`` on SQLite is refused with one line.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

import audit
from benchmarks.stub_openai import StubServer
from pipeline.queue import TASK, JobRunner, pending_jobs, queue_counts, run_workers, start_workers
from pipeline.settings import Settings
from pipeline.store import Document, ExtractionRun, FindingRow, ModelAnswer, ReviewItem, make_engine
from tests.conftest import REPO, migrated_pg_database

FINAL = {"needs_review", "auto_accepted"}


def contract(tag: str) -> str:
    """A contract whose every clause names ``tag``: each chunk of it is text no other document has (a stored
    answer of one document is never the answer of another's chunk)."""
    clauses = [
        f"MASTER SUPPLY AGREEMENT {tag}",
        f"This Master Supply Agreement {tag} is made on March 1, 2024 between Acme Components {tag} Inc., a "
        f"Delaware corporation (\"Supplier\"), and Beta Retail {tag} LLC, a Texas limited liability company "
        "(\"Buyer\").",
        f"1. Term. Agreement {tag} begins on the Effective Date and continues for two (2) years.",
        f"2. Payment. Buyer shall pay each invoice under Agreement {tag} within thirty (30) days of receipt.",
        f"3. Notices. Notices under Agreement {tag} are given in writing to the addresses above.",
        f"4. Governing Law. Agreement {tag} is governed by the laws of the State of New York.",
    ]
    return "\n\n".join(clauses) + "\n"


@pytest.fixture
def pg_url(request) -> str:
    """A fresh migrated PostgreSQL database (a copy of the session's template) and its URL; dropped after."""
    with migrated_pg_database(request, "cw_queue") as url:
        yield url


@pytest.fixture
def stub():
    with StubServer(latency=0.4) as server:
        yield server


def _env(tmp_path: Path, stub: StubServer | None, db_url: str | None, **extra: str) -> dict[str, str]:
    """The environment of a ``clausewise`` process: none of this shell's CLAUSEWISE_/OPENAI_ settings; the
    stub as the model server; small chunks (several calls per document), one attempt per call, no second pass;
    lost workers found after 2 s without a heartbeat."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAUSEWISE_", "OPENAI_"))}
    env.update({"PYTHONPATH": str(REPO), "COLUMNS": "250", "NO_COLOR": "1", "NO_PROXY": "127.0.0.1",
                "CLAUSEWISE_DATA_DIR": str(tmp_path / "data"), "CLAUSEWISE_CHUNK_TOKENS": "60",
                "CLAUSEWISE_CHUNK_OVERLAP_TOKENS": "0", "CLAUSEWISE_SECOND_PASS": "false",
                "CLAUSEWISE_LLM_MAX_ATTEMPTS": "1", "CLAUSEWISE_WORKER_HEARTBEAT_SECONDS": "0.5",
                "CLAUSEWISE_WORKER_STALLED_SECONDS": "2", "CLAUSEWISE_WORKER_POLL_SECONDS": "0.5",
                "CLAUSEWISE_QUEUE_RETRY_SECONDS": "0"})
    if stub is not None:
        env.update({"CLAUSEWISE_BACKEND": "openai", "CLAUSEWISE_MODEL": "stub-model",
                    "CLAUSEWISE_OPENAI_BASE_URL": stub.base_url, "CLAUSEWISE_OPENAI_API_KEY": "unused-stub-key"})
    if db_url is not None:
        env["CLAUSEWISE_DATABASE_URL"] = db_url
    env.update(extra)
    return env


def _clausewise(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from pipeline.cli import main; main()", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def _write_batch(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True)
    paths = []
    for i in range(n):
        p = folder / f"contract-{i:02d}.txt"
        p.write_text(contract(f"Q{i:02d}"), encoding="utf-8")
        paths.append(p)
    return paths


def _digest(messages: list) -> str:
    """The stub's digest of a request's messages (benchmarks/stub_openai.py)."""
    return hashlib.sha256(json.dumps(messages, sort_keys=True).encode()).hexdigest()


def _stored_digests(engine) -> set[str]:
    with Session(engine) as s:
        return {_digest(r.result["attempts"][-1]["messages"]) for r in s.scalars(select(ModelAnswer))}


def _runs_by_document(engine) -> dict[str, list[str]]:
    with Session(engine) as s:
        out: dict[str, list[str]] = {d: [] for d in s.scalars(select(Document.id))}
        for r in s.scalars(select(ExtractionRun).order_by(ExtractionRun.started_at)):
            out[r.document_id].append(r.status)
    return out


def _statuses(engine) -> dict[str, str]:
    with Session(engine) as s:
        return {d.file_name: d.status for d in s.scalars(select(Document))}


def test_queue_on_sqlite_is_refused_with_one_line(tmp_path):
    folder = tmp_path / "in"
    _write_batch(folder, 1)
    env = _env(tmp_path, None, None)  # no database URL: SQLite in the data folder
    for args in (("ingest", "--queue", str(folder)), ("worker",)):
        done = _clausewise(*args, env=env, cwd=tmp_path)
        assert done.returncode == 2, done.stdout + done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1, done.stderr
        assert "needs PostgreSQL" in lines[0] and "sqlite:///" in lines[0], lines[0]
        assert done.stdout == ""
    assert not (tmp_path / "data" / "clausewise.db").exists()  # refused before anything was read or stored


def test_two_workers_one_killed_mid_batch_the_other_finishes(pg_url, stub, tmp_path):
    folder = tmp_path / "in"
    _write_batch(folder, 12)
    env = _env(tmp_path, stub, pg_url)
    queued = _clausewise("ingest", "--queue", str(folder), env=env, cwd=tmp_path)
    assert queued.returncode == 0, queued.stdout + queued.stderr
    assert "12 documents queued" in queued.stdout
    assert stub.requests == []  # ingest --queue asks the model nothing
    again = _clausewise("ingest", "--queue", str(folder), env=env, cwd=tmp_path)
    assert again.returncode == 0 and "0 documents queued, 12 already queued" in again.stdout, again.stdout
    engine = make_engine(pg_url)
    assert queue_counts(engine) == {"todo": 12}  # one job per document, however often it is queued

    doomed, survivor = start_workers(pg_url, 1, 2, env=env, cwd=tmp_path)[0], None
    try:
        # kill the first worker while it holds a document some of whose chunk answers are stored
        deadline = time.monotonic() + 120
        victim_doc = None
        while victim_doc is None and time.monotonic() < deadline and doomed.poll() is None:
            with Session(engine) as s:
                for doc in s.scalars(select(Document).where(Document.lease_holder.like(f"%:{doomed.pid}:%"))):
                    n = s.scalar(select(func.count()).select_from(ModelAnswer)
                                 .where(ModelAnswer.document_id == doc.id))
                    if n:
                        victim_doc = doc.id
                        break
            time.sleep(0.02)
        assert victim_doc is not None, "the first worker never held a document with a stored answer"
        survivor = start_workers(pg_url, 1, 2, env=env, cwd=tmp_path)[0]
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=30)
        assert doomed.returncode == -signal.SIGKILL
        stored_at_kill = _stored_digests(engine)
        asked_at_kill = len(stub.requests)
        assert pending_jobs(engine).get(victim_doc) == "doing"  # its job was running when its worker died
        out, _ = survivor.communicate(timeout=300)
    finally:
        for p in (doomed, survivor):
            if p is not None and p.poll() is None:
                p.kill()
                p.wait()
    assert survivor.returncode == 0, out

    statuses = _statuses(engine)
    assert len(statuses) == 12 and set(statuses.values()) <= FINAL, (statuses, out)
    assert queue_counts(engine) == {"succeeded": 12}, out
    with engine.connect() as c:  # the dead worker's jobs were tried again: two attempts each, one the others
        attempts = dict(c.execute(text("SELECT args->>'document_id', attempts FROM procrastinate_jobs "
                                       "WHERE task_name = :t"), {"t": TASK}).all())
    retried = [d for d, n in attempts.items() if n == 2]
    assert set(attempts.values()) <= {1, 2}, attempts
    assert victim_doc in retried and 1 <= len(retried) <= 2, retried
    assert "its worker was lost on attempt 1 of 3" in out
    for doc_id, runs in _runs_by_document(engine).items():  # one complete run each, beside interrupted ones
        assert runs.count("complete") == 1 and set(runs) <= {"complete", "interrupted"}, (doc_id, runs)
    assert _runs_by_document(engine)[victim_doc] in (["interrupted", "complete"], ["complete"])  # killed mid-run or
    # mid-verification
    verified = Counter(e.document_id for e in audit.query(engine, type_glob=audit.events.DOCUMENT_VERIFIED))
    assert verified == {d: 1 for d in _runs_by_document(engine)}  # each reached its final state exactly once

    # no stored chunk answer was asked for again; only the calls in flight at the kill (at most 2) were
    by_messages = Counter(r.digest for r in stub.requests)
    assert all(by_messages[d] == 1 for d in stored_at_kill), [d for d in stored_at_kill if by_messages[d] > 1]
    twice = [d for d, n in by_messages.items() if n > 1]
    assert len(twice) <= 2 and all(by_messages[d] == 2 for d in twice), by_messages
    assert len(stub.requests) > asked_at_kill  # the survivor asked what was left
    lines = [ln for ln in out.splitlines() if ln.startswith("contract-")]
    assert sum(1 for ln in lines if "needs_review" in ln or "auto_accepted" in ln) >= 1  # one line per document
    checked = _clausewise("audit", "verify", env=env, cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    engine.dispose()


def test_a_worker_elsewhere_needs_only_the_database(pg_url, stub, tmp_path):
    folder = tmp_path / "in"
    _write_batch(folder, 3)
    env = _env(tmp_path, stub, pg_url)
    queued = _clausewise("ingest", "--queue", str(folder), env=env, cwd=tmp_path)
    assert queued.returncode == 0, queued.stdout + queued.stderr
    shutil.rmtree(folder)  # the paths given to ingest exist no more
    elsewhere = tmp_path / "another-machine"
    elsewhere.mkdir()
    result = run_workers(pg_url, 1, 2, env=_env(elsewhere, stub, pg_url), cwd=elsewhere, timeout=300)
    assert result.returncodes == [0], result.outputs
    engine = make_engine(pg_url)
    statuses = _statuses(engine)
    assert sorted(statuses) == ["contract-00.txt", "contract-01.txt", "contract-02.txt"]
    assert set(statuses.values()) <= FINAL, (statuses, result.outputs)
    assert result.counts == {"succeeded": 3}
    out = result.outputs[0]
    for name in statuses:  # one line per document with its outcome
        assert sum(1 for ln in out.splitlines() if ln.startswith(f"{name} (")) == 1, out
    assert len(stub.requests) >= 3
    engine.dispose()


def test_a_job_run_again_stores_nothing_new(pg_url, stub, tmp_path):
    folder = tmp_path / "in"
    _write_batch(folder, 1)
    env = _env(tmp_path, stub, pg_url)
    assert _clausewise("ingest", "--queue", str(folder), env=env, cwd=tmp_path).returncode == 0
    result = run_workers(pg_url, 1, 1, env=env, cwd=tmp_path, timeout=300)
    assert result.counts == {"succeeded": 1}, result.outputs
    engine = make_engine(pg_url)

    def counts():
        with Session(engine) as s:
            return tuple(s.scalar(select(func.count()).select_from(t)) for t in (ExtractionRun, FindingRow, ReviewItem))

    before, asked = counts(), len(stub.requests)
    assert before[0] == 1
    (doc_id,) = _runs_by_document(engine)
    settings = Settings(database_url=pg_url, backend="openai", model="stub-model", openai_base_url=stub.base_url,
                        openai_api_key="unused-stub-key", data_dir=tmp_path / "data", second_pass=False)
    lines = []
    runner = JobRunner(engine, settings)
    runner.log.line = lines.append  # type: ignore[method-assign]
    assert runner.run(doc_id, attempt=2) in FINAL  # the same job delivered twice
    assert counts() == before and len(stub.requests) == asked  # no run, finding, review item or call more
    assert len(lines) == 1 and "attempt 2 of 3" in lines[0]
    engine.dispose()


def test_a_job_that_keeps_failing_ends_the_document_failed_after_the_last_attempt(pg_url, tmp_path):
    folder = tmp_path / "in"
    _write_batch(folder, 1)
    empty = tmp_path / "no-recordings"
    empty.mkdir()
    env = _env(tmp_path, None, pg_url, CLAUSEWISE_BACKEND="replay", CLAUSEWISE_MODEL="qwen2.5-coder-0.5b",
               CLAUSEWISE_REPLAY_DIR=str(empty))  # every call raises: no recorded answer
    assert _clausewise("ingest", "--queue", str(folder), env=env, cwd=tmp_path).returncode == 0
    result = run_workers(pg_url, 1, 1, env=env, cwd=tmp_path, timeout=300)
    assert result.returncodes == [0], result.outputs
    assert result.counts == {"failed": 1}
    engine = make_engine(pg_url)
    with Session(engine) as s:
        (doc,) = s.scalars(select(Document))
        assert (doc.status, doc.status_reason) == ("failed", "extraction_failed")
        assert doc.status_message.startswith("3 attempts of the queue failed; the last: ReplayMiss"), doc.status_message
    with engine.connect() as c:
        assert c.execute(text("SELECT attempts FROM procrastinate_jobs")).scalar() == 3
    out = result.outputs[0]
    assert out.count("attempt 1 of 3 stopped") == 1 and out.count("attempt 2 of 3 stopped") == 1, out
    assert "failed (extraction_failed) after 3 attempts" in out
    failed = [e for e in audit.query(engine, type_glob=audit.events.DOCUMENT_FAILED) if e.document_id == doc.id]
    assert len(failed) == 1 and failed[0].payload["message"] == doc.status_message
    engine.dispose()


def test_a_worker_lost_on_the_last_attempt_ends_the_document_failed(pg_url, tmp_path):
    folder = tmp_path / "in"
    _write_batch(folder, 1)
    with StubServer(latency=0.4, hang=True) as stub:  # the first worker's call never returns
        env = _env(tmp_path, stub, pg_url, CLAUSEWISE_QUEUE_MAX_ATTEMPTS="1")
        assert _clausewise("ingest", "--queue", str(folder), env=env, cwd=tmp_path).returncode == 0
        engine = make_engine(pg_url)
        (doomed,) = start_workers(pg_url, 1, 1, env=env, cwd=tmp_path)
        try:
            deadline = time.monotonic() + 120
            while not stub.requests and time.monotonic() < deadline and doomed.poll() is None:
                time.sleep(0.02)
            assert stub.requests, "the worker never called the model"
        finally:
            doomed.send_signal(signal.SIGKILL)
            doomed.wait(timeout=30)
        result = run_workers(pg_url, 1, 1, env=env, cwd=tmp_path, timeout=300)
    assert result.returncodes == [0], result.outputs
    assert result.counts == {"failed": 1}
    with Session(engine) as s:
        (doc,) = s.scalars(select(Document))
        assert (doc.status, doc.status_reason) == ("failed", "extraction_failed")
        assert doc.status_message == ("1 attempt of the queue failed; the last: its worker was lost (no heartbeat "
                                      "for 2 s)")
        assert doc.lease_holder is None
    assert _runs_by_document(engine)[doc.id] == ["interrupted"]  # the lost worker's run, closed
    assert f"contract-00.txt ({doc.id[:12]}): failed (extraction_failed) - 1 attempt" in result.outputs[0]
    assert audit.verify(engine).ok
    engine.dispose()


def test_a_job_waits_for_a_lease_held_on_another_machine_then_carries_the_document_on(pg_url, stub, tmp_path):
    """The lease of a worker lost on another machine lapses only at its expiry: the job retried here must not
    skip the document it finds held (and succeed with nothing done), but wait and carry it on."""
    from pipeline.store import leases

    folder = tmp_path / "in"
    _write_batch(folder, 1)
    env = _env(tmp_path, stub, pg_url)
    assert _clausewise("ingest", "--queue", str(folder), env=env, cwd=tmp_path).returncode == 0
    engine = make_engine(pg_url)
    (doc_id,) = _runs_by_document(engine)
    assert leases.claim(engine, doc_id, "another-machine:4242:deadbeef", seconds=3)  # not renewed: lapses in 3 s
    settings = Settings(database_url=pg_url, backend="openai", model="stub-model", openai_base_url=stub.base_url,
                        openai_api_key="unused-stub-key", data_dir=tmp_path / "data", second_pass=False,
                        chunk_tokens=60, chunk_overlap_tokens=0, worker_poll_seconds=0.5)
    lines = []
    runner = JobRunner(engine, settings)
    runner.log.line = lines.append  # type: ignore[method-assign]
    assert runner.run(doc_id, attempt=1) in FINAL
    assert _runs_by_document(engine)[doc_id] == ["complete"]
    with Session(engine) as s:
        (run,) = s.scalars(select(ExtractionRun))
        assert run.holder != "another-machine:4242:deadbeef" and s.get(Document, doc_id).lease_holder is None
    assert len(lines) == 1 and "attempt 1 of 3" in lines[0], lines
    engine.dispose()


def test_a_worker_runs_as_many_jobs_at_once_as_its_concurrency(pg_url, tmp_path):
    """``worker --concurrency 8``: 8 one-chunk documents are all in flight at once (the default thread pool of
    an event loop on 2 cores holds only 6 jobs)."""
    with StubServer(latency=1.5) as server:
        _write_batch(tmp_path / "in", 8)
        env = _env(tmp_path, server, pg_url, CLAUSEWISE_CHUNK_TOKENS="2000")  # one chunk per document
        res = _clausewise("ingest", "--queue", str(tmp_path / "in"), env=env, cwd=tmp_path)
        assert res.returncode == 0, res.stdout + res.stderr
        out = run_workers(pg_url, 1, 8, env=env, cwd=tmp_path, timeout=300)
        assert out.returncodes == [0], out.outputs
        assert server.stats()["answered"] == 8
        assert server.max_in_flight == 8
    ended = re.search(r"its jobs ended: ([^;]+);", out.outputs[0])
    assert ended, out.outputs[0]
    counts = dict(part.rsplit(" ", 1) for part in ended.group(1).split(", "))
    assert set(counts) <= FINAL and sum(int(v) for v in counts.values()) == 8  # its own jobs, not the queue's


def test_a_worker_whose_backend_cannot_run_stops_at_once_and_leaves_the_jobs_queued(pg_url, tmp_path):
    """A worker on a machine without the model: one line, exit 2, no job taken (no attempt used up); a worker
    takes its concurrency from CLAUSEWISE_CONCURRENCY like the other commands."""
    with StubServer(latency=0.2) as server:
        _write_batch(tmp_path / "in", 2)
        env = _env(tmp_path, server, pg_url)
        res = _clausewise("ingest", "--queue", str(tmp_path / "in"), env=env, cwd=tmp_path)
        assert res.returncode == 0, res.stdout + res.stderr
        no_model = _env(tmp_path, None, pg_url, CLAUSEWISE_BACKEND="local",
                        CLAUSEWISE_CACHE_DIR=str(tmp_path / "empty-cache"))
        res = _clausewise("worker", "--until-empty", env=no_model, cwd=tmp_path)
        assert res.returncode == 2, res.stdout + res.stderr
        assert "the model backend cannot run" in res.stderr and "is not installed" in res.stderr
        assert "Traceback" not in res.stderr
        engine = make_engine(pg_url)
        try:
            with engine.connect() as c:
                jobs = c.execute(text("SELECT status::text, attempts FROM procrastinate_jobs")).all()
            assert sorted(jobs) == [("todo", 0), ("todo", 0)]
        finally:
            engine.dispose()
        res = _clausewise("worker", "--until-empty", env={**env, "CLAUSEWISE_CONCURRENCY": "4"}, cwd=tmp_path)
        assert res.returncode == 0, res.stdout + res.stderr
        assert "concurrency 4," in res.stdout + res.stderr
