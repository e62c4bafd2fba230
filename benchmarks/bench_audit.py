"""Audit log benchmark: append rate, verify time on 1 M events, document query latency.

Usage: .venv/bin/python benchmarks/bench_audit.py --db sqlite|postgresql [--events 10000] [--log-events 1000000] [--key]

1. appends/s through the real path (``audit.writer`` + ``audit.append``, one transaction per event) for
   ``--events`` events of about 1 KB payload: one writer, then 8 writer threads; the chain is verified after.
2. the log is then grown to ``--log-events`` events by a bulk loader (``audit.append_many`` in batches of
   10,000: the same redaction and hashing code, one transaction per batch), spread over 10,000 documents.
3. ``audit.verify`` time over the whole log, and the in-process latency of ``audit.query(document=...)``
   (median and worst of 50 random documents, about 100 events each).
PostgreSQL: a fresh database on ``--pg-admin-url``; SQLite: a temporary folder (or ``--dir``); both are removed at
the end unless ``--keep``. ``--key``: a random audit key is in force, so every event carries its MAC and verify
checks each one (the cost of the keyed log).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

import audit
from pipeline.store import make_engine, upgrade

LLM_RESPONSE = audit.events.LLM_RESPONSE

DOCS = 10_000


def payload(i: int) -> dict:
    return audit.llm_payload(
        provider="llama.cpp", request_model="qwen2.5-coder-1.5b", input_tokens=1800 + i % 100, output_tokens=220,
        finish_reasons=["stop"], latency_ms=812.5, attempt=1,
        response_text=("The Supplier shall deliver the Goods within thirty (30) days of the Effective Date. " * 10)[:850],
        parsed={"field": "notice_period", "value": {"number": 30, "unit": "days"}, "i": i})


def appends(engine, total: int, writers: int) -> float:
    per = total // writers
    errors: list[BaseException] = []

    def work(w: int) -> None:
        try:
            for n in range(per):
                with audit.writer(engine) as conn:
                    audit.append(conn, type=LLM_RESPONSE, actor="qwen2.5-coder-1.5b", run_id=f"bench-{w}",
                                 document_id=f"doc-{(w * per + n) % DOCS:05d}", payload=payload(n))
        except BaseException as exc:  # reported below
            errors.append(exc)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=work, args=(w,)) for w in range(writers)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    dt = time.perf_counter() - t0
    if errors:
        raise errors[0]
    return per * writers / dt


def bulk_load(engine, upto: int, batch: int = 10_000) -> float:
    t0 = time.perf_counter()
    have = audit.head(engine).id
    while have < upto:
        n = min(batch, upto - have)
        specs = [{"type": LLM_RESPONSE, "actor": "qwen2.5-coder-1.5b", "document_id": f"doc-{(have + k) % DOCS:05d}",
                  "run_id": "bulk", "payload": payload(have + k)} for k in range(n)]
        with audit.writer(engine) as conn:
            audit.append_many(conn, specs)
        have += n
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", choices=["sqlite", "postgresql"], required=True)
    ap.add_argument("--events", type=int, default=10_000)
    ap.add_argument("--log-events", type=int, default=1_000_000)
    ap.add_argument("--pg-admin-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--dir", default=None, help="Folder for the SQLite file (default: a temporary folder).")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--key", action="store_true", help="Write and verify with a random audit key (MAC per event).")
    a = ap.parse_args()
    if a.key:
        audit.use_key(audit.AuditKey.generate()[0])

    cleanup = None
    if a.db == "sqlite":
        folder = Path(a.dir or tempfile.mkdtemp(prefix="bench_audit_"))
        url = f"sqlite:///{folder / 'bench.db'}"
        if not a.dir:
            def cleanup() -> None:
                shutil.rmtree(folder, ignore_errors=True)
    else:
        admin = create_engine(a.pg_admin_url, isolation_level="AUTOCOMMIT")
        name = f"cw_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        url = a.pg_admin_url.rsplit("/", 1)[0] + f"/{name}"

        def cleanup() -> None:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine = make_engine(url)
    upgrade(engine)
    print(f"db={a.db} url={engine.url.render_as_string(hide_password=True)}")
    try:
        size = len(audit.canonical_text(payload(1)).encode())
        print(f"payload size: {size} bytes of canonical JSON")
        r1 = appends(engine, a.events, 1)
        print(f"appends, 1 writer : {r1:8.0f} events/s over {a.events} events")
        r8 = appends(engine, a.events, 8)
        print(f"appends, 8 writers: {r8:8.0f} events/s over {a.events} events")
        v = audit.verify(engine)
        print(f"chain after concurrent appends: ok={v.ok} count={v.count} (expected {a.events + a.events // 8 * 8})")
        dt = bulk_load(engine, a.log_events)
        print(f"bulk load to {a.log_events} events (append_many, 10k/txn): {dt:.1f} s")
        t0 = time.perf_counter()
        v = audit.verify(engine)
        dv = time.perf_counter() - t0
        print(f"verify {v.count} events: {dv:.1f} s, ok={v.ok}, head {v.head_hash}, "
              f"MAC {'checked on ' + str(v.keyed) + ' events' if v.key_id else 'not checked (no key)'}")
        rng = random.Random(7)
        lat, sizes = [], []
        audit.query(engine, document="doc-00000")  # warm the pool
        for _ in range(50):
            doc = f"doc-{rng.randrange(DOCS):05d}"
            t0 = time.perf_counter()
            got = audit.query(engine, document=doc)
            lat.append((time.perf_counter() - t0) * 1000)
            sizes.append(len(got))
        print(f"query(document=...): median {statistics.median(lat):.1f} ms, max {max(lat):.1f} ms, "
              f"{statistics.median(sizes):.0f} events per document")
    finally:
        engine.dispose()
        if cleanup and not a.keep:
            cleanup()


if __name__ == "__main__":
    main()
