"""Ingestion end to end on real files: a mixed batch, re-ingest, password retry, atomicity."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

import audit
from pipeline.cli import _register, app
from pipeline.ingest import ingest_file
from pipeline.store.tables import Chunk, Document, Page
from pipeline.settings import Settings
from tests.conftest import require_shared

_register()
runner = CliRunner()


@pytest.fixture
def mixed_folder(tmp_path):
    fc = require_shared("failcases")
    folder = tmp_path / "batch"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(fc / "F01" / "contract.pdf", folder / "good_ligatures.pdf")
    shutil.copy(fc / "F03" / "contract.pdf", folder / "sub" / "good_columns.pdf")
    shutil.copy(fc / "F08" / "contract_user_password.pdf", folder / "encrypted.pdf")
    shutil.copy(fc / "F09" / "truncated.pdf", folder / "truncated.pdf")
    shutil.copy(fc / "F10" / "zero_bytes.pdf", folder / "zero_bytes.pdf")
    (folder / "not_really.pdf").write_text("Dear team, this is an e-mail saved with the wrong extension.\n")
    (folder / "notes.md").write_text("ignored: not a contract format")
    return folder


def _status(db_url):
    res = runner.invoke(app, ["status", "--json", "--database-url", db_url])
    assert res.exit_code == 0, res.output
    return {r["file_name"]: r for r in json.loads(res.output)}


def test_mixed_batch_every_file_gets_a_status_and_the_batch_goes_on(mixed_folder, db_url, engine):
    res = runner.invoke(app, ["ingest", "--no-extract", "--database-url", db_url, str(mixed_folder)])
    assert res.exit_code == 0, res.output
    rows = _status(db_url)
    assert set(rows) == {"good_ligatures.pdf", "good_columns.pdf", "encrypted.pdf", "truncated.pdf",
                         "zero_bytes.pdf", "not_really.pdf"}
    assert rows["good_ligatures.pdf"]["status"] == "ingested"
    assert rows["good_columns.pdf"]["status"] == "ingested"
    assert rows["good_ligatures.pdf"]["chunks"] >= 1
    assert (rows["encrypted.pdf"]["status"], rows["encrypted.pdf"]["reason"]) == ("needs_password", "encrypted")
    assert rows["truncated.pdf"]["status"] == "failed"
    assert rows["truncated.pdf"]["reason"] in {"truncated", "corrupt"}
    assert (rows["zero_bytes.pdf"]["status"], rows["zero_bytes.pdf"]["reason"]) == ("failed", "empty_file")
    assert (rows["not_really.pdf"]["status"], rows["not_really.pdf"]["reason"]) == ("failed", "not_pdf")
    # every bad file keeps a reason message naming the file
    with Session(engine) as s:
        for d in s.scalars(select(Document).where(Document.status != "ingested")):
            assert d.status_message and d.file_name.split(".")[0] in d.status_message
        # the good ones have pages whose offsets slice the document text exactly
        good = s.scalars(select(Document).where(Document.file_name == "good_ligatures.pdf")).one()
        for p in good.pages:
            assert good.text[p.start:p.end] == p.text
        for c in good.chunks:
            assert good.text[c.start:c.end] == c.text
    assert audit.verify(engine).ok


def test_same_bytes_twice_is_a_no_op(mixed_folder, db_url, engine):
    f = mixed_folder / "good_ligatures.pdf"
    first = runner.invoke(app, ["ingest", "--no-extract", "--database-url", db_url, str(f)])
    assert first.exit_code == 0, first.output
    with Session(engine) as s:
        chunks_before = s.scalar(select(func.count()).select_from(Chunk))
    second = runner.invoke(app, ["ingest", "--no-extract", "--database-url", db_url, str(f)])
    assert second.exit_code == 0
    assert "already ingested" in second.output
    # the summary: the file counted under its status, marked as stored already, and no page read again
    assert "  status: 1 ingested (already ingested)" in second.output.splitlines(), second.output
    assert re.search(r"^  files: 1 read of 1, 0 pages in ", second.output, re.MULTILINE), second.output
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Chunk)) == chunks_before
        assert s.scalar(select(func.count()).select_from(Document)) == 1


def test_encrypted_pdf_is_retried_with_its_password(mixed_folder, db_url):
    f = mixed_folder / "encrypted.pdf"
    runner.invoke(app, ["ingest", "--no-extract", "--database-url", db_url, str(f)])
    assert _status(db_url)["encrypted.pdf"]["status"] == "needs_password"
    res = runner.invoke(app, ["ingest", "--no-extract", "--password", "secret", "--database-url", db_url, str(f)])
    assert res.exit_code == 0, res.output
    row = _status(db_url)["encrypted.pdf"]
    assert row["status"] == "ingested" and row["reason"] is None and row["pages"] >= 1


def test_nothing_ingestable_exits_non_zero(tmp_path, db_url):
    (tmp_path / "empty.pdf").write_bytes(b"")
    res = runner.invoke(app, ["ingest", "--no-extract", "--database-url", db_url, str(tmp_path)])
    assert res.exit_code == 1


def test_audit_failure_leaves_nothing_half_written(engine, monkeypatch):
    f = require_shared("failcases", "F01", "contract.pdf")

    def broken(*a, **k):
        raise audit.AuditWriteError("audit store unavailable")

    monkeypatch.setattr(audit, "append", broken)
    with pytest.raises(audit.AuditWriteError):
        ingest_file(engine, f, Settings())
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Document)) == 0
        assert s.scalar(select(func.count()).select_from(Page)) == 0


def test_plain_text_contract_is_one_page_without_rectangles(engine):
    f = require_shared("failcases", "F21", "contract.txt")
    out = ingest_file(engine, f, Settings())
    assert out.status == "ingested" and out.pages == 1
    with Session(engine) as s:
        doc = s.get(Document, out.document_id)
        assert doc.media_type == "text/plain"
        assert doc.pages[0].layout == []
        assert "2021" in doc.text


def test_extraction_with_a_missing_model_says_how_to_fix_it_and_keeps_the_document(db_url):
    f = require_shared("failcases", "F21", "contract.txt")
    res = runner.invoke(app, ["ingest", "--backend", "local", "--model", "no-such-model", "--database-url", db_url,
                              str(f)])
    assert res.exit_code == 0, res.output
    assert "extraction not run" in res.output
    assert "no-such-model" in res.output
    assert _status(db_url)["contract.txt"]["status"] == "ingested"


def test_summary_counts_each_document_under_its_status_after_extraction(db_url, tmp_path):
    from pipeline.llm.registry import is_installed
    from tests.conftest import REPO, unavailable

    if not is_installed("qwen2.5-coder-1.5b", Settings().cache_dir):
        unavailable("qwen2.5-coder-1.5b is not installed: its tokenizer sets the recorded chunks")
    res = runner.invoke(app, ["ingest", "--backend", "replay", "--model", "qwen2.5-coder-1.5b", "--database-url", db_url,
                              str(REPO / "samples" / "mutual_nda.pdf")],
                        env={"CLAUSEWISE_REPLAY_DIR": str(REPO / "tests" / "recordings" / "samples"),
                             "CLAUSEWISE_DATA_DIR": str(tmp_path), "COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    summary = res.output[res.output.index("Ingest summary"):].splitlines()
    assert "  status: 1 needs_review" in summary and not any("ingested" in line for line in summary), summary


def test_ingest_prints_how_long_each_contract_took(tmp_path, monkeypatch):
    """The samples on their recorded answers: one line per contract with its pages, wall seconds and model
    seconds (the recorded latencies: their sum over the contract's calls), and the totals, once, in the run's
    one summary at the end."""
    import re

    from pipeline.llm import is_installed
    from tests.conftest import REPO, unavailable

    model = "qwen2.5-coder-1.5b"
    if not is_installed(model, Settings().cache_dir):
        unavailable(f"{model} is not installed: its tokenizer sets the chunks the recordings were made for")
    recordings = REPO / "tests" / "recordings" / "samples"
    monkeypatch.setenv("CLAUSEWISE_BACKEND", "replay")
    monkeypatch.setenv("CLAUSEWISE_MODEL", model)
    monkeypatch.setenv("CLAUSEWISE_REPLAY_DIR", str(recordings))
    db_url = f"sqlite:///{tmp_path / 'demo.db'}"
    res = runner.invoke(app, ["ingest", "--database-url", db_url, str(REPO / "samples")])
    assert res.exit_code == 0, res.output
    lines = {m.group(1): m for m in re.finditer(
        r"^(\S+\.pdf) \(\w{12}\): (\d+) pages in ([\d.]+) s \(model ([\d.]+) s, ([\d.]+) s/page\)", res.output,
        re.MULTILINE)}
    assert set(lines) == {"mutual_nda.pdf", "services_agreement.pdf", "supply_agreement.pdf"}
    from pipeline.store import latest_run, make_engine

    engine = make_engine(db_url)

    with Session(engine) as s:
        for name, m in lines.items():
            doc = s.scalars(select(Document).where(Document.file_name == name)).one()
            run = latest_run(s, doc.id)
            model_seconds = sum(c["model_seconds"] for c in run.chunk_outcomes)
            assert int(m.group(2)) == doc.page_count
            assert float(m.group(4)) == pytest.approx(model_seconds, abs=0.05)
            assert float(m.group(5)) == pytest.approx(model_seconds / doc.page_count, abs=0.05)
            assert model_seconds > 10  # recorded live latencies, not the replay's own milliseconds
    assert res.output.count("Ingest summary") == 1 and res.output.count("extraction:") == 1
    summary = res.output[res.output.index("Ingest summary"):]
    total = re.search(r"^  extraction: 3 documents, (\d+) pages; model ([\d.]+) s \(([\d.]+) s/page\)$", summary,
                      re.MULTILINE)
    assert total and int(total.group(1)) == sum(int(m.group(2)) for m in lines.values())
    assert float(total.group(2)) == pytest.approx(sum(float(m.group(4)) for m in lines.values()), abs=0.2)
    assert float(total.group(3)) == pytest.approx(float(total.group(2)) / int(total.group(1)), abs=0.05)
    assert re.search(rf"^  files: 3 read of 3, {total.group(1)} pages in [\d.]+ s \([\d.]+ pages/s\)$", summary,
                     re.MULTILINE), summary


def test_ingest_says_when_the_model_file_that_sets_the_chunks_is_missing(tmp_path):
    """Recorded answers replay only on the chunks the model's own tokenizer makes: without the model file the
    chunks are counted with the default tokenizer, and ingest says so (a new user replaying the samples)."""
    _register()
    from tests.conftest import REPO

    sample = REPO / "samples" / "mutual_nda.pdf"
    env = {"CLAUSEWISE_CACHE_DIR": str(tmp_path / "empty-cache"), "CLAUSEWISE_DATA_DIR": str(tmp_path / "data"),
           "CLAUSEWISE_BACKEND": "replay", "COLUMNS": "300"}
    res = runner.invoke(app, ["ingest", "--no-extract", str(sample)], env=env)
    assert res.exit_code == 0, res.output
    assert "chunks are counted with the default tokenizer" in res.output
    assert "clausewise model install qwen2.5-coder-1.5b" in res.output


def test_samples_summary_counts_chunks_and_second_pass_apart_and_status_agrees(tmp_path, monkeypatch):
    """On the samples' recorded answers the summary counts the 6 chunks (1 + 3 + 2, as the per-file lines say)
    and the 2 second-pass questions apart, names the answers as recorded ones, and writes singular counts
    singular; ``status --document`` shows the model time ingest reported and a chunk's own attempts, its second
    pass apart."""
    from pipeline.llm import is_installed
    from tests.conftest import REPO, unavailable

    model = "qwen2.5-coder-1.5b"
    if not is_installed(model, Settings().cache_dir):
        unavailable(f"{model} is not installed: its tokenizer sets the chunks the recordings were made for")
    monkeypatch.setenv("CLAUSEWISE_BACKEND", "replay")
    monkeypatch.setenv("CLAUSEWISE_MODEL", model)
    monkeypatch.setenv("CLAUSEWISE_REPLAY_DIR", str(REPO / "tests" / "recordings" / "samples"))
    db_url = f"sqlite:///{tmp_path / 'demo.db'}"
    res = runner.invoke(app, ["ingest", "--database-url", db_url, str(REPO / "samples")], env={"COLUMNS": "300"})
    assert res.exit_code == 0, res.output
    assert "mutual_nda.pdf: ingested - 3 pages, 1 chunk\n" in res.output
    assert "complete extraction, needs_review; 1 error, 2 warnings, 3 fields to review" in res.output
    summary = res.output[res.output.index("Ingest summary"):].splitlines()
    assert "  chunks: 6 answered of 6 (0 from the store, 6 from recorded answers)" in summary, summary
    assert "  second pass: 2 questions, 2 answered (0 from the store, 2 from recorded answers)" in summary, summary
    assert not any("by the model" in line for line in summary)
    res = runner.invoke(app, ["status", "--document", "supply_agreement.pdf", "--database-url", db_url],
                        env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert "model s (reported)" in res.output
    assert re.search(r"│ complete │ replay +│ [^│]+│ [^│]+│ [^│]+│ 118\.3 +│", res.output), res.output
    assert re.search(r"│ 1 +│ ok +│ 3-4 +│ 1 +│ 1 question, 1 attempt +│", res.output), res.output
