"""Issue #15 (batch faults, h5): the job queue under the faults real batches meet.

Real processes on a real PostgreSQL: ``clausewise ingest --queue`` and ``clausewise worker`` processes against
the fixed-latency OpenAI-compatible server of ``benchmarks/stub_openai.py`` (the only stand-in, at the LLM
boundary), signalled for real.
"""

from __future__ import annotations

import signal
import time

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

import audit
from benchmarks.stub_openai import StubServer
from pipeline.queue import pending_jobs, queue_counts, start_workers
from pipeline.store import Document, ExtractionRun, ModelAnswer, make_engine
from tests.test_queue import FINAL, _clausewise, _env, _write_batch, pg_url  # noqa: F401 - pg_url: a fixture


def _held_with_answer(engine, pid: int) -> str | None:
    """A document whose lease the worker ``pid`` holds and one of whose chunk answers is stored."""
    with Session(engine) as s:
        for doc in s.scalars(select(Document).where(Document.lease_holder.like(f"%:{pid}:%"))):
            if s.scalar(select(func.count()).select_from(ModelAnswer).where(ModelAnswer.document_id == doc.id)):
                return doc.id
    return None


def test_sigterm_mid_job_lets_the_running_jobs_finish_and_leaves_the_rest_queued(pg_url, tmp_path):
    folder = tmp_path / "in"
    _write_batch(folder, 6)
    with StubServer(latency=0.6) as stub:
        env = _env(tmp_path, stub, pg_url)
        queued = _clausewise("ingest", "--queue", str(folder), env=env, cwd=tmp_path)
        assert queued.returncode == 0, queued.stdout + queued.stderr
        engine = make_engine(pg_url)
        (worker,) = start_workers(pg_url, 1, 2, env=env, cwd=tmp_path, until_empty=False)
        try:
            deadline = time.monotonic() + 120
            mid = None
            while mid is None and time.monotonic() < deadline and worker.poll() is None:
                mid = _held_with_answer(engine, worker.pid)
                time.sleep(0.02)
            assert mid is not None, "the worker never held a document with a stored answer"
            running = {d for d, st in pending_jobs(engine).items() if st == "doing"}
            worker.send_signal(signal.SIGTERM)
            out, _ = worker.communicate(timeout=120)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    assert worker.returncode == 0, out
    assert "stopping; the jobs running finish first" in out
    with Session(engine) as s:
        docs = {d.id: d.status for d in s.scalars(select(Document))}
        runs = [(r.document_id, r.status) for r in s.scalars(select(ExtractionRun))]
    assert mid in running and docs[mid] in FINAL, (docs, out)  # the job running at the signal finished
    assert all(st != "running" for _, st in runs), runs  # nothing half-written
    counts = queue_counts(engine)
    assert counts.get("doing", 0) == 0, counts  # no job left as if its worker were lost
    assert counts.get("succeeded", 0) >= 1 and sum(counts.values()) == 6, counts
    for d, st in docs.items():  # a document is final exactly when its job succeeded; the others wait, untouched
        assert (st in FINAL) == (d in running or st in FINAL)
    assert audit.verify(engine).ok
    engine.dispose()


def test_a_worker_stopped_while_its_job_waits_for_a_lease_does_not_use_up_an_attempt(pg_url, tmp_path):
    """A job waiting for another process's lease is put back in the queue when its worker stops (SIGTERM); it did
    no work, so the stop is not one of the ``queue_max_attempts``: two stops used to leave the next real run
    numbered "attempt 3 of 2", and a failure then ended the document ``failed`` on its first real attempt."""
    from pipeline.store import leases

    folder = tmp_path / "in"
    _write_batch(folder, 1)
    with StubServer(latency=0.05) as stub:
        env = _env(tmp_path, stub, pg_url, CLAUSEWISE_QUEUE_MAX_ATTEMPTS="2")
        assert _clausewise("ingest", "--queue", str(folder), env=env, cwd=tmp_path).returncode == 0
        engine = make_engine(pg_url)
        with Session(engine) as s:
            (doc_id,) = s.scalars(select(Document.id))
        holder = "another-machine:4242:deadbeef"
        assert leases.claim(engine, doc_id, holder, seconds=600)  # a live process elsewhere holds it
        for _ in range(2):
            (worker,) = start_workers(pg_url, 1, 1, env=env, cwd=tmp_path, until_empty=False)
            try:
                deadline = time.monotonic() + 60
                while pending_jobs(engine).get(doc_id) != "doing" and time.monotonic() < deadline:
                    time.sleep(0.05)
                assert pending_jobs(engine).get(doc_id) == "doing"  # the job runs and waits for the lease
                worker.send_signal(signal.SIGTERM)
                out, _ = worker.communicate(timeout=60)
            finally:
                if worker.poll() is None:
                    worker.kill()
                    worker.wait()
            assert worker.returncode == 0, out
            assert pending_jobs(engine).get(doc_id) == "todo", out  # back in the queue
        with engine.connect() as c:
            attempts = c.execute(text("SELECT attempts FROM procrastinate_jobs WHERE args->>'document_id' = :d"),
                                 {"d": doc_id}).scalar()
        assert attempts == 0  # two stops, no attempt made
        leases.release(engine, doc_id, holder)
        done = _clausewise("worker", "--until-empty", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "attempt 1 of 2" in done.stdout, done.stdout
    assert _clausewise_status(engine, doc_id) in FINAL
    assert audit.verify(engine).ok
    engine.dispose()


def _clausewise_status(engine, doc_id: str) -> str:
    with Session(engine) as s:
        return s.get(Document, doc_id).status
