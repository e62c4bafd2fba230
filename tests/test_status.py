"""Issue #15, item 5: ``clausewise status`` shows documents by status, the job queue's counts (queued, running,
done, failed, retried), the documents being worked on now and each document's state; ``--document`` one
document's runs, chunk outcomes and status history; ``--watch`` refreshes until Ctrl-C. On SQLite and PostgreSQL;
the command runs as a real process (its console as a user sees it)."""

from __future__ import annotations

import json
import os
import pty
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

import audit
from pipeline.extraction.prompts import PROMPT_VERSION
from pipeline.store import Chunk, Document, ExtractionRun, FindingRow, leases, store_answer, transaction, utcnow
from pipeline.store.progress_queries import QueueCounts, overview, queue_counts
from tests.batch_fixtures import clausewise, contract_text, replay_env, start_clausewise, wait_for
from tests.conftest import REPO
from tests.extract_fixtures import store_text_document

MODEL = "test-model"


def _json(db_url: str, *args: str):
    res = clausewise("status", "--json", "--database-url", db_url, *args)
    assert res.returncode == 0, res.stdout + res.stderr
    return json.loads(res.stdout)


def _long_text(tag: str, clauses: int = 120) -> str:
    """A contract long enough for several chunks at a small chunk budget."""
    return contract_text(tag) + "".join(
        f"{i}. Clause {i}. The Supplier shall deliver lot {i} within {i % 30 + 1} days of each order.\n"
        for i in range(4, clauses))


def _run(engine, doc_id: str, status: str, *, holder: str | None = None, outcomes: list | None = None,
         started=None) -> str:
    run_id = str(uuid.uuid4())
    with transaction(engine) as s:
        s.add(ExtractionRun(id=run_id, document_id=doc_id, backend="replay", model=MODEL, prompt_version=PROMPT_VERSION,
                            status=status, holder=holder, chunk_outcomes=outcomes or [], input_tokens=1200,
                            output_tokens=340, seconds=12.5, started_at=started or utcnow(),
                            finished_at=None if status == "running" else utcnow()))
    return run_id


def _answer(engine, doc_id: str, seq: int, part: str) -> None:
    store_answer(engine, uuid.uuid4().hex + uuid.uuid4().hex, {"parsed": {}}, document_id=doc_id, chunk_seq=seq,
                 part=part, model_id=MODEL, model_sha256=None, prompt_version=PROMPT_VERSION,
                 response_model="ChunkExtraction")


def _chunk_seqs(engine, doc_id: str) -> list[int]:
    with Session(engine) as s:
        return list(s.scalars(select(Chunk.seq).where(Chunk.document_id == doc_id).order_by(Chunk.seq)))


