"""Rules on the real shapes of error in ../shared/failcases: F28, F30, F16, F18, F21.

Evidence is located with the pipeline's own grounding and dates/durations parsed with its normalization,
so the rules see what they will see in production.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

import rules
from rules.text.dates import parse_date
from rules.text.durations import parse_duration
from pipeline.extraction.grounding import locate_quote
from schemas import (
    ContractExtraction, DateClaim, Duration, DurationClaim, Evidence, KeyDate, MatchStatus, Obligation, Party,
    PaymentTerms, Severity, SourceDocument, SourcePage, TerminationKind, TerminationRight,
)
from tests.conftest import require_shared
from tests.rules_fixtures import fires, silent


def _doc(case: str) -> SourceDocument:
    text = (require_shared("failcases", case) / "contract.txt").read_text()
    return SourceDocument(text=text, pages=[SourcePage(number=1, start=0, end=len(text))])


def _ground(quote: str, doc: SourceDocument, span: str | None = None) -> Evidence:
    m = locate_quote(quote, doc)
    found = m.start is not None
    return Evidence(span=span or quote, quote=doc.text[m.start:m.end] if found else quote, page=1 if found else None,
                    start=m.start, end=m.end, match=m.match)


def _sentence(doc: SourceDocument, contains: str) -> str:
    i = doc.text.index(contains)
    a = max(doc.text.rfind(". ", 0, i) + 2, doc.text.rfind("\n", 0, i) + 1)
    b = doc.text.find(".", i) + 1
    return doc.text[a:b]


def test_f28_invented_and_padded_quotes_flagged_true_one_not():
    doc = _doc("F28")
    sample = {e["field"]: e for e in json.loads(
        (require_shared("failcases", "F28") / "llm_output_sample.json").read_text())["extractions"]}
    x = ContractExtraction(
        payment_terms=PaymentTerms(days=30, evidence=_ground(sample["payment_days"]["quote"], doc)),
        obligations=[
            Obligation(obligor="Licensor", action="suspend access after 10 days' notice",
                       evidence=_ground(sample["suspension_notice_days"]["quote"], doc)),
            Obligation(obligor="Licensor", action="audit Licensee once per year",
                       evidence=_ground(sample["audit_right"]["quote"], doc)),
        ],
    )
    fs = rules.evaluate(x, doc)
    assert fires(fs, "G001", "obligations[0]").severity == Severity.ERROR  # padded tail
    fires(fs, "G001", "obligations[1]")  # no such sentence
    assert not [f for f in fs if f.field_path == "payment_terms"]  # the true quote
    routed = rules.review_fields(fs)
    assert routed["obligations[0]"] == routed["obligations[1]"] == Severity.ERROR
    assert "payment_terms" not in routed


def test_f30_end_before_start_kept_as_written_and_flagged():
    doc = _doc("F30")
    quote = _sentence(doc, "commences on")
    start, end = parse_date("March 1, 2022").value, parse_date("February 28, 2021").value
    x = ContractExtraction(
        effective_date=DateClaim(value=start, parsed=start, evidence=_ground(quote, doc, "March 1, 2022")),
        expiration_date=DateClaim(value=end, parsed=end, evidence=_ground(quote, doc, "February 28, 2021")),
    )
    fs = rules.evaluate(x, doc)
    f = fires(fs, "D002", "expiration_date")
    assert f.severity == Severity.ERROR and "2021-02-28" in f.message
    assert x.expiration_date.value == dt.date(2021, 2, 28)  # not "fixed"
    silent(fs, "D001")
    silent(fs, "S002")
    silent(fs, "G001")


def test_f16_ambiguous_numeric_date_warns_and_decided_order_does_not():
    doc = _doc("F16")
    quote = "Date of this Agreement: 01/02/2021"
    undecided = parse_date("01/02/2021", order=None)
    assert undecided.ambiguous
    x = ContractExtraction(agreement_date=DateClaim(
        value=dt.date(2021, 1, 2), parsed=undecided.value, ambiguous_order=True, alternatives=undecided.alternatives,
        evidence=_ground(quote, doc, "01/02/2021")))
    f = fires(rules.evaluate(x, doc), "D005", "agreement_date")
    assert "2021-01-02" in f.message and "2021-02-01" in f.message
    decided = parse_date("01/02/2021", order="DMY").value
    x = ContractExtraction(agreement_date=DateClaim(value=decided, parsed=decided,
                                                    evidence=_ground(quote, doc, "01/02/2021")))
    fs = rules.evaluate(x, doc)
    silent(fs, "D005")
    silent(fs, "S002")


def test_f18_business_days_reported_as_calendar_days_is_caught():
    doc = _doc("F18")
    quote = _sentence(doc, "Claims must be notified")
    parsed = parse_duration("ten (10) Business Days")
    assert parsed == Duration(value=10, unit="business_days")
    ok = ContractExtraction(renewal_notice=DurationClaim(value=parsed, parsed=parsed, evidence=_ground(quote, doc)))
    silent(rules.evaluate(ok, doc), "S004")
    wrong = ContractExtraction(renewal_notice=DurationClaim(value=Duration(value=10, unit="days"), parsed=parsed,
                                                            evidence=_ground(quote, doc)))
    f = fires(rules.evaluate(wrong, doc), "S004", "renewal_notice")
    assert "10 business days" in f.message


def test_f18_year_2060_from_sixty_days_is_implausible():
    doc = _doc("F18")
    eff = parse_date("January 15, 2021").value
    quote = _sentence(doc, "sixty (60) calendar days")
    x = ContractExtraction(
        effective_date=DateClaim(value=eff, parsed=eff, evidence=_ground(
            "MASTER PURCHASE AGREEMENT (Effective Date: January 15, 2021)", doc, "January 15, 2021")),
        key_dates=[KeyDate(label="termination notice", value=dt.date(2060, 1, 15), raw_text="60",
                           evidence=_ground(quote, doc, "60"))],
    )
    fs = rules.evaluate(x, doc)
    fires(fs, "D001", "key_dates[0]")
    silent([f for f in fs if f.field_path == "effective_date"], "D001")


@pytest.mark.parametrize("notice,ok", [(Duration(value=30, unit="days"), True),
                                       (Duration(value=60, unit="days"), False),
                                       (Duration(value=30, unit="business_days"), False)])
def test_f21_termination_notice_must_be_what_the_text_says(notice, ok):
    doc = _doc("F21")
    quote = _sentence(doc, "Either party may terminate")
    x = ContractExtraction(termination_rights=[TerminationRight(kind=TerminationKind.FOR_CONVENIENCE, notice=notice,
                                                                evidence=_ground(quote, doc))])
    fs = rules.evaluate(x, doc)
    if ok:
        silent(fs, "S008")
    else:
        fires(fs, "S008", "termination_rights[0]")


def test_f21_modal_may_is_not_a_date():
    doc = _doc("F21")
    eff = parse_date("1 June 2021").value
    x = ContractExtraction(
        effective_date=DateClaim(value=eff, parsed=eff, evidence=_ground(
            "This Addendum is effective 1 June 2021.", doc, "1 June 2021")),
        key_dates=[KeyDate(label="on-site support", value=dt.date(2021, 5, 15),
                           evidence=_ground(_sentence(doc, "The Customer may request"), doc)),
                   KeyDate(label="effective", value=eff, evidence=_ground("This Addendum is effective 1 June 2021.", doc))],
        parties=[Party(name="x"), Party(name="y")],
    )
    fs = rules.evaluate(x, doc)
    fires(fs, "S009", "key_dates[0]")
    silent([f for f in fs if f.field_path == "key_dates[1]"], "S009")
