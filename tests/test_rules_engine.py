"""Rule engine: no noise on a clean contract, determinism, routing, and grounding/support/relevance/dates rules."""

from __future__ import annotations

import datetime as dt

import pytest

import rules
from schemas import (
    ChunkFailure, DateClaim, DurationClaim, Evidence, Finding, KeyDate, MatchStatus, Severity, TerminationKind,
    TerminationRight,
)
from tests.rules_fixtures import LAW, PAYMENT, PREAMBLE, RENEWAL, TERM, TFC, clean, days, ev, fires, silent


def run(x, doc, **kw):
    return rules.evaluate(x, doc, **kw)


def test_clean_contract_has_no_finding():
    x, doc = clean()
    assert run(x, doc) == []
    assert rules.review_fields(run(x, doc)) == {}


def test_findings_sorted_and_deterministic():
    x, doc = clean()
    x.governing_law.evidence = ev(LAW, "Oregon", MatchStatus.NOT_FOUND)
    x.parties[1].evidence.match = MatchStatus.FUZZY
    x.chunk_failures = [ChunkFailure(chunk_seq=2, pages=[3], kind="truncated", reason="finish_reason=length")]
    a, b = run(x, doc), run(x.model_copy(deep=True), doc)
    assert a == b
    keys = [(f.rule_id, f.field_path) for f in a]
    assert keys == sorted(keys)
    assert keys[0] == ("G001", "governing_law")


def test_review_fields_takes_highest_severity_and_ignores_info():
    fs = [
        Finding(rule_id="G002", severity="warning", field_path="parties[0]", message="m"),
        Finding(rule_id="S005", severity="error", field_path="parties[0]", message="m"),
        Finding(rule_id="X", severity="info", field_path="fees[0]", message="m"),
        Finding(rule_id="I001", severity="error", field_path="document", message="m"),
        Finding(rule_id="R001", severity="warning", field_path="governing_law", message="m"),
    ]
    assert rules.review_fields(fs) == {
        "document": Severity.ERROR, "governing_law": Severity.WARNING, "parties[0]": Severity.ERROR,
    }


# --- grounding ---------------------------------------------------------------------------------------------

def test_grounding_not_found_error_fuzzy_warning_on_every_kind_of_value():
    x, doc = clean()
    silent(run(x, doc), "G002")
    x.obligations[0].evidence.match = MatchStatus.NOT_FOUND
    x.termination_rights[0].evidence.match = MatchStatus.FUZZY
    x.parties[0].evidence.match = MatchStatus.NOT_FOUND
    x.payment_terms.evidence.match = MatchStatus.NORMALIZED
    fs = run(x, doc)
    assert fires(fs, "G001", "obligations[0]").severity == Severity.ERROR
    fires(fs, "G001", "parties[0]")
    assert fires(fs, "G002", "termination_rights[0]").severity == Severity.WARNING
    assert not [f for f in fs if f.field_path == "payment_terms"]  # normalized is a match


def test_grounding_unchecked_evidence_warns():
    x, doc = clean()
    silent(run(x, doc), "G003")
    x.governing_law.evidence.match = None
    fires(run(x, doc), "G003", "governing_law")


def test_computed_value_is_not_required_to_have_evidence():
    x, doc = clean()
    x.expiration_date = DateClaim(value=dt.date(2024, 3, 1), computed=True, note="effective + initial term")
    fs = run(x, doc)
    silent(fs, "S001")
    silent(fs, "D003")


# --- support -----------------------------------------------------------------------------------------------

def test_value_without_evidence_is_an_error():
    x, doc = clean()
    x.liability_cap.evidence = None
    assert fires(run(x, doc), "S001", "liability_cap").severity == Severity.ERROR


def test_date_value_must_equal_parsed():
    x, doc = clean()
    silent(run(x, doc), "S002")
    x.effective_date.value = dt.date(2021, 3, 2)
    f = fires(run(x, doc), "S002", "effective_date")
    assert "2021-03-02" in f.message and "2021-03-01" in f.message


