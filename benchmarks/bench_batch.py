"""Batch benchmark: how close the model phase of a batch comes to the ideal at C calls in flight.

Usage: .venv/bin/python benchmarks/bench_batch.py [--latency 2] [--chunks 64] [--chunks-per-doc 4]
       [--concurrency 1,4,16] [--workers 1] [--pg-admin-url URL]
   e.g. .venv/bin/python benchmarks/bench_batch.py --workers 2 --concurrency 8 \
            --pg-admin-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres

A real OpenAI-compatible HTTP server on 127.0.0.1 (``benchmarks/stub_openai.py``, started as its own process so
its threads do not share the pipeline's GIL) answers every chat request with a schema-valid JSON after a fixed
latency L, with no limit on requests in flight. For each C, a fresh store (a temporary SQLite file, or a new
PostgreSQL database on ``--pg-admin-url``, dropped after) gets ``--chunks`` / ``--chunks-per-doc`` text
contracts of ``--chunks-per-doc`` chunks each (chunk budget 60 tokens, no overlap, no second pass, one attempt
per call), read with ``ingest_paths``; then ``process_documents(..., concurrency=C)`` extracts and verifies them
all, chunks of a document in flight together and documents in flight together, in one process.

Printed per C:

- ``ideal``: ``ceil(N / C) * L`` seconds, N the chunks sent to the model;
- ``measured``: the model phase as the server saw it, from the first request received to the last answer sent
  (its ``/stats``), seconds;
- ``ideal/measured``: 1.0 would be no time lost between calls;
- ``wall``: ``process_documents`` from call to return (the model phase, plus claiming, storing and verifying);
- ``cpu/chunk``: this process's CPU seconds (user + system, every thread) during ``process_documents`` divided
  by N: the pipeline's own work per chunk outside the model (prompt building, HTTP client, parsing, grounding,
  database writes, audit hashing, verification); the server's CPU is not counted;
- ``max in flight``: the most requests the server held at once.

``--workers W`` (W > 1, PostgreSQL only): the job queue instead of one process. The contracts are read and
stored as above, W ``clausewise worker --concurrency C`` processes are started and waited for until each has
registered with the queue (its heartbeat row), then one job per document is deferred (as ``ingest --queue``
does), and the workers run them, C jobs at once each, one call at a time per job: W x C calls in flight. The
ideal is ``ceil(N / (W * C)) * L``; ``cpu/chunk`` is the workers' CPU (``RUSAGE_CHILDREN`` of the exited
worker processes) divided by N, and includes each worker's start-up (imports, the backend's set-up).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from sqlalchemy import func, select, text

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline import Settings, ingest_paths, process_documents  # noqa: E402
from pipeline.store import Chunk, make_engine, upgrade  # noqa: E402
from tests.scratch_databases import admin_engine, scratch_database  # noqa: E402

STUB = Path(__file__).with_name("stub_openai.py")


def contract(doc: int, clauses: int) -> str:
    """A short supply contract: its title and preamble, then ``clauses`` numbered clauses, each one 60-token
    chunk (the title and preamble one more), unique to ``doc`` so that no answer is taken from the store."""
    parts = [f"SUPPLY AGREEMENT NO. {doc}",
             f"This Supply Agreement No. {doc} is made on March 1, 2024 between Tarn Valley Foods LLC and "
             f"Osprey Retail Inc."]
    for i in range(1, clauses + 1):
        parts.append(f"{i}. Deliveries. Supplier shall deliver the goods listed in Schedule {doc}-{i} to the "
                     f"Buyer's warehouse in good order and condition, and shall give the Buyer a packing list for "
                     f"each delivery made under Schedule {doc}-{i} of Agreement {doc}.")
    return "\n\n".join(parts)


class Stub:
    """``stub_openai.py`` as a child process on a free port."""

    def __init__(self, latency: float) -> None:
        self.proc = subprocess.Popen([sys.executable, str(STUB), "--latency", str(latency)],
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().strip()
        if not line.startswith("listening on "):
            self.proc.kill()
            raise SystemExit(f"the stub server did not start: {line!r}")
        self.base_url = line.removeprefix("listening on ")

    def stats(self) -> dict:
        with urllib.request.urlopen(self.base_url + "/stats", timeout=10) as r:
            return json.load(r)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def fresh_store(pg_admin_url: str | None, work: Path) -> tuple[str, callable]:
    """A URL of an empty store and the function that removes it: a SQLite file in ``work``, or a new PostgreSQL
    database on the server of ``pg_admin_url`` (:func:`tests.scratch_databases.scratch_database`)."""
    if not pg_admin_url:
        return f"sqlite:///{work / 'bench.db'}", lambda: None
    admin = admin_engine(pg_admin_url)
    scratch = scratch_database(admin, "cw_bench")
    url = scratch.__enter__()

    def drop() -> None:
        scratch.__exit__(None, None, None)
        admin.dispose()

    return url, drop


def _store_with_contracts(url: str, work: Path, args: argparse.Namespace):
    """A migrated engine on ``url`` and a folder ``work/docs`` of ``--chunks`` / ``--chunks-per-doc`` contracts
    (:func:`contract`; the title and preamble are a chunk of their own)."""
    engine = make_engine(url)
    upgrade(engine)
    docs = work / "docs"
    docs.mkdir()
    for d in range(math.ceil(args.chunks / args.chunks_per_doc)):
        (docs / f"contract-{d:03d}.txt").write_text(contract(d, args.chunks_per_doc - 1), encoding="utf-8")
    return engine, docs


def run_single(c: int, args: argparse.Namespace) -> dict:
    """One measurement at ``c`` calls in flight in this process."""
    work = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    stub = Stub(args.latency)
    url, drop = fresh_store(args.pg_admin_url, work)
    try:
        engine, docs = _store_with_contracts(url, work, args)
        settings = Settings(data_dir=work / "data", database_url=url, backend="openai", model="stub-model",
                            openai_base_url=stub.base_url, openai_api_key="unused-key-for-the-stub",
                            chunk_tokens=60, chunk_overlap_tokens=0, second_pass=False, llm_max_attempts=1)
        outcomes = ingest_paths(engine, [docs], settings)
        ids = [o.document_id for o in outcomes if o.document_id]
        with engine.connect() as conn:
            n = conn.execute(select(func.count()).select_from(Chunk)).scalar_one()
        import instructor  # noqa: F401  # the client libraries' one-time import is not the batch's work
        import openai  # noqa: F401

        cpu0, t0 = time.process_time(), time.perf_counter()
        totals = process_documents(engine, ids, settings, concurrency=c)
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        stats = stub.stats()
        engine.dispose()
    finally:
        stub.stop()
        drop()
        shutil.rmtree(work, ignore_errors=True)
    if stats["requests"] != n or stats["answered"] != n or totals["failed"]:
        raise SystemExit(f"C={c}: {n} chunks but {stats['requests']} requests, {stats['answered']} answered, "
                         f"{totals['failed']} documents failed")
    measured = stats["last_answered"] - stats["first_received"]
    ideal = math.ceil(n / c) * args.latency
    return {"C": c, "documents": len(ids), "N": n, "ideal": ideal, "measured": measured, "ratio": ideal / measured,
            "wall": wall, "cpu_per_chunk": cpu / n, "max_in_flight": stats["max_in_flight"]}


def _registered_workers(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM procrastinate_workers")).scalar_one()


def run_workers(workers: int, c: int, args: argparse.Namespace) -> dict:
    """``workers`` job-queue worker processes of ``c`` jobs at once each, on one PostgreSQL store: the same
    figures as :func:`run_single` (module docstring)."""
    import resource
    import signal

    from pipeline.queue import defer_documents, start_workers

    if not args.pg_admin_url:
        raise SystemExit("--workers above 1 runs the job queue, which needs PostgreSQL: give --pg-admin-url")
    work = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    stub = Stub(args.latency)
    url, drop = fresh_store(args.pg_admin_url, work)
    procs: list[subprocess.Popen] = []
    try:
        engine, docs = _store_with_contracts(url, work, args)
        settings = Settings(data_dir=work / "data", database_url=url, chunk_tokens=60, chunk_overlap_tokens=0)
        outcomes = ingest_paths(engine, [docs], settings)
        ids = [o.document_id for o in outcomes if o.document_id]
        with engine.connect() as conn:
            n = conn.execute(select(func.count()).select_from(Chunk)).scalar_one()
        env = {"CLAUSEWISE_BACKEND": "openai", "CLAUSEWISE_MODEL": "stub-model",
               "CLAUSEWISE_OPENAI_BASE_URL": stub.base_url, "CLAUSEWISE_OPENAI_API_KEY": "unused-key-for-the-stub",
               "CLAUSEWISE_SECOND_PASS": "false", "CLAUSEWISE_LLM_MAX_ATTEMPTS": "1",
               "CLAUSEWISE_DATA_DIR": str(work / "data"), "CLAUSEWISE_WORKER_POLL_SECONDS": "1"}
        cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        procs = start_workers(url, workers, c, env=env, cwd=work, until_empty=False)
        end = time.monotonic() + 120
        while _registered_workers(engine) < workers:  # every worker is listening before the first job
            if time.monotonic() > end or any(p.poll() is not None for p in procs):
                raise SystemExit("the workers did not start: " + " | ".join(
                    (p.communicate(timeout=5)[0] if p.poll() is not None else "running")[-500:] for p in procs))
            time.sleep(0.2)
        t0 = time.perf_counter()
        defer_documents(settings, ids, engine=engine)
        from pipeline.queue import pending_jobs

        while pending_jobs(engine):
            time.sleep(0.2)
        wall = time.perf_counter() - t0
        stats = stub.stats()
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.communicate(timeout=60)
        cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        with engine.connect() as conn:
            failed = conn.execute(text("SELECT count(*) FROM documents WHERE status = 'failed'")).scalar_one()
        engine.dispose()
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        stub.stop()
        drop()
        shutil.rmtree(work, ignore_errors=True)
    if stats["requests"] != n or stats["answered"] != n or failed:
        raise SystemExit(f"{workers} workers x {c}: {n} chunks but {stats['requests']} requests, "
                         f"{stats['answered']} answered, {failed} documents failed")
    measured = stats["last_answered"] - stats["first_received"]
    ideal = math.ceil(n / (workers * c)) * args.latency
    cpu = (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)
    return {"C": c, "documents": len(ids), "N": n, "ideal": ideal, "measured": measured, "ratio": ideal / measured,
            "wall": wall, "cpu_per_chunk": cpu / n, "max_in_flight": stats["max_in_flight"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--latency", type=float, default=2.0, help="seconds before each answer (default 2)")
    ap.add_argument("--chunks", type=int, default=64, help="chunks sent to the model in all (default 64)")
    ap.add_argument("--chunks-per-doc", type=int, default=4, help="chunks of each document (default 4)")
    ap.add_argument("--concurrency", default="1,4,16", help="calls in flight to measure, comma-separated")
    ap.add_argument("--workers", type=int, default=1, help="worker processes (above 1: the job queue's run)")
    ap.add_argument("--pg-admin-url", default=None,
                    help="PostgreSQL URL of a role that may create databases (default: SQLite in a temporary folder)")
    args = ap.parse_args()
    os.environ.setdefault("NO_PROXY", "127.0.0.1")
    print(f"L = {args.latency:g} s, {args.chunks} chunks, {args.chunks_per_doc} per document, "
          f"{'PostgreSQL' if args.pg_admin_url else 'SQLite'}, workers = {args.workers}")
    print(f"{'C':>3} {'docs':>5} {'N':>4} {'ideal s':>8} {'measured s':>10} {'ideal/measured':>14} {'wall s':>7} "
          f"{'cpu/chunk ms':>12} {'max in flight':>13}")
    for c in (int(x) for x in args.concurrency.split(",")):
        r = run_single(c, args) if args.workers == 1 else run_workers(args.workers, c, args)
        print(f"{r['C']:>3} {r['documents']:>5} {r['N']:>4} {r['ideal']:>8.2f} {r['measured']:>10.3f} "
              f"{r['ratio']:>14.3f} {r['wall']:>7.2f} {r['cpu_per_chunk'] * 1000:>12.1f} {r['max_in_flight']:>13}",
              flush=True)


if __name__ == "__main__":
    main()
