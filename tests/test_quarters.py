"""Deadlines stated in quarters (issue 13, item 8, kind 1): the grammar, and a model answer read against its span.

Every clause here was written for these tests. A quarter is three months ("two (2) calendar quarters" is 6 months);
a calendar quarter of a named year has fixed dates; a fiscal quarter's dates are the party's and are never turned
into a calendar date unless the contract says when its fiscal year ends.
"""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.extraction.merge import merge_partials
from pipeline.extraction.normalize import normalize_extraction
from pipeline.extraction.partial import chunk_to_partial
from rules.text import (
    calendar_quarter_date,
    find_durations,
    fiscal_calendar_defined,
    fiscal_period_in,
    parse_date,
    parse_duration,
)
from schemas import Duration
from schemas.chunk_output import ChunkDate, ChunkExtraction, ChunkObligation

D = dt.date


@pytest.mark.parametrize(("text", "value", "fiscal"), [
    ("payable within two (2) calendar quarters of acceptance", Duration(value=6, unit="months"), False),
    ("for a period of one (1) fiscal quarter", Duration(value=3, unit="months"), True),
    ("within 3 quarters after delivery", Duration(value=9, unit="months"), False),
    ("for four (4) consecutive fiscal years' worth", Duration(value=4, unit="years"), True),  # "consecutive" is read past
    ("over six fiscal months", Duration(value=6, unit="months"), True),
    ("within 1.5 quarters", Duration(value=4.5, unit="months"), False),
])
def test_quarters_are_three_months(text, value, fiscal):
    found = find_durations(text)
    if value is None:
        assert found == []
        return
    (f,) = found
    assert f.value == value and f.fiscal is fiscal and text[f.start:f.end] == f.text


@pytest.mark.parametrize("text", [
    "no later than the third quarter of 2024",  # a quarter named, not a length
    "by the 2nd calendar quarter",
    "after each fiscal quarter",
    "reports are delivered quarterly",
    "within a quarter",  # no number
    "two (2) fiscal days",  # no such unit
])
def test_quarter_words_that_are_no_duration(text):
    assert find_durations(text) == [] and parse_duration(text) is None


def test_words_and_digits_that_disagree_in_quarters_are_reported_not_read():
    (f,) = find_durations("within two (3) calendar quarters")
    assert f.value is None and f.conflict and (f.words_value, f.digits_value) == (2, 3)


@pytest.mark.parametrize(("text", "anchor", "value", "kind"), [
    ("no later than the last day of the third calendar quarter of 2024", None, D(2024, 9, 30), "absolute"),
    ("by the end of the fourth calendar quarter of 2023", None, D(2023, 12, 31), "absolute"),
    ("commencing on the first day of the second calendar quarter of 2025", None, D(2025, 4, 1), "absolute"),
    ("by the close of the first calendar quarter in the year 2024", None, D(2024, 3, 31), "absolute"),
    # a fiscal or unqualified quarter of a year: its dates depend on a calendar the phrase does not give
    ("no later than the last day of the third fiscal quarter of 2024", None, None, "none"),
    ("by the end of the second quarter of 2024", None, None, "none"),
    # lengths in quarters from the anchor: calendar quarters are months; fiscal ones are not dated
    ("within two (2) calendar quarters after the Effective Date", D(2024, 1, 15), D(2024, 7, 15), "relative"),
    ("within two (2) fiscal quarters after the Effective Date", D(2024, 1, 15), None, "relative"),
    # counted from a quarter's end: which quarter ends when is not the anchor date
    ("within 45 days after the end of the first fiscal quarter following the Effective Date", D(2024, 1, 15), None,
     "relative"),
    ("within 30 days after the end of the calendar quarter in which the Effective Date falls", D(2024, 1, 15), None,
     "relative"),
    # every quarter: recurring, no single date
    ("within forty-five (45) days after the end of each fiscal quarter", D(2024, 1, 15), None, "recurring"),
    ("quarterly, within 30 days after the close of each quarter", D(2024, 1, 15), None, "recurring"),
])
def test_dates_stated_in_quarters(text, anchor, value, kind):
    r = parse_date(text, anchor=anchor)
    assert (r.value, r.kind) == (value, kind)