def test_nothing_parsed_from_evidence_warns():
    x, doc = clean()
    silent(run(x, doc), "S003")
    x.renewal_term.parsed = None
    fires(run(x, doc), "S003", "renewal_term")


@pytest.mark.parametrize("value", [days(60, "business_days"), days(90), days(2, "months")])
def test_duration_value_and_unit_must_equal_parsed(value):
    x, doc = clean()
    x.renewal_notice.value = value
    fires(run(x, doc), "S004", "renewal_notice")


def test_duration_equivalent_units_pass():
    x, doc = clean()
    x.initial_term.value = days(36, "months")  # text says three (3) years
    silent(run(x, doc), "S004")


def test_party_name_must_occur_in_quote_normalized():
    x, doc = clean()
    x.parties[0].name = "ACME  WIDGETS, INC."  # case and whitespace differ: still supported
    silent(run(x, doc), "S005")
    x.parties[0].name = "Acme Gadgets, Inc."
    fires(run(x, doc), "S005", "parties[0]")


def test_jurisdiction_must_occur_in_quote():
    x, doc = clean()
    silent(run(x, doc), "S006")
    x.governing_law.jurisdiction = "Oregon"
    fires(run(x, doc), "S006", "governing_law")
    x.governing_law.jurisdiction = "State of Delaware, USA"  # a place named that the quote lacks
    fires(run(x, doc), "S006", "governing_law")


def test_jurisdiction_with_several_places_is_supported_when_each_is_cited():
    from schemas import SourceDocument, SourcePage

    x, _ = clean()
    law = "This Agreement is governed by the laws of the Province of Ontario and the federal laws of Canada."
    doc = SourceDocument(text=law, pages=[SourcePage(number=1, start=0, end=len(law))])
    x.governing_law.jurisdiction = "Ontario, Canada"
    x.governing_law.evidence = ev(law, "the laws of the Province of Ontario", text=law)
    silent(rules.evaluate(x, doc), "S006")
    x.governing_law.jurisdiction = "Ontario, Quebec"
    fires(rules.evaluate(x, doc), "S006", "governing_law")


def test_payment_days_must_be_written_in_quote():
    x, doc = clean()
    silent(run(x, doc), "S007")
    x.payment_terms.days = 45
    fires(run(x, doc), "S007", "payment_terms")


# --- relevance ---------------------------------------------------------------------------------------------

def test_termination_for_convenience_notice_reported_as_renewal_notice_is_an_error():
    x, doc = clean()
    silent(run(x, doc), "R002")
    # a correct-looking number from the wrong clause: value and evidence both from section 4
    x.renewal_notice = DurationClaim(value=days(90), parsed=days(90), evidence=ev(TFC, "ninety (90) days"))
    fs = run(x, doc)
    f = fires(fs, "R002", "renewal_notice")
    assert f.severity == Severity.ERROR and "convenience" in f.message
    silent(fs, "R001")  # one finding, the stronger one
    silent(fs, "S004")  # value and parsed agree: only relevance can catch it


def test_cited_text_without_cue_words_warns():
    x, doc = clean()
    silent(run(x, doc), "R001")
    x.governing_law.evidence = ev(PAYMENT, "Customer")
    x.governing_law.jurisdiction = "Customer"
    fires(run(x, doc), "R001", "governing_law")


def test_effective_date_from_term_clause_is_flagged():
    x, doc = clean()
    x.effective_date = DateClaim(value=dt.date(2024, 2, 29), parsed=dt.date(2024, 2, 29),
                                 evidence=ev(PAYMENT, "thirty (30) days"))
    fires(run(x, doc), "R001", "effective_date")


# --- dates -------------------------------------------------------------------------------------------------

