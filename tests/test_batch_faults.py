"""Issue #14, item 1: one bad file never stops a batch. Each fault is a real file built here, ingested by the
real ``clausewise ingest`` process on SQLite and PostgreSQL, followed in the batch by a good file that must be
read; limits that protect the machine are settings, and reaching one is a status."""

from __future__ import annotations

import pymupdf
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import audit
from pipeline.ingest import ingest_file
from pipeline.reading import chunk_text, default_tokenizer
from pipeline.reading.pdf import tessdata_dir
from pipeline.settings import Settings
from pipeline.store import Chunk, Document
from rules.text import MAX_PUNKT_CHARS, split_sentences
from tests.batch_fixtures import (
    clausewise,
    contract_text,
    large_text_file,
    nested_graphics_states_pdf,
    page_tree_cycle_pdf,
)
from tests.conftest import unavailable


def _rows(engine) -> dict[str, Document]:
    with Session(engine) as s:
        docs = list(s.scalars(select(Document)))
        for d in docs:
            s.expunge(d)
    return {d.file_name: d for d in docs}


def _batch(tmp_path, bad_name: str):
    """A folder with the bad file's name and a good contract sorted after it; returns (folder, good path)."""
    folder = tmp_path / "batch"
    folder.mkdir()
    good = folder / "z_good.txt"
    good.write_text(contract_text("after " + bad_name))
    return folder, good


def _ingest(folder, db_url, **kw):
    res = clausewise("ingest", "--no-extract", "--database-url", db_url, str(folder), **kw)
    assert res.returncode == 0, res.stdout + res.stderr
    return res.stdout


def _good_file_read(engine):
    good = _rows(engine)["z_good.txt"]
    assert good.status == "ingested" and good.page_count == 1
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Chunk).where(Chunk.document_id == good.id)) >= 1


def test_a_page_tree_that_contains_itself_fails_the_file_and_the_batch_goes_on(engine, db_url, tmp_path):
    folder, _ = _batch(tmp_path, "a_cycle.pdf")
    page_tree_cycle_pdf(folder / "a_cycle.pdf")
    out = _ingest(folder, db_url)
    bad = _rows(engine)["a_cycle.pdf"]
    assert (bad.status, bad.status_reason) == ("failed", "corrupt")
    assert "a_cycle.pdf" in bad.status_message and "cycle in page tree" in bad.status_message
    assert "a_cycle.pdf: failed (corrupt)" in out
    _good_file_read(engine)
    assert audit.verify(engine).ok


def test_300k_nested_graphics_states_fail_the_file_and_the_batch_goes_on(engine, db_url, tmp_path):
    folder, _ = _batch(tmp_path, "a_nested.pdf")
    nested_graphics_states_pdf(folder / "a_nested.pdf", depth=300_000)
    _ingest(folder, db_url)
    bad = _rows(engine)["a_nested.pdf"]
    assert (bad.status, bad.status_reason) == ("failed", "corrupt")
    assert "page 1" in bad.status_message and "nested graphics states" in bad.status_message
    _good_file_read(engine)


def test_a_file_without_read_permission_gets_a_line_and_the_batch_goes_on(engine, db_url, tmp_path):
    folder, _ = _batch(tmp_path, "a_locked.txt")
    locked = folder / "a_locked.txt"
    locked.write_text(contract_text("locked"))
    locked.chmod(0)
    try:
        out = _ingest(folder, db_url, as_unprivileged=True)
    finally:
        locked.chmod(0o644)
    assert "a_locked.txt: failed (file_unreadable) - a_locked.txt: cannot be read (Permission denied)" in out
    assert "a_locked.txt" not in _rows(engine)  # no bytes read, so no document: the line and the audit log say it
    _good_file_read(engine)
    failed = [e for e in audit.query(engine, type_glob="document.failed") if e.payload.get("file_name") == "a_locked.txt"]
    assert [(e.document_id, e.payload["reason"]) for e in failed] == [(None, "file_unreadable")]


def test_a_text_file_over_5_mb_is_chunked_whole_and_the_batch_goes_on(engine, db_url, tmp_path):
    folder, _ = _batch(tmp_path, "a_large.txt")
    big = large_text_file(folder / "a_large.txt", 5_300_000)
    assert big.stat().st_size >= 5_000_000
    _ingest(folder, db_url)
    doc = _rows(engine)["a_large.txt"]
    assert (doc.status, doc.status_reason) == ("ingested", None)
    with Session(engine) as s:
        text = s.get(Document, doc.id).text
        spans = [(c.start, c.end, c.text) for c in s.scalars(select(Chunk).where(Chunk.document_id == doc.id)
                                                            .order_by(Chunk.seq))]
    assert len(text) >= 5_000_000 and all(text[a:b] == t for a, b, t in spans)
    covered = 0
    for a, b, _ in spans:  # chunks in order, each starting by the end of those before: no text left out
        assert a <= covered or not text[covered:a].strip()
        covered = max(covered, b)
    assert not text[covered:].strip()
    _good_file_read(engine)


