"""Issue #14, item 2: every non-final state is resumable. A real ``clausewise ingest`` process is killed (SIGKILL)
at five moments around extraction and verification, on SQLite and PostgreSQL, at one call in flight and at four
(issue #15); one more ``ingest`` carries every document on to a final state without asking again for a stored
answer, the runs the killed process left ``running`` are closed as ``interrupted`` with an audit event, and no
document has two complete runs. The leases themselves: claim, renew, release, expire."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import audit
from pipeline.extract import extract_document
from pipeline.llm.base import make_backend
from pipeline.settings import Settings
from pipeline.store import Document, ExtractionRun, LeaseLost, ModelAnswer, leases, transaction, utcnow
from tests.batch_fixtures import clausewise, clausewise_hooked, replay_env
from tests.conftest import REPO
from tests.extract_fixtures import store_text_document
from tests.proc_hooks import KILL_MOMENTS

FINAL = {"needs_review", "auto_accepted"}


def _state(engine) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Each document's status and its runs' statuses (oldest first), by file name."""
    with Session(engine) as s:
        docs = {d.id: d for d in s.scalars(select(Document))}
        runs: dict[str, list[str]] = {d.file_name: [] for d in docs.values()}
        for r in s.scalars(select(ExtractionRun).order_by(ExtractionRun.started_at)):
            runs[docs[r.document_id].file_name].append(r.status)
        return {d.file_name: d.status for d in docs.values()}, runs


def _answer_keys(engine) -> set[str]:
    with Session(engine) as s:
        return set(s.scalars(select(ModelAnswer.key)))