def test_implausible_year_from_a_duration_is_flagged():
    x, doc = clean()
    silent(run(x, doc), "D001")
    x.key_dates = [KeyDate(label="termination notice", value=dt.date(2060, 1, 15),
                           evidence=ev(TFC, "ninety (90) days"))]
    fires(run(x, doc), "D001", "key_dates[0]")


def test_far_date_written_in_the_text_is_plausible():
    x, doc = clean()
    text = doc.text + "8. Lease. The ground lease runs until December 31, 2099.\n"
    doc = doc.model_copy(update={"text": text})
    doc.pages[0].end = len(text)
    x.key_dates = [KeyDate(label="ground lease end", value=dt.date(2099, 12, 31),
                           evidence=ev("8. Lease. The ground lease runs until December 31, 2099.", text=text))]
    silent(run(x, doc), "D001")


def test_year_outside_range_always_flagged():
    x, doc = clean()
    x.effective_date = DateClaim(value=dt.date(1850, 3, 1), parsed=dt.date(1850, 3, 1),
                                 evidence=ev(PREAMBLE, "March 1, 2021"))
    fires(run(x, doc), "D001", "effective_date")


def test_expiration_before_effective_is_an_error_value_kept():
    x, doc = clean()
    silent(run(x, doc), "D002")
    x.expiration_date.value = x.expiration_date.parsed = dt.date(2021, 2, 28)
    f = fires(run(x, doc), "D002", "expiration_date")
    assert f.severity == Severity.ERROR
    assert x.expiration_date.value == dt.date(2021, 2, 28)


def test_expiration_must_match_effective_plus_initial_term_within_one_day():
    x, doc = clean()
    # clean: 2021-03-01 + 3 years = 2024-03-01; stated 2024-02-29 is one day before: tolerated
    silent(run(x, doc), "D003")
    x.initial_term.value = x.initial_term.parsed = days(2, "years")
    f = fires(run(x, doc), "D003", "expiration_date")
    assert "2023-03-01" in f.message


def test_renewal_notice_must_be_shorter_than_renewal_term():
    x, doc = clean()
    silent(run(x, doc), "D004")
    x.renewal_term.value = x.renewal_term.parsed = days(30)
    fires(run(x, doc), "D004", "renewal_notice")


def test_ambiguous_day_month_order_warns():
    x, doc = clean()
    silent(run(x, doc), "D005")
    x.effective_date.ambiguous_order = True
    x.effective_date.alternatives = [dt.date(2021, 3, 1), dt.date(2021, 1, 3)]
    f = fires(run(x, doc), "D005", "effective_date")
    assert f.severity == Severity.WARNING and "2021-01-03" in f.message
    silent(run(x, doc), "S002")  # either reading is what the text says


def test_termination_right_holder_must_be_a_party():
    x, doc = clean()
    x.termination_rights.append(TerminationRight(kind=TerminationKind.FOR_CAUSE, holder="Supplier",
                                                 evidence=ev(TFC, "terminate this Agreement")))
    silent(run(x, doc), "P003")  # the defined term resolves
    x.termination_rights[1].holder = "Gamma Corp"
    fires(run(x, doc), "P003", "termination_rights[1].holder")


def test_evidence_type_round_trips_through_json():
    x, doc = clean()
    x.governing_law.evidence = Evidence(span="Delaware", match=MatchStatus.NOT_FOUND)
    fs = run(x, doc)
    again = [Finding.model_validate_json(f.model_dump_json()) for f in fs]
    assert again == fs


def test_corrected_citation_is_reported_as_info_only():
    x, doc = clean()
    silent(run(x, doc), "G004")
    x.governing_law.evidence.cited_sentence_ids = [7]
    hit = fires(run(x, doc), "G004", "governing_law")
    assert hit.severity == Severity.INFO
    assert rules.review_fields(run(x, doc)) == {}  # info never routes to review