def test_no_punkt_call_reads_more_than_a_window_so_the_cost_grows_linearly(monkeypatch):
    """The sentence splitter and the chunker hand NLTK's Punkt at most MAX_PUNKT_CHARS at once (one call over
    a whole large unit meets NLTK's regex time limit), and the windows give the sentences of one call."""
    from llama_index.core.utils import globals_helper
    from nltk.tokenize.punkt import PunktSentenceTokenizer

    longest = []
    real = PunktSentenceTokenizer.span_tokenize

    def spy(self, text, *a, **k):
        longest.append(len(text))
        return real(self, text, *a, **k)

    monkeypatch.setattr(PunktSentenceTokenizer, "span_tokenize", spy)
    text = "".join(f"Fee {i} is due in {i % 90 + 1} days. Late fees apply. " for i in range(12_000))
    assert len(text) > 4 * MAX_PUNKT_CHARS and "\n" not in text
    sentences = split_sentences(text)
    assert max(longest) <= MAX_PUNKT_CHARS and len(longest) >= 4
    assert len(sentences) == 24_000  # every "Fee ... days." and "Late fees apply." found, none cut at a window
    assert [s.text for s in sentences[:2]] == ["Fee 0 is due in 1 days.", "Late fees apply."]
    longest.clear()
    globals_helper.punkt_tokenizer  # noqa: B018 - loaded before measuring
    chunks = chunk_text(text, [(1, 0, len(text))], budget_tokens=1500, overlap_tokens=100,
                        tokenizer=default_tokenizer())
    assert longest and max(longest) <= MAX_PUNKT_CHARS
    assert chunks[0].start == 0 and chunks[-1].end == len(text.rstrip())


def test_a_clause_repeated_thousands_of_times_is_chunked(engine, tmp_path):
    """Where the text repeats itself, llama-index names the first copy of a chunk after the previous chunk's
    start; the chunks must still cover the text (they stopped short: ChunkLocateError, the file failed)."""
    f = tmp_path / "repeated.txt"
    f.write_text("Buyer shall pay each invoice within thirty (30) days. " * 20_000)
    out = ingest_file(engine, f, Settings(data_dir=tmp_path), tokenizer=default_tokenizer())
    assert (out.status, out.reason) == ("ingested", None)
    with Session(engine) as s:
        doc = s.get(Document, out.document_id)
        assert doc.chunks[0].start == 0 and doc.chunks[-1].end == len(doc.text)
        assert all(not doc.text[a.end:b.start].strip() for a, b in zip(doc.chunks, doc.chunks[1:]))
        tokens = default_tokenizer().count(doc.text)
    assert tokens / 1500 <= out.chunks <= tokens / 1000  # full chunks: not one clause further per chunk


# ---------------------------------------------------------------------------------------------------------------
# Limits that protect the machine: settings, and a status when reached
# ---------------------------------------------------------------------------------------------------------------


def _pdf(path, pages: list[str]):
    doc = pymupdf.open()
    for text in pages:
        page = doc.new_page()
        page.insert_text((72, 300), text, fontsize=12)
    doc.save(path)
    return path


def _scanned_pdf(path, pages: int):
    """A PDF of ``pages`` pages that are images of text (no text layer)."""
    src = pymupdf.open(_pdf(path.with_suffix(".src.pdf"),
                            [f"This Agreement page {i} is signed by Acme Inc. and Beta LLC." for i in range(pages)]))
    doc = pymupdf.open()
    for page in src:
        pix = page.get_pixmap(dpi=150)
        new = doc.new_page(width=page.rect.width, height=page.rect.height)
        new.insert_image(new.rect, pixmap=pix)
    doc.save(path)
    return path


def test_more_pages_than_max_pages_per_file_is_a_status(engine, tmp_path):
    f = _pdf(tmp_path / "long.pdf", [f"Clause {i}. Buyer shall pay Acme Inc. within {i + 10} days." for i in range(3)])
    out = ingest_file(engine, f, Settings(data_dir=tmp_path, max_pages_per_file=2), tokenizer=default_tokenizer())
    assert (out.status, out.reason) == ("failed", "too_many_pages")
    assert "3 pages" in out.message and "max_pages_per_file" in out.message
    again = ingest_file(engine, f, Settings(data_dir=tmp_path, max_pages_per_file=3), tokenizer=default_tokenizer())
    assert (again.status, again.pages) == ("ingested", 3)  # raised, the same file is read on the next ingest