@pytest.mark.parametrize("concurrency", [1, 4])  # issue #15: and with calls and documents in flight together
@pytest.mark.parametrize("moment", KILL_MOMENTS)
def test_a_run_killed_at_any_moment_is_carried_on_by_the_next_ingest(engine, db_url, tmp_path, moment, concurrency):
    env = {**replay_env(tmp_path / "data"), "CLAUSEWISE_CONCURRENCY": str(concurrency)}
    args = ("ingest", "--database-url", db_url, str(REPO / "samples"))
    killed = clausewise_hooked(f"kill:{moment}", *args, env=env)
    assert killed.returncode == -9, killed.stdout + killed.stderr
    statuses, runs = _state(engine)
    if concurrency == 1:  # every file is read before the first document is claimed, documents one at a time
        assert len(statuses) == 3 and set(statuses.values()) - FINAL  # the kill left documents half done
        left = {"after_reading": "ingested", "after_claim": "ingested", "mid_extraction": "ingested",
                "after_extraction": "extracted", "mid_verification": "extracted"}[moment]
        assert left in statuses.values()
        if moment == "mid_extraction":
            assert ["running"] in runs.values()
    else:  # files are read while the documents before them are extracted: the kill finds fewer stored
        assert len(statuses) <= 3 and (len(statuses) < 3 or set(statuses.values()) - FINAL)
    stored = _answer_keys(engine)
    since = audit.head(engine).id

    again = clausewise(*args, env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert not re.search(r"^\w{12}: not extracted", again.stdout, re.MULTILINE)
    statuses, runs = _state(engine)
    assert len(statuses) == 3 and set(statuses.values()) <= FINAL, (statuses, again.stdout)
    for name, statuses_of_runs in runs.items():  # one complete run each, beside the ones the kill interrupted
        assert statuses_of_runs.count("complete") == 1, (name, statuses_of_runs)
        assert set(statuses_of_runs) <= {"complete", "interrupted"}
    interrupted = [e for e in audit.query(engine, type_glob=leases.RUN_INTERRUPTED)]
    assert len(interrupted) == sum(r.count("interrupted") for r in runs.values())
    if concurrency == 1:
        assert len(interrupted) == (1 if moment == "mid_extraction" else 0)
    assert all(e.payload["why"] == "process ended" for e in interrupted)
    # no stored answer was asked again: every call of the second run either took its answer from the store or
    # stored a new one (or failed)
    later = [e for e in audit.query(engine) if e.id > since]
    calls = sum(1 for e in later if e.type == "llm.request" and e.payload.get("attempt") == 1)
    cached = sum(1 for e in later if e.type == "llm.response" and e.payload.get("clausewise.cached"))
    errors = sum(1 for e in later if e.type == "llm.error")
    assert calls - cached == len(_answer_keys(engine) - stored) + errors
    with Session(engine) as s:
        assert all(d.lease_holder is None for d in s.scalars(select(Document)))  # every lease given back
    assert audit.verify(engine).ok


# ---------------------------------------------------------------------------------------------------------------
# The lease functions
# ---------------------------------------------------------------------------------------------------------------


def _running_run(engine, doc_id: str, holder: str | None) -> str:
    with transaction(engine) as s:
        s.add(ExtractionRun(id=f"run-{holder}", document_id=doc_id, backend="replay", model="m", prompt_version="v",
                            status="running", holder=holder))
    return f"run-{holder}"


def test_a_live_lease_is_kept_and_a_lapsed_one_is_taken_over_with_the_run_interrupted(engine):
    doc = store_text_document(engine, "This Agreement is made between Acme Inc. and Beta LLC.", "lease.txt")
    now = utcnow()
    assert leases.claim(engine, doc, "h1", seconds=60, now=now)
    run = _running_run(engine, doc, "h1")
    assert not leases.claim(engine, doc, "h2", seconds=60, now=now + timedelta(seconds=59))
    assert leases.renew(engine, doc, "h1", seconds=60, now=now + timedelta(seconds=30))  # now until +90 s
    assert not leases.claim(engine, doc, "h2", seconds=60, now=now + timedelta(seconds=89))
    assert leases.claim(engine, doc, "h2", seconds=60, now=now + timedelta(seconds=91))
    with Session(engine) as s:
        assert s.get(ExtractionRun, run).status == "interrupted"
    (event,) = audit.query(engine, type_glob=leases.RUN_INTERRUPTED)
    assert (event.run_id, event.payload["holder"], event.payload["why"], event.payload["claimed_by"]) == (
        run, "h1", "expired", "h2")
    assert not leases.renew(engine, doc, "h1", seconds=60) and not leases.release(engine, doc, "h1")
    with Session(engine) as s, pytest.raises(LeaseLost):
        leases.check_held(s, doc, "h1")
    assert leases.release(engine, doc, "h2") and leases.lease_of(engine, doc).holder is None


def test_expire_closes_the_runs_of_lapsed_leases_and_frees_the_documents(engine):
    live = store_text_document(engine, "This Agreement is made between Acme Inc. and Beta LLC.", "live.txt")
    gone = store_text_document(engine, "This Agreement is made between Gamma Inc. and Delta LLC.", "gone.txt")
    now = utcnow()
    leases.claim(engine, live, "h-live", seconds=600, now=now)
    leases.claim(engine, gone, "h-gone", seconds=10, now=now)
    _running_run(engine, live, "h-live")
    gone_run = _running_run(engine, gone, "h-gone")
    assert leases.expire(engine, now=now + timedelta(seconds=11)) == [gone_run]
    assert leases.lease_of(engine, gone).holder is None and leases.lease_of(engine, live).holder == "h-live"
    with Session(engine) as s:
        assert s.get(ExtractionRun, "run-h-live").status == "running"


def test_a_holder_whose_process_ended_lapses_at_once():
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    mine = leases.new_holder()
    host = mine.split(":")[0]
    assert leases.holder_process_ended(f"{host}:{child.stdout.strip()}:abcd1234")
    assert not leases.holder_process_ended(mine)
    assert not leases.holder_process_ended(f"another-host:{child.stdout.strip()}:abcd1234")  # waits for the expiry


def test_an_extraction_whose_lease_was_taken_over_stores_nothing(engine, tmp_path, monkeypatch):
    """The holder is frozen past its lease (here: another holder claims it during the first model call); when it
    goes on, its result is refused, so the document never gets a second complete run."""
    from tests.conftest import require_shared

    text = require_shared("failcases", "F22", "contract.txt").read_text()
    doc = store_text_document(engine, text, "F22.txt")
    settings = Settings(data_dir=tmp_path, backend="replay", model="qwen2.5-coder-0.5b",
                        replay_dir=REPO / "tests" / "recordings" / "extract")
    backend = make_backend(settings)
    assert leases.claim(engine, doc, "frozen", seconds=60)
    real = type(backend).complete
    taken = []

    def complete(self, request):
        if not taken:
            taken.append(leases.claim(engine, doc, "other", seconds=60, now=utcnow() + timedelta(seconds=61)))
        return real(self, request)

    monkeypatch.setattr(type(backend), "complete", complete)
    with pytest.raises(LeaseLost):
        extract_document(engine, doc, backend, settings, holder="frozen")
    assert taken == [True]
    with Session(engine) as s:
        assert s.get(Document, doc).status == "ingested"
        assert [r.status for r in s.scalars(select(ExtractionRun))] == ["interrupted"]
