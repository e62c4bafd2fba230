"""Deadlines stated in quarters reach a reviewer (issue 13, item 8, kind 1): D007 (a fiscal calendar the contract
does not define) and K005 (a deadline in quarters nothing keeps). The model's answers are written here as it
gives them (sentence ids and a span) and go through grounding, merge and normalization as in a run."""

from __future__ import annotations

import pytest

import rules
from pipeline.extraction.merge import merge_partials
from pipeline.extraction.normalize import normalize_extraction
from pipeline.extraction.partial import chunk_to_partial, ground_partial
from rules.text import split_sentences
from schemas import SourceDocument, SourcePage
from schemas.chunk_output import ChunkDate, ChunkExtraction, ChunkKeyDate, ChunkObligation, ChunkParty, ChunkTermination
from tests.rules_fixtures import fires, silent

HEAD = ('This Licence Agreement is effective as of January 15, 2024 between Northwind Optics Ltd ("Licensor") and '
        'Blue Heron Labs Inc. ("Licensee"). ')
REPORT = "Licensee shall deliver a royalty report within forty-five (45) days after the end of each fiscal quarter."
AUDIT = "Licensee shall complete the audit no later than the last day of the third fiscal quarter of 2024."
PAY = "Payment for each Deliverable is due within two (2) calendar quarters of its acceptance."
GAME = "Licensor shall show the Licensee logo for thirty seconds during each quarter of each home game."
FISCAL_YEAR = "Licensee's fiscal year ends on June 30 of each year."


def _run(text: str, *obligations: ChunkObligation, **answer):
    """The model's answer (two parties, the effective date, ``obligations`` and ``answer``'s other fields) run
    through grounding, merge and normalization against ``text``; returns the extraction and the findings."""
    doc = SourceDocument(text=text, pages=[SourcePage(number=1, start=0, end=len(text))])
    out = ChunkExtraction(
        parties=[ChunkParty(name="Northwind Optics Ltd", role="Licensor", sentence_ids=[1]),
                 ChunkParty(name="Blue Heron Labs Inc.", role="Licensee", sentence_ids=[1])],
        effective_date=ChunkDate(iso="2024-01-15", span="January 15, 2024", sentence_ids=[1]),
        obligations=list(obligations), **answer)
    x = chunk_to_partial(out, 0)
    ground_partial(x, split_sentences(text), doc)
    x = normalize_extraction(merge_partials([x]), doc)
    return x, rules.evaluate(x, doc)


def _id(text: str, sentence: str) -> int:
    return next(s.id for s in split_sentences(text) if sentence in s.text)


def test_fiscal_quarter_deadline_tells_the_reviewer_the_fiscal_calendar_is_needed():
    text = HEAD + REPORT + " " + AUDIT
    x, found = _run(text,
                    ChunkObligation(action="deliver a royalty report", obligor="Licensee", category="reporting",
                                    span="within forty-five (45) days after the end of each fiscal quarter",
                                    deadline_number=45, deadline_unit="days", sentence_ids=[_id(text, REPORT)]),
                    ChunkObligation(action="complete the audit", obligor="Licensee", span="complete the audit",
                                    deadline_iso="2024-09-30", sentence_ids=[_id(text, AUDIT)]))
    report = fires(found, "D007", "obligations[0]")
    assert "fiscal quarter" in report.message and "fiscal calendar" in report.message
    audit = fires(found, "D007", "obligations[1]")
    assert "none could be read" in audit.message
    assert x.obligations[1].deadline.date is None  # the model's 2024-09-30 assumed a calendar quarter
    # the audit's deadline is kept by no value (its date was not taken): K005 lists it too; the report's is kept
    assert fires(found, "K005", "obligations").details["sentences"] == [AUDIT]


def test_a_defined_fiscal_calendar_or_a_calendar_quarter_needs_no_fiscal_finding():
    text = HEAD + REPORT + " " + FISCAL_YEAR
    _, found = _run(text, ChunkObligation(action="deliver a royalty report", obligor="Licensee",
                                          span="within forty-five (45) days after the end of each fiscal quarter",
                                          deadline_number=45, deadline_unit="days", sentence_ids=[_id(text, REPORT)]))
    silent(found, "D007")
    text = HEAD + PAY
    x, found = _run(text, ChunkObligation(action="pay for each Deliverable", obligor="Licensee", category="payment",
                                          span="within two (2) calendar quarters of its acceptance",
                                          deadline_number=2, sentence_ids=[_id(text, PAY)]))
    silent(found, "D007")
    silent(found, "K005")
    assert x.obligations[0].deadline.duration.value == 6


def test_quarter_deadlines_nothing_extracted_are_listed():
    text = HEAD + PAY + " " + REPORT + " " + GAME
    _, found = _run(text)
    f = fires(found, "K005", "obligations")
    assert PAY in f.details["sentences"] and REPORT in f.details["sentences"]
    assert GAME not in f.details["sentences"]  # the quarter of a game is no deadline


def test_quarter_deadline_cited_by_a_duty_that_kept_no_deadline_is_listed():
    """The model gave a number without a unit and cited the wrong words: nothing holds the deadline."""
    text = HEAD + PAY
    _, found = _run(text, ChunkObligation(action="pay for each Deliverable", obligor="Licensee", category="payment",
                                          span="Payment for each Deliverable", deadline_number=2,
                                          sentence_ids=[_id(text, PAY)]))
    assert fires(found, "K005", "obligations").details["sentences"] == [PAY]


TFC = "Either party may terminate this Agreement for convenience on two (2) calendar quarters' prior written notice."


@pytest.mark.parametrize(("number", "unit", "flagged"), [(2, "months", True), (2, "weeks", True),
                                                    (6, "months", False), (0.5, "years", False)])
def test_a_termination_notice_in_quarters_read_as_months_is_flagged(number, unit, flagged):
    text = HEAD + TFC
    _, found = _run(text, termination_rights=[ChunkTermination(
        kind="for_convenience", notice_number=number, notice_unit=unit, sentence_ids=[_id(text, TFC)],
        span="two (2) calendar quarters' prior written notice")])
    if flagged:
        assert "6 months" in fires(found, "S008", "termination_rights[0]").message
    else:
        silent(found, "S008")


def test_a_key_date_counted_in_quarters_states_a_period():
    text = HEAD + "The first release is due within two (2) calendar quarters after the Effective Date."
    x, found = _run(text, other_dates=[ChunkKeyDate(label="first release due", iso="2024-07-15", sentence_ids=[2],
                                                    span="within two (2) calendar quarters after the Effective Date")])
    assert x.key_dates[0].value.isoformat() == "2024-07-15"
    silent(found, "S009")
