"""C002: a single-valued field's value meets every other sentence that states that field by its cues.

Issue 14 item 13: a sentence planted to steer the model ("the governing law is X") must meet the contract's own
clause, whatever its wording; so must a value the model took from the wrong one of two clauses.
"""

from __future__ import annotations

import datetime as dt

import pytest

import rules
from rules.text import jurisdiction_of
from rules.text import agrees, field_statements
from schemas import Duration, LiabilityCap, Money, SourceDocument, SourcePage
from tests.rules_fixtures import TEXT, clean, days, ev, fires, silent


def _with(extra: str):
    """The clean contract with ``extra`` appended as its own paragraph; (extraction, document, text)."""
    text = TEXT + "\n" + extra + "\n"
    x, _ = clean()
    doc = SourceDocument(text=text, pages=[SourcePage(number=1, start=0, end=len(text))])
    return x, doc, text


def test_clean_contract_has_no_c002():
    x, doc = clean()
    silent(rules.evaluate(x, doc), "C002")


def test_planted_governing_law_cited_by_the_model_meets_the_real_clause():
    planted = "For the avoidance of doubt, the laws of Bermuda govern all matters under this Agreement."
    x, doc, text = _with(planted)
    x.governing_law.jurisdiction = "Bermuda"
    x.governing_law.evidence = ev(planted, "Bermuda", text=text)
    f = fires(rules.evaluate(x, doc), "C002", "governing_law")
    assert f.code == "other_sentence_differs"
    assert [s["values"] for s in f.details["sentences"]] == [["Delaware (US-DE)"]]
    assert "governed by the laws of the State of Delaware" in f.details["sentences"][0]["sentence"]


def test_second_governing_law_clause_conflicts_with_the_value_the_model_took():
    other = "This Agreement shall be governed by and construed in accordance with the laws of the State of Texas."
    x, doc, text = _with(other)  # the model cited the Delaware clause; the Texas clause states another law
    f = fires(rules.evaluate(x, doc), "C002", "governing_law")
    assert f.details["sentences"][0]["values"] == ["Texas (US-TX)"]


def test_country_and_its_state_agree_and_a_forum_is_no_governing_law():
    extra = ("This Agreement is governed by the laws of the State of Delaware and the federal laws of the United "
             "States. The parties submit to the jurisdiction of the courts of New York.")
    x, doc, _ = _with(extra)
    silent(rules.evaluate(x, doc), "C002")


def test_a_place_described_not_named_states_no_governing_law():
    extra = ("Any provision that says that claims under the North Dakota franchise law will be governed by the laws "
             "of a state other than North Dakota is void.")
    assert field_statements(extra, "governing_law") == []


def test_other_effective_date_defined_elsewhere_conflicts():
    extra = "This Agreement shall become effective on April 15, 2021."
    x, doc, _ = _with(extra)
    f = fires(rules.evaluate(x, doc), "C002", "effective_date")
    assert f.details["sentences"][0]["values"] == ["2021-04-15"]


def test_initial_term_stated_twice_differently_conflicts_and_a_cure_period_is_no_term():
    x, doc, _ = _with("The term of this Agreement shall be five (5) years.")
    f = fires(rules.evaluate(x, doc), "C002", "initial_term")
    assert f.details["sentences"][0]["values"] == ["5 years"]
    cure = ("If the breaching party cures the breach within thirty (30) days, this Agreement shall continue in full "
            "force and effect.")
    assert field_statements(cure, "initial_term") == []


def test_renewal_term_and_notice_read_apart_in_one_sentence():
    s = ("Thereafter this Agreement shall automatically renew for successive two (2) year terms unless either party "
         "gives written notice of non-renewal at least ninety (90) days before the end of the then-current term.")
    (term,) = field_statements(s, "renewal_term")
    (notice,) = field_statements(s, "renewal_notice")
    assert term.values == ["2 years"] and notice.values == ["90 days"]
    x, doc, _ = _with(s)
    found = rules.evaluate(x, doc)
    assert fires(found, "C002", "renewal_term").details["sentences"][0]["values"] == ["2 years"]
    assert fires(found, "C002", "renewal_notice").details["sentences"][0]["values"] == ["90 days"]


def test_year_to_year_renewal_is_one_year():
    (st,) = field_statements("This Agreement shall renew from year to year unless terminated.", "renewal_term")
    assert agrees(st, Duration(value=12, unit="months"))


def test_liability_cap_amount_stated_elsewhere_conflicts():
    x, doc, text = _with("In no event shall either party's total liability exceed USD 50,000.")
    x.liability_cap = LiabilityCap(amount=Money(amount=250000, currency="USD"),
                                   evidence=ev("fees paid in the prior twelve (12) months", text=text))
    f = fires(rules.evaluate(x, doc), "C002", "liability_cap")
    assert f.details["sentences"][0]["values"] == ["USD 50,000"]
    x.liability_cap.amount.amount = 50000
    silent(rules.evaluate(x, doc), "C002")


@pytest.mark.parametrize("value, ok", [
    (jurisdiction_of("Delaware"), True), (jurisdiction_of("United States"), True),
    (jurisdiction_of("New York"), False), (dt.date(2021, 3, 1), False), (days(1, "years"), False),
])
def test_agrees_compares_by_kind(value, ok):
    (st,) = field_statements("This Agreement is governed by the laws of the State of Delaware.", "governing_law")
    assert agrees(st, value) is ok


def test_agrees_refuses_a_value_of_no_known_kind():
    (st,) = field_statements("This Agreement is governed by the laws of the State of Delaware.", "governing_law")
    with pytest.raises(TypeError, match="cannot compare a str"):
        agrees(st, "Delaware")


def test_unknown_field_is_refused():
    with pytest.raises(ValueError, match="no statement grammar for field 'parties'"):
        field_statements("text", "parties")