def test_inclusive_edge_of_a_calendar_quarter():
    assert parse_date("on or before the last day of the second calendar quarter of 2026").inclusive is True
    assert calendar_quarter_date("the end of the 3rd calendar quarter of 2022")[2] == D(2022, 9, 30)
    assert calendar_quarter_date("the end of the third quarter of 2022") is None


@pytest.mark.parametrize(("text", "defined"), [
    ('"Fiscal Quarter" means each period of three months ending on the last day of March, June, September '
     "and December.", True),
    ("Licensee's fiscal year ends on the last Saturday of September.", True),
    ("The fiscal year of the Partnership shall be the calendar year.", True),
    ("beginning with the fiscal year ending June 30, 2025", True),
    ("Licensee shall report within forty-five (45) days after the end of each fiscal quarter.", False),
    ("The audit may take place once in each fiscal year, at the end of the fiscal year.", False),
    ("Payment is due within two (2) calendar quarters of acceptance.", False),
])
def test_a_contract_defines_its_fiscal_calendar_or_not(text, defined):
    assert (fiscal_calendar_defined(text) is not None) is defined


@pytest.mark.parametrize(("text", "phrase"), [
    ("after the end of each fiscal quarter", "fiscal quarter"),
    ("by the close of fiscal 2024", "fiscal 2024"),
    ("for FY2025 and later", "FY2025"),
    ("at the fiscal year-end", "fiscal year"),
    ("at the end of each calendar quarter", None),
    ("the fy of a party", None),  # lower-case "fy" is no fiscal year
])
def test_fiscal_periods_named(text, phrase):
    assert fiscal_period_in(text) == phrase


TEXT = ("This Agreement is effective as of January 15, 2024. "
        "Payment for each Deliverable is due within two (2) calendar quarters of its acceptance. "
        "Licensee shall deliver a royalty report within forty-five (45) days after the end of each fiscal quarter. "
        "Licensee shall complete the audit no later than the last day of the third fiscal quarter of 2024. "
        "Licensee shall deliver the final report no later than the last day of the third calendar quarter of 2024.")


def _normalized(*obligations: ChunkObligation):
    out = ChunkExtraction(effective_date=ChunkDate(iso="2024-01-15", span="January 15, 2024", sentence_ids=[1]),
                          obligations=list(obligations))
    return normalize_extraction(merge_partials([chunk_to_partial(out, 0)]), TEXT)


def test_a_quarter_deadline_the_model_cannot_state_gets_its_length_from_the_span():
    """The model's units have no quarters: it gives 2 with no unit, or 2 months; the span says 6 months."""
    span = "within two (2) calendar quarters of its acceptance"
    x = _normalized(
        ChunkObligation(action="pay for each Deliverable", category="payment", span=span, deadline_number=2,
                        sentence_ids=[2]),
        ChunkObligation(action="pay for the Deliverable", category="payment", span=span, deadline_number=2,
                        deadline_unit="months", sentence_ids=[2]))
    for o in x.obligations:
        assert o.deadline.duration == Duration(value=6, unit="months") and o.deadline.date is None


def test_fiscal_quarter_deadlines_are_never_calendar_dates():
    x = _normalized(
        ChunkObligation(action="deliver a royalty report", category="reporting", sentence_ids=[3],
                        span="within forty-five (45) days after the end of each fiscal quarter",
                        deadline_iso="2024-05-15", deadline_number=45, deadline_unit="days"),
        ChunkObligation(action="complete the audit", sentence_ids=[4],
                        span="no later than the last day of the third fiscal quarter of 2024",
                        deadline_iso="2024-09-30", deadline_number=3, deadline_unit="months"),  # "third" as 3 months
        ChunkObligation(action="deliver the final report", sentence_ids=[5],
                        span="no later than the last day of the third calendar quarter of 2024",
                        deadline_iso="2024-09-30"))
    report, audit, final = (o.deadline for o in x.obligations)
    assert report.date is None and report.duration == Duration(value=45, unit="days")
    assert audit.date is None and audit.duration is None
    assert final.date == D(2024, 9, 30) and final.inclusive is True  # a calendar quarter: the text allows it