def test_a_field_the_text_states_but_the_extraction_leaves_empty_is_flagged():
    x, doc = clean()
    silent(run(x, doc), "K004")
    x.effective_date = None
    x.renewal_notice = None
    x.confidentiality_survival = None
    fs = run(x, doc)
    assert fires(fs, "K004", "effective_date").severity == Severity.WARNING
    fires(fs, "K004", "renewal_notice")
    fires(fs, "K004", "confidentiality_survival")
    assert "sixty (60) days" in fires(fs, "K004", "renewal_notice").message


def test_a_field_the_text_does_not_state_is_not_flagged_when_empty():
    from schemas import SourceDocument, SourcePage

    x, _ = clean()
    nda = ("MUTUAL NDA\nThis Agreement is made on May 1, 2021 between Acme Widgets, Inc. and Beta Retail LLC.\n"
           "Each party shall keep the other's information secret.\n")
    doc = SourceDocument(text=nda, pages=[SourcePage(number=1, start=0, end=len(nda))])
    for f in ("effective_date", "initial_term", "renewal_notice", "governing_law", "confidentiality_survival",
              "payment_terms"):
        setattr(x, f, None)
    silent(run(x, doc), "K004")


def test_k004_knows_terms_written_as_anniversaries_and_renewal_terms():
    from schemas import SourceDocument, SourcePage

    x, _ = clean()
    text = ("This Agreement commences on the Effective Date and continues until the third (3rd) anniversary of the "
            "Effective Date (the \"Initial Term\"). Thereafter it shall automatically renew for successive renewal "
            "terms of one (1) year each. The obligations in this Section 7 survive for five (5) years.")
    english = ("7.1 Each party undertakes that it shall not at any time during this agreement, and for a period of "
               "four (4) years after its termination or expiry, disclose to any person any confidential information.")
    doc_en = SourceDocument(text=english, pages=[SourcePage(number=1, start=0, end=len(english))])
    y, _ = clean()
    y.confidentiality_survival = None
    fires(rules.evaluate(y, doc_en), "K004", "confidentiality_survival")
    doc = SourceDocument(text=text, pages=[SourcePage(number=1, start=0, end=len(text))])
    for f in ("initial_term", "renewal_term", "confidentiality_survival", "expiration_date"):
        setattr(x, f, None)
    fs = rules.evaluate(x, doc)
    for f in ("initial_term", "renewal_term", "confidentiality_survival", "expiration_date"):
        fires(fs, "K004", f)


def test_duties_and_amounts_the_extraction_does_not_cover_are_flagged():
    from schemas import Fee, Money, SourceDocument, SourcePage

    x, doc = clean()
    silent(run(x, doc), "K005")
    silent(run(x, doc), "K006")
    extra = ("\nThe Supplier shall return all Customer data within ten (10) Business Days after termination.\n"
             "The monthly fee is USD 12,500, payable in advance.\n")
    text = doc.text + extra
    longer = SourceDocument(text=text, pages=[SourcePage(number=1, start=0, end=len(text))])
    fs = run(x, longer)
    k5, k6 = fires(fs, "K005", "obligations"), fires(fs, "K006", "fees")
    assert "ten (10) Business Days" in k5.message and k5.severity == Severity.WARNING
    assert "USD 12,500" in k6.message and "ten (10)" not in k6.message
    # a fee item citing the sentence WITHOUT its amount does not cover it (F12: amount left out)...
    start = text.index("The monthly fee")
    end = text.index("\n", start)
    x.fees = [Fee(description="monthly fee", evidence=Evidence(start=start, end=end, quote=text[start:end],
                                                              match=MatchStatus.EXACT))]
    fires(run(x, longer), "K006", "fees")
    # ...one with the amount does
    x.fees[0].amount = Money(amount=12500, currency="USD")
    silent(run(x, longer), "K006")


