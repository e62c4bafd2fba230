"""Issue #15 (batch faults, h5): Ctrl-C on ``clausewise ingest --concurrency N``.

SIGINT used to stop nothing above one call in flight: every document already handed to the batch's thread pool
was still extracted (30 of 30 documents, the last ones 12 s after the signal on a 0.5 s server). Now no further
document starts; the ones under way finish (nothing half-written), the rest stay ``ingested`` for the next run.

Real parts: a real ``clausewise ingest`` process signalled for real, real SQLite, the fixed-latency
OpenAI-compatible server of ``benchmarks/stub_openai.py``.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

import audit
from benchmarks.stub_openai import StubServer
from pipeline.store import Document, ExtractionRun
from tests.test_queue import FINAL, _env, _write_batch


def test_ctrl_c_at_four_in_flight_starts_no_further_document_and_a_rerun_finishes(tmp_path):
    _write_batch(tmp_path / "in", 30)
    with StubServer(latency=0.5) as stub:
        env = _env(tmp_path, stub, None, CLAUSEWISE_CONCURRENCY="4")
        cmd = [sys.executable, "-c", "from pipeline.cli import main; main()", "ingest", str(tmp_path / "in")]
        p = subprocess.Popen(cmd, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.monotonic() + 120
            while len(stub.requests) < 8 and time.monotonic() < deadline and p.poll() is None:
                time.sleep(0.02)
            assert len(stub.requests) >= 8 and p.poll() is None
            p.send_signal(signal.SIGINT)
            out, _ = p.communicate(timeout=120)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        assert p.returncode != 0 and "(interrupted)" in out, out
        engine = create_engine(f"sqlite:///{tmp_path / 'data' / 'clausewise.db'}")
        with Session(engine) as s:
            statuses = [d.status for d in s.scalars(select(Document))]
            runs = [r.status for r in s.scalars(select(ExtractionRun))]
        done = sum(1 for st in statuses if st in FINAL)
        # at most the documents done or under way at the signal (8 calls: 3 or fewer documents; 4 more in flight)
        assert len(statuses) == 30 and 1 <= done <= 12, (statuses, out)
        assert all(st in FINAL or st == "ingested" for st in statuses)
        assert runs.count("complete") == done and "running" not in runs, runs  # nothing half-written
        assert audit.verify(engine).ok

        asked = len(stub.requests)
        again = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stdout + again.stderr
        with Session(engine) as s:
            assert all(d.status in FINAL for d in s.scalars(select(Document)))
        assert len(stub.requests) == asked + 3 * (30 - done)  # the rest asked once each, none again
        assert audit.verify(engine).ok
        engine.dispose()
