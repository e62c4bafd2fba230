"""The original bytes in the store, content-addressed by SHA-256 (issue #14, item 9), on SQLite and PostgreSQL:
stored once however often they are ingested, checked on every read, referenced by the document row, and
added by migration 0006 to documents stored before it from files still there and still the same."""

from __future__ import annotations

import hashlib
import shutil

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from pipeline.ingest import ingest_file
from pipeline.reading.tokens import default_tokenizer
from pipeline.settings import Settings
from pipeline.store import (
    Blob, BlobCorrupt, BlobMismatch, BlobMissing, Document, get_bytes, make_engine, put_bytes, put_file, transaction,
    upgrade,
)
from tests.review_fixtures import SAMPLE

REPO_SAMPLES = SAMPLE.parent


def _blob_count(engine) -> int:
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(Blob))


def test_put_then_get_returns_the_bytes_and_the_same_bytes_are_stored_once(engine):
    data = b"%PDF-1.7 not really, but bytes are bytes \x00\xff"
    with transaction(engine) as s:
        digest = put_bytes(s, data)
        assert put_bytes(s, data) == digest  # again in the same transaction: no second row, no error
    with transaction(engine) as s:
        assert put_bytes(s, data) == digest  # and in a later one
    assert digest == hashlib.sha256(data).hexdigest()
    assert _blob_count(engine) == 1
    with Session(engine) as s:
        assert get_bytes(s, digest) == data
        assert s.get(Blob, digest).size_bytes == len(data)
        with pytest.raises(BlobMissing, match="no stored original with SHA-256 0000000000"):
            get_bytes(s, "0" * 64)


def test_changed_bytes_in_the_database_are_refused_on_read(engine):
    with transaction(engine) as s:
        digest = put_bytes(s, b"the contract as signed")
    with transaction(engine) as s:
        s.execute(update(Blob).where(Blob.sha256 == digest).values(data=b"the contract as changed"))
    with Session(engine) as s, pytest.raises(BlobCorrupt, match=f"{digest[:12]} no longer matches its SHA-256"):
        get_bytes(s, digest)


def test_a_file_that_changed_since_it_was_hashed_is_refused(engine, tmp_path):
    f = tmp_path / "contract.pdf"
    f.write_bytes(b"version two")
    with transaction(engine) as s, pytest.raises(BlobMismatch, match="changed while it was being ingested"):
        put_file(s, f, sha256=hashlib.sha256(b"version one").hexdigest())
    assert _blob_count(engine) == 0


def test_ingest_keeps_the_original_bytes_once_per_content(engine, tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    tok = default_tokenizer()
    first = tmp_path / "a" / "services_agreement.pdf"
    again = tmp_path / "b" / "same_bytes_other_name.pdf"
    other = tmp_path / "a" / "mutual_nda.pdf"
    for src, dst in [(SAMPLE, first), (SAMPLE, again), (REPO_SAMPLES / "mutual_nda.pdf", other)]:
        dst.parent.mkdir(exist_ok=True)
        shutil.copy(src, dst)
    outs = [ingest_file(engine, p, settings, tokenizer=tok) for p in (first, again, other)]
    assert [o.already for o in outs] == [False, True, False]
    assert _blob_count(engine) == 2
    first.unlink()
    other.write_bytes(b"something else entirely")  # moved, replaced: the store does not care
    with Session(engine) as s:
        for out, src in [(outs[0], SAMPLE), (outs[2], REPO_SAMPLES / "mutual_nda.pdf")]:
            doc = s.get(Document, out.document_id)
            assert doc.blob_sha256 == doc.id
            assert get_bytes(s, doc.blob_sha256) == src.read_bytes()


def test_ingesting_again_stores_the_bytes_of_a_document_stored_without_them(engine, tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    f = tmp_path / "services_agreement.pdf"
    shutil.copy(SAMPLE, f)
    out = ingest_file(engine, f, settings, tokenizer=default_tokenizer())
    with transaction(engine) as s:  # as a document stored before migration 0006 whose file was gone then
        s.execute(update(Document).values(blob_sha256=None))
        s.execute(text("DELETE FROM blobs"))
    again = ingest_file(engine, f, settings, tokenizer=default_tokenizer())
    assert again.already
    with Session(engine) as s:
        assert s.get(Document, out.document_id).blob_sha256 == out.document_id
        assert get_bytes(s, out.document_id) == SAMPLE.read_bytes()


def test_migration_0006_keeps_the_bytes_of_documents_whose_file_is_still_the_same(empty_url, tmp_path):
    eng = make_engine(empty_url)
    upgrade(eng, "0004")
    kept, swapped, gone = tmp_path / "kept.pdf", tmp_path / "swapped.pdf", tmp_path / "gone.pdf"
    shutil.copy(SAMPLE, kept)
    shutil.copy(REPO_SAMPLES / "mutual_nda.pdf", swapped)
    # swapped.pdf was the supply agreement when it was ingested; the NDA sits at its path now
    rows = [(hashlib.sha256(SAMPLE.read_bytes()).hexdigest(), kept),
            (hashlib.sha256((REPO_SAMPLES / "supply_agreement.pdf").read_bytes()).hexdigest(), swapped),
            ("e" * 64, gone)]
    with eng.begin() as c:
        for doc_id, path in rows:
            c.execute(text("INSERT INTO documents (id, file_name, source_path, media_type, size_bytes, page_count, "
                           "status, text, is_repaired, has_hidden_text, info, version, created_at, updated_at) "
                           "VALUES (:id, :name, :path, 'application/pdf', 1, 1, 'ingested', '', false, false, "
                           "'{}', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                      {"id": doc_id, "name": path.name, "path": str(path)})
    upgrade(eng)
    with Session(eng) as s:
        got = {d.file_name: d.blob_sha256 for d in s.scalars(select(Document))}
        assert got == {"kept.pdf": rows[0][0], "swapped.pdf": None, "gone.pdf": None}
        assert get_bytes(s, rows[0][0]) == SAMPLE.read_bytes()
        assert s.scalar(select(func.count()).select_from(Blob)) == 1
    eng.dispose()