def test_fee_amount_must_be_written_in_its_evidence():
    from schemas import Fee, Money, SourceDocument, SourcePage

    text = "3.1 The annual licence fee is USD 48,000, payable in advance. Late amounts bear interest at 1% per month."
    doc = SourceDocument(text=text, pages=[SourcePage(number=1, start=0, end=len(text))])
    x, _ = clean()
    fee = text.index("3.1")
    late = text.index("Late")
    x.fees = [Fee(amount=Money(amount=48000, currency="USD"), evidence=Evidence(start=fee, end=late,
                  quote=text[fee:late], match=MatchStatus.EXACT))]
    silent(run(x, doc), "S010")
    x.fees.append(Fee(amount=Money(amount=0.01, currency="PER"), evidence=Evidence(  # F03's recorded answer
        start=late, end=len(text), quote=text[late:], match=MatchStatus.EXACT)))
    assert "0.01" in fires(run(x, doc), "S010", "fees[1]").message


def test_a_dated_clause_no_value_covers_is_flagged():
    from schemas import SourceDocument, SourcePage

    x, doc = clean()
    text = doc.text + "\nClause D.2: Unit rates are fixed until 31 December 2022.\n"  # F32's clause after its table
    fs = run(x, SourceDocument(text=text, pages=[SourcePage(number=1, start=0, end=len(text))]))
    assert "31 December 2022" in fires(fs, "K005", "obligations").message


def test_amounts_written_in_other_forms_are_found():
    from rules.text.amounts import amount_in_text

    assert amount_in_text(1_500_000, "an annual fee of $1.5 million.")
    assert amount_in_text(48_000, "the fee is USD48,000 a year")
    assert amount_in_text(10_000, "EUR 10.000,00 payable on signature")
    assert amount_in_text(10_000, "a fee of $10K")
    assert not amount_in_text(0.01, "interest at one percent (1%) per month")


def test_signature_dates_and_recitals_are_no_uncovered_dated_clause():
    from schemas import SourceDocument, SourcePage

    x, doc = clean()
    extra = ("\nWHEREAS, the parties entered into a Mutual Nondisclosure Agreement dated January 5, 2020.\n\n"
             "By: /s/ J. Doe   Date: March 2, 2021\n\n")
    text = doc.text + extra
    silent(run(x, SourceDocument(text=text, pages=[SourcePage(number=1, start=0, end=len(text))])), "K005")


def _signed(text: str):
    from schemas import SourceDocument, SourcePage

    return SourceDocument(document_id="doc1", text=text, pages=[SourcePage(number=1, start=0, end=len(text))])


def test_effective_on_last_signature_must_be_the_latest_signature_date():
    from schemas import ContractExtraction
    from tests.reader_forms import SIGNED_BOTH, SIGNED_ONE_BLANK

    doc = _signed("This Agreement is effective as of the date last signed below." + SIGNED_BOTH)
    first = ContractExtraction(effective_date=DateClaim(value=dt.date(2022, 3, 9)))  # the first signature's date
    f = fires(run(first, doc), "D006", "effective_date")
    assert f.severity == Severity.ERROR and "2022-03-14" in f.message and f.details["expected"] == "2022-03-14"
    silent(run(ContractExtraction(effective_date=DateClaim(value=dt.date(2022, 3, 14))), doc), "D006")
    # a signature date left blank: the effective date cannot be read, empty or not
    blank = _signed("This Agreement is effective as of the date last signed below." + SIGNED_ONE_BLANK)
    assert "reviewer" in fires(run(ContractExtraction(), blank), "D006", "effective_date").message
    assert "cannot be checked" in fires(run(first, blank), "D006", "effective_date").message
    # no last-signature clause: an amendment signed by both parties is not this agreement taking effect
    other = _signed("Any amendment shall be effective only when signed by both parties." + SIGNED_BOTH)
    silent(run(first, other), "D006")
    x, clean_doc = clean()
    silent(run(x, clean_doc), "D006")