def test_more_text_than_max_text_chars_is_a_status(engine, tmp_path):
    settings = Settings(data_dir=tmp_path, max_text_chars=150)
    txt = tmp_path / "long.txt"
    txt.write_text(contract_text("long"))
    out = ingest_file(engine, txt, settings, tokenizer=default_tokenizer())
    assert (out.status, out.reason) == ("failed", "text_too_large")
    assert "max_text_chars" in out.message
    pdf = _pdf(tmp_path / "long.pdf", [f"Clause {i}. Buyer shall pay Acme Inc. within {i + 10} days of receipt of "
                                       "each invoice under this Agreement." for i in range(3)])
    out = ingest_file(engine, pdf, settings, tokenizer=default_tokenizer())
    assert (out.status, out.reason) == ("failed", "text_too_large")
    assert "by page 2" in out.message  # reading stopped there


def test_ocr_beyond_max_ocr_pages_or_seconds_per_file_is_a_status(engine, tmp_path):
    if tessdata_dir() is None:
        unavailable("tesseract is not installed (make test installs it)")
    f = _scanned_pdf(tmp_path / "scan.pdf", 2)
    out = ingest_file(engine, f, Settings(data_dir=tmp_path, max_ocr_pages_per_file=1), tokenizer=default_tokenizer())
    assert (out.status, out.reason) == ("failed", "ocr_limit")
    assert "page 2" in out.message and "max_ocr_pages_per_file" in out.message
    out = ingest_file(engine, f, Settings(data_dir=tmp_path, max_ocr_seconds_per_file=0), tokenizer=default_tokenizer())
    assert (out.status, out.reason) == ("failed", "ocr_limit")
    assert "page 1" in out.message and "max_ocr_seconds_per_file" in out.message
    out = ingest_file(engine, f, Settings(data_dir=tmp_path), tokenizer=default_tokenizer())
    assert (out.status, out.pages) == ("ingested", 2)


def test_limits_are_settings_with_documented_defaults():
    s = Settings()
    assert (s.max_pages_per_file, s.max_ocr_pages_per_file, s.max_ocr_seconds_per_file, s.max_text_chars) == (
        2000, 100, 1800.0, 20_000_000)
    readme = (__import__("tests.conftest", fromlist=["REPO"]).REPO / "README.md").read_text()
    for name in ("MAX_PAGES_PER_FILE", "MAX_OCR_PAGES_PER_FILE", "MAX_OCR_SECONDS_PER_FILE", "MAX_TEXT_CHARS"):
        assert f"`CLAUSEWISE_{name}`" in readme


def test_a_document_the_database_refuses_is_stored_as_failed_and_the_batch_goes_on(engine, db_url, tmp_path):
    """A NUL character after the first 64 KiB passes the text check; PostgreSQL refuses it in a text column.
    The document is stored failed, without its text; SQLite stores it as it is."""
    folder, _ = _batch(tmp_path, "a_nul.txt")
    filler = "".join(f"Clause {i} applies to each order. " for i in range(2500))
    assert len(filler) > 65_536
    (folder / "a_nul.txt").write_text(contract_text("nul") + filler + "\x00 end.\n")
    _ingest(folder, db_url)
    doc = _rows(engine)["a_nul.txt"]
    if engine.dialect.name == "postgresql":
        assert (doc.status, doc.status_reason, doc.text) == ("failed", "read_error", "")
        assert "could not be stored" in doc.status_message and "NUL" in doc.status_message
    else:
        assert doc.status == "ingested"
    _good_file_read(engine)
    assert audit.verify(engine).ok


def test_an_error_one_document_makes_a_stage_raise_fails_that_document_not_the_batch(engine, tmp_path, monkeypatch):
    """Any error a document's text makes extraction or the rules raise (here: a stand-in RuntimeError for the first
    document) is that document's failed status; the next document is extracted and verified."""
    import pipeline.run
    from pipeline.run import process_documents
    from tests.conftest import REPO, require_shared
    from tests.extract_fixtures import store_text_document

    first = store_text_document(engine, contract_text("first"), "first.txt")
    second = store_text_document(engine, require_shared("failcases", "F22", "contract.txt").read_text(), "F22.txt")
    real = pipeline.run.extract_document

    def extract(engine_, doc_id, *a, **k):
        if doc_id == first:
            raise RuntimeError("a reader met text it cannot take")
        return real(engine_, doc_id, *a, **k)

    monkeypatch.setattr(pipeline.run, "extract_document", extract)
    settings = Settings(data_dir=tmp_path, backend="replay", model="qwen2.5-coder-0.5b",
                        replay_dir=REPO / "tests" / "recordings" / "extract")
    totals = process_documents(engine, [first, second], settings)
    assert (totals["failed"], totals["documents"]) == (1, 1)
    rows = _rows(engine)
    assert (rows["first.txt"].status, rows["first.txt"].status_reason) == ("failed", "extraction_failed")
    assert "RuntimeError: a reader met text it cannot take" in rows["first.txt"].status_message
    assert rows["F22.txt"].status in {"needs_review", "auto_accepted"}
    assert {d.lease_holder for d in rows.values()} == {None}
