"""Test data for the review flow and UI: a real sample contract, a fixture extraction, real rules.

:func:`reviewable_document` ingests ``samples/services_agreement.pdf`` (the real PDF, page layout and all),
stores an extraction run built by :func:`fixture_extraction_with_wrong_renewal_notice` (grounded
effective date and governing law, plus ONE deliberately wrong field: a renewal notice of 90 days where the
contract says sixty (60) days), and runs :func:`pipeline.verify.verify_document` with the real rule engine,
which flags the wrong field. Right values: ``samples/services_agreement.expected.json``.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import uuid
from pathlib import Path

import pytest
from argon2 import PasswordHasher, profiles
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from pipeline.store.blobs import put_bytes
from pipeline.store.engine import make_engine, transaction, upgrade
from pipeline.extraction.grounding import locate_quote, rects_for
from pipeline.ingest import ingest_file
from pipeline.store.tables import Document, ExtractionRun, Page, ReviewItem
from pipeline.settings import Settings
from pipeline.store.states import DocumentStatus
from pipeline.store.queries import source_document
from pipeline.reading.tokens import default_tokenizer
import pipeline.review.users
from pipeline.review import Role, User, add_user
from schemas import (
    ContractExtraction, DateClaim, Duration, DurationClaim, Evidence, GoverningLaw, MatchStatus, PaymentTerms,
)

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "samples" / "services_agreement.pdf"
PASSWORD = "correct horse battery"

EFFECTIVE_QUOTE = "is effective as of March 1, 2024"
LAW_QUOTE = "This Agreement is governed by and construed in accordance with the laws of the State of New York"
RENEWAL_QUOTE = ("unless either Party gives written notice of non-renewal at least sixty (60) days before the end "
                 "of the then-current term")


def grounded(source, quote: str, span: str) -> Evidence:
    """Evidence for ``quote`` located in the stored text as grounding does it (offsets, page, rectangles)."""
    m = locate_quote(quote, source)
    assert m.start is not None, quote
    vs = source.text.find(span, m.start)
    page = next(p.number for p in source.pages if p.start <= m.start < p.end)
    return Evidence(sentence_ids=[0], span=span, quote=source.text[m.start:m.end], page=page, start=m.start,
                    end=m.end, value_start=vs, value_end=vs + len(span), rects=rects_for(source, m.start, m.end),
                    match=MatchStatus.EXACT)


TERM_QUOTE = "continues until the third (3rd) anniversary of the Effective Date"
RENEWAL_TERM_QUOTE = "shall automatically renew for successive renewal terms of one (1) year each"
SURVIVAL_QUOTE = "The obligations in this Section 7 continue during the Term and survive for five (5) years"
PAYMENT_QUOTE = "Client shall pay each invoice within forty-five (45) days after receipt of a correct invoice"


def fixture_extraction_with_wrong_renewal_notice(source) -> ContractExtraction:
    """A fixture extraction of the services agreement: grounded, right fields (so that no rule flags them)
    and one wrong one (renewal notice 90 days; the contract says sixty (60) days)."""
    three_years, one_year, five_years = (Duration(value=n, unit="years") for n in (3, 1, 5))
    return ContractExtraction(
        initial_term=DurationClaim(value=three_years, parsed=three_years, raw_text="third (3rd) anniversary",
                                   evidence=grounded(source, TERM_QUOTE, "third (3rd) anniversary")),
        expiration_date=DateClaim(value=dt.date(2027, 3, 1), computed=True,
                                  note="effective date + initial term (computed)"),
        renewal_term=DurationClaim(value=one_year, parsed=one_year, raw_text="one (1) year",
                                   evidence=grounded(source, RENEWAL_TERM_QUOTE, "one (1) year")),
        confidentiality_survival=DurationClaim(value=five_years, parsed=five_years, raw_text="five (5) years",
                                               evidence=grounded(source, SURVIVAL_QUOTE, "five (5) years")),
        payment_terms=PaymentTerms(days=45, trigger="receipt of a correct invoice",
                                   raw_text="within forty-five (45) days",
                                   evidence=grounded(source, PAYMENT_QUOTE, "forty-five (45) days")),
        document_id=source.document_id,
        effective_date=DateClaim(value=dt.date(2024, 3, 1), parsed=dt.date(2024, 3, 1), raw_text="March 1, 2024",
                                 evidence=grounded(source, EFFECTIVE_QUOTE, "March 1, 2024")),
        governing_law=GoverningLaw(jurisdiction="New York", raw_text="the State of New York",
                                   evidence=grounded(source, LAW_QUOTE, "State of New York")),
        renewal_notice=DurationClaim(value=Duration(value=90, unit="days"), parsed=Duration(value=60, unit="days"),
                                     raw_text="sixty (60) days",
                                     evidence=grounded(source, RENEWAL_QUOTE, "sixty (60) days")),
    )


_INGESTED: dict[Path, tuple[dict, list[dict]]] = {}


def ingest_sample(engine: Engine, tmp_path: Path, pdf: Path = SAMPLE) -> str:
    """A real PDF ingested with :func:`pipeline.ingest.ingest_file`; returns the document id.

    The PDF is ingested once per test process (default tokenizer, no model needed) into a scratch SQLite
    database; each test's ``engine`` gets copies of the stored document and page rows and the original bytes
    (reading the PDF again per test and per database would cost seconds each).
    """
    if pdf not in _INGESTED:
        scratch = Path(tempfile.mkdtemp(prefix="cw_ingest_"))
        eng = make_engine(f"sqlite:///{scratch / 'ingest.db'}")
        upgrade(eng)
        out = ingest_file(eng, pdf, Settings(data_dir=scratch), tokenizer=default_tokenizer())
        assert out.status == "ingested", out
        with Session(eng) as s:
            d = s.get(Document, out.document_id)
            doc = {c.key: getattr(d, c.key) for c in Document.__table__.columns}
            pages = [{c.key: getattr(p, c.key) for c in Page.__table__.columns if c.key != "id"} for p in d.pages]
        eng.dispose()
        _INGESTED[pdf] = (doc, pages)
    doc, pages = _INGESTED[pdf]
    with transaction(engine, immediate=True) as s:
        assert put_bytes(s, pdf.read_bytes()) == doc["blob_sha256"]
        s.add(Document(**doc))
        s.flush()
        for p in pages:
            s.add(Page(**p))
    return doc["id"]


def reviewable_document(engine: Engine, tmp_path: Path, extraction_builder=None, pdf: Path = SAMPLE) -> str:
    """Ingest the sample (or ``pdf``, a file with the sample's text), store the fixture extraction, verify with
    the real rules; returns the document id (status ``needs_review``)."""
    doc_id = ingest_sample(engine, tmp_path, pdf)
    builder = extraction_builder or fixture_extraction_with_wrong_renewal_notice
    with transaction(engine, immediate=True) as s:
        doc = s.get(Document, doc_id)
        x = builder(source_document(s, doc))
        s.add(ExtractionRun(id=str(uuid.uuid4()), document_id=doc_id, backend="fixture", model="fixture",
                            prompt_version="fixture", status="complete", extraction=x.model_dump(mode="json")))
        doc.status = DocumentStatus.EXTRACTED.value
    status = _verify(engine, doc_id, Settings(data_dir=tmp_path / "data"))
    assert status == "needs_review", status
    return doc_id


def _verify(engine: Engine, doc_id: str, settings: Settings) -> str:
    """Run the real rules through :func:`pipeline.verify.verify_document`; returns the new status."""
    from pipeline.verify import verify_document

    return verify_document(engine, doc_id, settings).status


def items(engine: Engine, doc_id: str) -> dict[str, ReviewItem]:
    """The document's review items by field path."""
    with Session(engine) as s:
        return {i.field_path: i for i in s.scalars(select(ReviewItem).where(ReviewItem.document_id == doc_id))}


def version(engine: Engine, doc_id: str) -> int:
    with Session(engine) as s:
        return s.get(Document, doc_id).version


def make_users(engine: Engine) -> dict[str, User]:
    """Accounts alice and bob (reviewers), root (admin), audra (auditor), all with :data:`PASSWORD`."""
    out = {}
    for name, role in [("alice", Role.REVIEWER), ("bob", Role.REVIEWER), ("root", Role.ADMIN),
                       ("audra", Role.AUDITOR)]:
        out[name] = add_user(engine, name, PASSWORD, role)
    return out


@pytest.fixture
def cheap_argon2(monkeypatch):
    """argon2id with argon2-cffi's CHEAPEST profile (for tests only: the default costs ~0.4 s per hash on 2 cores)."""
    monkeypatch.setattr(pipeline.review.users, "_hasher", PasswordHasher.from_parameters(profiles.CHEAPEST))