def test_counts_by_every_status_and_an_empty_queue_after_a_real_ingest(engine, db_url, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(contract_text("A"))
    (folder / "b.txt").write_text(contract_text("B"))
    (folder / "not_really.pdf").write_text("an e-mail saved with the wrong extension\n")
    res = clausewise("ingest", "--no-extract", "--database-url", db_url, str(folder))
    assert res.returncode == 0, res.stdout + res.stderr

    res = clausewise("status", "--database-url", db_url)
    assert res.returncode == 0, res.stdout + res.stderr
    out = res.stdout
    assert ("3 documents: ingested 2, extracted 0, verified 0, auto_accepted 0, needs_review 0, in_review 0, "
            "signed_off 0, failed 1, needs_ocr 0, needs_password 0") in out
    if engine.dialect.name == "sqlite":
        assert "job queue: none in use (no procrastinate_jobs table); document counts only" in out
    else:  # PostgreSQL has the queue's tables (migration 0009), empty until `ingest --queue`
        assert "job queue: queued 0, running 0, done 0, failed 0" in out
    assert "being worked on now: none" in out
    assert "3 most recently changed documents" in out
    assert re.search(r"│ not_really\.pdf +│ \w{12} │ failed +│ not_pdf +│ 0 +│ 0/0 +│ 0 +│", out), out
    assert re.search(r"│ a\.txt +│ \w{12} │ ingested +│ +│ 1 +│ 0/1 +│ 0 +│", out), out

    rows = {r["file_name"]: r for r in _json(db_url)}
    assert set(rows) == {"a.txt", "b.txt", "not_really.pdf"}
    assert (rows["not_really.pdf"]["status"], rows["not_really.pdf"]["reason"]) == ("failed", "not_pdf")
    assert (rows["a.txt"]["chunks_answered"], rows["a.txt"]["chunks_total"], rows["a.txt"]["chunks"]) == (0, 1, 1)
    assert rows["a.txt"]["run_status"] is None
    assert [r["file_name"] for r in _json(db_url, "--limit", "1")] == [max(
        rows.values(), key=lambda r: r["updated_at"])["file_name"]]
    with Session(engine) as s:
        if engine.dialect.name == "sqlite":
            assert queue_counts(s) is None  # no procrastinate table in this database
        else:
            assert queue_counts(s).total == 0


def test_chunks_answered_findings_and_the_documents_worked_on_now(engine, db_url):
    working = store_text_document(engine, _long_text("W"), "working.txt", chunk_tokens=200, overlap_tokens=0)
    finished = store_text_document(engine, _long_text("F"), "finished.txt", chunk_tokens=200, overlap_tokens=0)
    lapsed = store_text_document(engine, contract_text("L"), "lapsed.txt")
    n_working, seqs = len(_chunk_seqs(engine, working)), _chunk_seqs(engine, finished)
    assert n_working >= 4 and len(seqs) >= 4

    holder = leases.new_holder()
    assert leases.claim(engine, working, holder, seconds=600)
    started = utcnow() - timedelta(seconds=90)
    _run(engine, working, "running", holder=holder, started=started)
    _answer(engine, working, 0, "1")
    _answer(engine, working, 1, "1")
    _answer(engine, working, 1, "2")  # a second part of the same chunk: still one chunk
    _answer(engine, working, 2, "second:governing_law")  # a second-pass question is no chunk answered

    old = _run(engine, finished, "complete", outcomes=[{"chunk_seq": s, "status": "ok"} for s in seqs],
               started=utcnow() - timedelta(hours=1))
    latest = _run(engine, finished, "partial", outcomes=[
        {"chunk_seq": s, "status": "failed" if s in (1, 3) else "ok", "reason": "timeout"} for s in seqs])
    with transaction(engine) as s:
        for run_id, n in ((old, 5), (latest, 2)):
            for i in range(n):
                s.add(FindingRow(document_id=finished, run_id=run_id, rule_id="K001", severity="error",
                                 field_path=f"f{i}", message="m"))
        s.get(Document, finished).status = "needs_review"

    other = "elsewhere~1:1:deadbeef"  # another machine's holder whose lease expired a minute ago
    assert leases.claim(engine, lapsed, other, seconds=60, now=utcnow() - timedelta(seconds=120))

    rows = {r["file_name"]: r for r in _json(db_url)}
    assert (rows["working.txt"]["chunks_answered"], rows["working.txt"]["chunks_total"]) == (2, n_working)
    assert rows["working.txt"]["run_status"] == "running"
    assert (rows["finished.txt"]["chunks_answered"], rows["finished.txt"]["chunks_total"]) == (len(seqs) - 2, len(seqs))
    assert (rows["finished.txt"]["findings"], rows["finished.txt"]["run_status"]) == (2, "partial")
    assert rows["lapsed.txt"]["chunks_answered"] == 0

    ov = overview(engine)
    assert [(w.file_name, w.holder) for w in ov.working] == [("working.txt", holder)]
    assert abs((ov.working[0].since - started).total_seconds()) < 1
    assert ov.by_status["ingested"] == 2 and ov.by_status["needs_review"] == 1 and ov.documents == 3

    out = clausewise("status", "--database-url", db_url).stdout
    assert "1 being worked on now" in out
    assert re.search(rf"│ working\.txt +│ {working[:12]} │ ingested +│ {re.escape(holder)} +│ "
                     rf"{started:%Y-%m-%d %H:%M:%S} +│", out), out
    assert other not in out
    assert re.search(rf"│ working\.txt +│ {working[:12]} │ ingested +│ +│ 1 +│ 2/{n_working} \(running\) +│ 0 +│", out)
    assert re.search(rf"│ finished\.txt +│ {finished[:12]} │ needs_review +│ +│ 1 +│ "
                     rf"{len(seqs) - 2}/{len(seqs)} +│ 2 +│", out), out


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_queue_counts_from_procrastinates_jobs(engine, db_url):
    with engine.connect() as c:  # procrastinate's own schema, applied by migration 0009
        column_type = c.execute(text("SELECT udt_name FROM information_schema.columns WHERE table_name = "
                                     "'procrastinate_jobs' AND column_name = 'status'")).scalar_one()
    assert column_type == "procrastinate_job_status"
    jobs = [("todo", 0), ("todo", 1), ("doing", 0), ("doing", 1), ("succeeded", 1), ("succeeded", 1),
            ("succeeded", 2), ("failed", 3), ("cancelled", 0), ("aborted", 0)]
    with engine.begin() as c:
        for status, attempts in jobs:
            c.execute(text("INSERT INTO procrastinate_jobs (queue_name, task_name, status, attempts) "
                           "VALUES ('default', 'clausewise.process', :s, :a)"), {"s": status, "a": attempts})
    with Session(engine) as s:
        # retried: todo after an attempt, doing after an attempt, succeeded on the second, failed after three
        assert queue_counts(s) == QueueCounts(queued=2, running=2, done=3, failed=1, cancelled=2, retried=4,
                                              total=10)
    out = clausewise("status", "--database-url", db_url).stdout
    assert "job queue: queued 2, running 2, done 3, failed 1, retried 4, cancelled 2 (10 jobs so far: finished jobs are kept as history)" in out
    assert "no procrastinate_jobs table" not in out


def test_one_document_in_detail(engine, db_url, tmp_path):
    f = tmp_path / "detail.txt"
    f.write_text(_long_text("D", 40))
    res = clausewise("ingest", "--no-extract", "--database-url", db_url, str(f),
                     env={"CLAUSEWISE_CHUNK_TOKENS": "150", "CLAUSEWISE_CHUNK_OVERLAP_TOKENS": "0"})
    assert res.returncode == 0, res.stdout + res.stderr
    with Session(engine) as s:
        doc_id = s.scalars(select(Document.id)).one()
    seqs = _chunk_seqs(engine, doc_id)
    assert len(seqs) >= 3
    # a process that died mid-extraction: its run is closed as interrupted when the next one claims the document
    gone = "elsewhere~1:1:0badcafe"
    assert leases.claim(engine, doc_id, gone, seconds=60, now=utcnow() - timedelta(seconds=300))
    interrupted = _run(engine, doc_id, "running", holder=gone, started=utcnow() - timedelta(seconds=290))
    holder = leases.new_holder()
    assert leases.claim(engine, doc_id, holder, seconds=60)
    outcomes = [{"chunk_seq": s, "status": "ok", "attempts": 1, "pages": [1]} for s in seqs]
    outcomes[-1] = {"chunk_seq": seqs[-1], "status": "failed", "attempts": 3, "pages": [1],
                    "reason": "the model did not answer in 600 s"}
    complete = _run(engine, doc_id, "partial", holder=holder, outcomes=outcomes)
    leases.release(engine, doc_id, holder)

    res = clausewise("status", "--document", "detail.txt", "--database-url", db_url)
    assert res.returncode == 0, res.stdout + res.stderr
    out = res.stdout
    assert f"detail.txt  {doc_id}" in out
    assert f"status: ingested; 1 page; chunks answered {len(seqs) - 1}/{len(seqs)}; 0 findings" in out
    assert "2 extraction runs" in out
    assert re.search(rf"│ {interrupted[:8]} │ interrupted │ replay +│ {MODEL} .*│ 0/0 +│", out), out
    assert re.search(rf"│ {complete[:8]} │ partial +│ replay +│ {MODEL} .*│ 1200/340 +│ {len(seqs) - 1}/1 +│", out)
    assert f"chunk outcomes of run {complete[:8]}" in out
    assert re.search(rf"│ {seqs[-1]} +│ failed +│ 1 +│ 3 +│ - +│ the model did not answer in 600 s +│", out), out
    history = re.findall(r"│ \d+ +│ [\d-]+ [\d:]+ +│ ([\w.]+) +│ (\w*) +│", out)
    assert history == [("document.ingested", "ingested"), ("extraction.interrupted", "")], out

    detail = _json(db_url, "--document", doc_id[:8])
    assert [r["status"] for r in detail["runs"]] == ["interrupted", "partial"]
    assert [h["type"] for h in detail["history"]] == ["document.ingested", "extraction.interrupted"]
    assert detail["document"]["chunks_answered"] == len(seqs) - 1
    assert [e.type for e in audit.query(engine, document=doc_id)][-1] == "extraction.interrupted"

    res = clausewise("status", "--document", "nothing-like-it.pdf", "--database-url", db_url)
    assert res.returncode == 1 and "no document matches 'nothing-like-it.pdf'" in res.stderr


def _reader(stream, into: list[str]) -> threading.Thread:
    def read() -> None:
        for chunk in iter(lambda: stream.read1(4096) if hasattr(stream, "read1") else stream.read(4096), b""):
            into.append(chunk.decode("utf-8", "replace"))
    t = threading.Thread(target=read, daemon=True)
    t.start()
    return t


def _until(pred, proc: subprocess.Popen, limit_s: float = 120) -> None:
    deadline = time.monotonic() + limit_s
    while not pred():
        assert proc.poll() is None, f"status --watch ended early (rc {proc.returncode})"
        assert time.monotonic() < deadline, "status --watch never showed what was awaited"
        time.sleep(0.05)


def test_watch_refreshes_until_ctrl_c(engine, db_url):
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200", "NO_COLOR": "1"}
    proc = subprocess.Popen([sys.executable, "-c", "from pipeline.cli import main; main()", "status", "--watch",
                             "--interval", "0.2", "--database-url", db_url], env=env, cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    got: list[str] = []
    reader = _reader(proc.stdout, got)
    try:
        _until(lambda: "".join(got).count("--- refreshed every 0.2 s") >= 2, proc)
        store_text_document(engine, contract_text("late"), "arrived-later.txt")
        _until(lambda: "arrived-later.txt" in "".join(got), proc)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0, proc.stderr.read().decode()
    finally:
        if proc.poll() is None:
            proc.kill()
    reader.join(timeout=10)
    out = "".join(got)
    first, _, later = out.partition("--- refreshed")
    assert "0 documents: ingested 0," in first and "arrived-later.txt" not in first
    assert "1 document: ingested 1," in later
    assert out.rstrip().endswith("stopped watching")
    assert "Traceback" not in proc.stderr.read().decode()


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_watch_on_a_terminal_redraws_in_place(engine, db_url):
    """On a terminal (a pseudo-terminal here) the screen is redrawn in place, not printed again and again."""
    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "160", "LINES": "50", "TERM": "xterm"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen([sys.executable, "-c", "from pipeline.cli import main; main()", "status", "--watch",
                             "--interval", "0.2", "--database-url", db_url], env=env, cwd=REPO,
                            stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
    os.close(slave)
    got: list[str] = []

    def read() -> None:
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:
                return
            if not data:
                return
            got.append(data.decode("utf-8", "replace"))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        _until(lambda: "documents:" in "".join(got), proc)
        store_text_document(engine, contract_text("tty"), "seen-on-tty.txt")
        _until(lambda: "seen-on-tty.txt" in "".join(got), proc)
        os.kill(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=60) == 0, "".join(got)
    finally:
        if proc.poll() is None:
            proc.kill()
    reader.join(timeout=10)
    os.close(master)
    out = "".join(got)
    assert "\x1b[" in out  # cursor movement: the live display redraws over itself
    assert "--- refreshed" not in out
    assert "stopped watching" in out and "Traceback" not in out


def test_a_paused_real_extraction_shows_as_worked_on(engine, db_url, tmp_path):
    """A real ``ingest`` paused after its first model answer (replay): ``status`` shows its lease holder and the
    chunks answered so far of the document's total."""
    data = replay_env(tmp_path / "data")
    reached, go = tmp_path / "reached", tmp_path / "go"
    env = {**data, "CLAUSEWISE_TEST_REACHED": str(reached), "CLAUSEWISE_TEST_GO": str(go)}
    proc = start_clausewise("ingest", "--database-url", db_url, str(REPO / "samples" / "services_agreement.pdf"),
                            hook="pause:mid_extraction", env=env)
    try:
        wait_for(reached, proc)
        with Session(engine) as s:
            doc = s.scalars(select(Document)).one()
            total = len(_chunk_seqs(engine, doc.id))
            holder = doc.lease_holder
        assert total >= 2 and holder
        rows = _json(db_url)
        assert [(r["file_name"], r["run_status"], r["chunks_answered"], r["chunks_total"]) for r in rows] == [
            ("services_agreement.pdf", "running", 1, total)]
        out = clausewise("status", "--database-url", db_url, env=data).stdout
        assert "1 being worked on now" in out and holder in out
        assert re.search(rf"│ 1/{total} \(running\) +│", out), out
    finally:
        go.touch()
        out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, out + err
    rows = _json(db_url)
    assert rows[0]["run_status"] == "complete" and rows[0]["chunks_answered"] == total
    assert "being worked on now: none" in clausewise("status", "--database-url", db_url).stdout


def test_chunk_attempts_count_the_chunks_own_extraction_and_show_the_second_pass_apart():
    from pipeline.cli.status_cmd import _attempts

    assert _attempts({"attempts": 2, "second_pass": [{"field": "liability_cap", "attempts": 1}]}) == \
        ("1", "1 question, 1 attempt")
    assert _attempts({"attempts": 3, "second_pass": []}) == ("3", "-")
    assert _attempts({"attempts": 2, "second_pass": [{"field": "liability_cap"}]}) == \
        ("2 (with the second pass)", "1 question")
