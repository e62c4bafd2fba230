"""The effective date a contract defines, read by code (pipeline.extraction.readers.defined_dates)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from rules.text.dates import decide_date_order
from pipeline.store.engine import make_engine, upgrade
from pipeline.extraction.readers.defined_dates import fill_effective_date, find_effective_date
from pipeline.ingest import ingest_paths
from pipeline.store.tables import Document
from pipeline.settings import Settings
from pipeline.store.queries import source_document
from schemas import ContractExtraction, DateClaim, DurationClaim, MatchStatus, SourceDocument
from tests.conftest import REPO

D = dt.date


@pytest.mark.parametrize(("text", "want"), [
    ('This Agreement is made as of September 9, 2024 (the "Effective Date") by and between', D(2024, 9, 9)),
    ("is effective as of March 1, 2024 (the “Effective Date”)", D(2024, 3, 1)),
    ('dated this 1st day of March, 2021 ("Commencement Date")', D(2021, 3, 1)),
    ('"Effective Date" means 15 January 2021.', D(2021, 1, 15)),
    ("“Start Date”: 1 June 2021", D(2021, 6, 1)),
    ("The Effective Date of this Agreement is June 1, 2021.", D(2021, 6, 1)),
    ("This Agreement shall be effective on the thirtieth (30th) day of June 2021.", D(2021, 6, 30)),
    ('entered into on June 1, 2021 (such date, the "Effective Date")', D(2021, 6, 1)),
    ("made on 1 March 2021 (the “Effective Date” or “Commencement Date”)", D(2021, 3, 1)),
    ('THIS AGREEMENT is made on 1st February 2021 ("the Commencement Date")', D(2021, 2, 1)),
    ("EFFECTIVE DATE: November 01, 2016", D(2016, 11, 1)),
    ("Effective Date:\nJune 1, 2021", D(2021, 6, 1)),
    ("The present Agreement is effective as from 1 January 2009.", D(2009, 1, 1)),
    ("This Agreement shall take effect on 1 March 2021.", D(2021, 3, 1)),
    ("The effective date of this Agreement will be January 1, 2016.", D(2016, 1, 1)),
    # an explicit definition beats an earlier "effective on" of something else
    ('Any price change shall be effective on 1 January 2022. This Agreement is dated 1 March 2021 '
     '(the "Effective Date").', D(2021, 3, 1)),
    ("Rent Commencement Date: June 1, 2021\nCommencement Date: March 1, 2021", D(2021, 3, 1)),
])
def test_forms_of_definition(text, want):
    got = find_effective_date(text)
    assert got is not None and got.value == want and not got.via_agreement_date
    assert text[got.value_start:got.value_end] == got.text


@pytest.mark.parametrize("text", [
    'entered into as of the date last signed below (the "Effective Date")',  # no date written
    'signed on June 1, 2021 by the Supplier and delivered later (the "Effective Date")',  # date not next to it
    "The Supplier may deliver the Goods from March 1, 2021.",  # a date, but no effective-date wording
    '"Delivery Date" means 1 June 2021.',  # another defined term
    # "effective" dates of other things (break-test findings and CUAD contracts)
    "Termination shall be effective on June 1, 2022.",
    "The prices are effective as of January 1, 2022 and may be adjusted annually.",
    "Either party may terminate this Agreement, effective as of December 31, 2023, by notice.",
    "The parties previously entered into a Selling Agreement, effective as of December 1, 2002.",
    'The Parties entered into a License Agreement effective as of January 1, 2015 (the "License Agreement").',
    "Rent Commencement Date: June 1, 2021",
])
def test_no_definition(text):
    assert find_effective_date(text) is None


def test_numeric_date_follows_the_document_order():
    text = 'THIS AGREEMENT is dated 03/04/2024 ("Commencement Date")'
    assert find_effective_date(text, "DMY").value == D(2024, 4, 3)
    assert find_effective_date(text, "MDY").value == D(2024, 3, 4)
    assert find_effective_date(text, None).value is None  # undecided order: no value guessed


def test_definition_by_reference_to_the_agreement_date():
    got = find_effective_date("“Commencement Date”: the date of this agreement.\n“Goods”: the products")
    assert got.via_agreement_date and got.value is None and got.text == "the date of this agreement"


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> dict[str, SourceDocument]:
    """The three samples as stored by a real ingest (SQLite), keyed by file stem."""
    tmp = tmp_path_factory.mktemp("samples")
    engine = make_engine(f"sqlite:///{tmp / 'db.sqlite'}")
    upgrade(engine)
    ingest_paths(engine, [REPO / "samples"], Settings(data_dir=tmp))
    with Session(engine) as s:
        docs = {Path(d.file_name).stem: source_document(s, d) for d in s.scalars(select(Document))}
    engine.dispose()
    return docs


def _want(name: str) -> dict:
    return json.loads((REPO / "samples" / f"{name}.expected.json").read_text())


@pytest.mark.parametrize("name", ["mutual_nda", "services_agreement", "supply_agreement"])
def test_samples_effective_date_filled_when_the_model_gave_none(name, samples):
    doc, want = samples[name], _want(name)
    x = ContractExtraction(agreement_date=DateClaim(value=D.fromisoformat(want["agreement_date"])),
                           initial_term=DurationClaim(value=want["initial_term"]))
    x.date_order = decide_date_order(doc.text, want["governing_law"])
    fill_effective_date(x, doc)
    eff = x.effective_date
    assert eff.value.isoformat() == want["effective_date"] and eff.computed
    assert eff.evidence.match == MatchStatus.EXACT and eff.evidence.page == 1 and eff.evidence.rects
    assert doc.text[eff.evidence.value_start:eff.evidence.value_end] == eff.evidence.span
    if want.get("expiration_date_computed"):  # recomputed from the filled effective date + initial term
        assert x.expiration_date.value.isoformat() == want["expiration_date"] and x.expiration_date.computed


def test_a_different_model_value_is_kept_and_the_definition_becomes_a_candidate(samples):
    doc = samples["services_agreement"]
    x = ContractExtraction(effective_date=DateClaim(value=D(2024, 2, 12)))
    fill_effective_date(x, doc)
    assert x.effective_date.value == D(2024, 2, 12)
    assert [c["value"] for c in x.candidates["effective_date"]] == ["2024-02-12", "2024-03-01"]


def test_key_terms_line():
    text = "SUBSCRIPTION ORDER\nSubscription Start Date: March 1st, 2021\nFees are due monthly."
    got = find_effective_date(text)
    assert got.value == D(2021, 3, 1) and got.term == "Start Date" and got.text == "March 1st, 2021"
    assert find_effective_date("Delivery Date: March 1st, 2021") is None
