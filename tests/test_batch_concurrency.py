"""Issue #14, item 3: two ``clausewise ingest`` processes at once on the same store, SQLite and PostgreSQL.

Each race is made to happen, not hoped for: one process is paused at the moment that matters
(:mod:`tests.proc_hooks`) while the other runs, then let go.
"""

from __future__ import annotations

import re
import time

from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import Session

import audit
from pipeline.store import Document, ExtractionRun, make_engine
from pipeline.store.engine import alembic_config
from tests.batch_fixtures import clausewise, contract_text, replay_env, start_clausewise, wait_for
from tests.conftest import REPO


def _go(tmp_path, tag: str) -> tuple[dict[str, str], object, object]:
    reached, go = tmp_path / f"{tag}.reached", tmp_path / f"{tag}.go"
    return {"CLAUSEWISE_TEST_REACHED": str(reached), "CLAUSEWISE_TEST_GO": str(go)}, reached, go


def test_two_first_starts_migrate_the_store_once(empty_url, tmp_path):
    """The first process is held inside its migration transaction, tables created, nothing committed; the
    second starts meanwhile. It waits for the first's lock, then finds the store at head."""
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(contract_text("first"))
    b.write_text(contract_text("second"))
    env, reached, go = _go(tmp_path, "migration")
    first = start_clausewise("ingest", "--no-extract", "--database-url", empty_url, str(a), hook="pause:mid_migration",
                             env=env)
    wait_for(reached, first)
    env2, reached2, _ = _go(tmp_path, "second")
    second = start_clausewise("ingest", "--no-extract", "--database-url", empty_url, str(b),
                              hook="signal:migration_start", env=env2)
    wait_for(reached2, second)  # the second is sending its first statement: its migrations begin
    time.sleep(1)  # not a measurement: time for its first statements, which must wait for the first's lock
    go.touch()
    out1, err1 = first.communicate(timeout=600)
    out2, err2 = second.communicate(timeout=600)
    assert first.returncode == 0, out1 + err1
    assert second.returncode == 0, out2 + err2
    engine = make_engine(empty_url)
    try:
        with engine.connect() as c:
            head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
            assert c.execute(text("select version_num from alembic_version")).scalars().all() == [head]
        assert {"documents", "extraction_runs", "audit_events"} <= set(inspect(engine).get_table_names())
        with Session(engine) as s:
            assert sorted(s.scalars(select(Document.file_name))) == ["a.txt", "b.txt"]
        assert audit.verify(engine).ok
    finally:
        engine.dispose()


def test_two_ingests_of_the_same_file_store_it_once(engine, db_url, tmp_path):
    """The second process has read the file and is about to store it when the first stores the same bytes."""
    f = tmp_path / "same.txt"
    f.write_text(contract_text("same"))
    env, reached, go = _go(tmp_path, "store")
    late = start_clausewise("ingest", "--no-extract", "--database-url", db_url, str(f), hook="pause:before_storing",
                            env=env)
    wait_for(reached, late)
    first = clausewise("ingest", "--no-extract", "--database-url", db_url, str(f))
    assert first.returncode == 0 and "same.txt: ingested - 1 page, 1 chunk" in first.stdout, first.stdout + first.stderr
    go.touch()
    out, err = late.communicate(timeout=600)
    assert late.returncode == 0, out + err
    assert "same.txt: ingested - already ingested, same bytes" in out
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Document)) == 1
    assert len(audit.query(engine, type_glob="document.ingested")) == 1  # stored once, not replaced


def test_staggered_ingests_extract_each_document_once(engine, db_url, tmp_path):
    """The first process holds the first document, its model call pending; a second ``ingest`` of the same
    batch leaves that document to it and carries the others; then the first goes on and finds them done."""
    data = replay_env(tmp_path / "data")
    env, reached, go = _go(tmp_path, "model")
    args = ("ingest", "--database-url", db_url, str(REPO / "samples"))
    first = start_clausewise(*args, hook="pause:first_model_call", env={**data, **env})
    wait_for(reached, first)
    second = clausewise(*args, env=data)
    assert second.returncode == 0, second.stdout + second.stderr
    assert re.search(r"^\S*mutual_nda\.pdf: ingested - already.*$", second.stdout, re.MULTILINE)
    assert re.search(r"^mutual_nda\.pdf \(\w{12}\): left to the run that holds it \(\S+\)$", second.stdout,
                     re.MULTILINE), second.stdout
    go.touch()
    out, err = first.communicate(timeout=600)
    assert first.returncode == 0, out + err
    for o in (second.stdout, out):
        assert not re.search(r"^\w{12}: not extracted", o, re.MULTILINE)
    assert re.search(r"^services_agreement\.pdf \(\w{12}\): needs_review already$", out, re.MULTILINE), out
    with Session(engine) as s:
        runs = list(s.scalars(select(ExtractionRun)))
        assert sorted(r.status for r in runs) == ["complete"] * 3  # one each: no model time spent twice
        assert {d.status for d in s.scalars(select(Document))} == {"needs_review"}
        holders = {r.holder for r in runs}
        assert len(holders) == 2  # the two processes shared the work
    requests = audit.query(engine, type_glob="llm.request")
    assert len(requests) == len(list((REPO / "tests" / "recordings" / "samples").glob("*.json")))
    assert audit.verify(engine).ok
