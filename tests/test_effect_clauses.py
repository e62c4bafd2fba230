"""When this agreement takes effect (rules.text.effect), on clauses written blind to the CUAD texts: the agreement as
the subject of a verb of taking effect or dating, the last signature, the signature blocks' dates; and the
effective-date and agreement-date readers built on them (issue 13, items 3 and 8)."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.extraction.readers import READERS, apply_readers
from pipeline.extraction.readers.defined_dates import find_agreement_date, find_effective_date
from rules.text import clause_subjects, effect_clauses, last_signature_clause, signature_dates
from schemas import ContractExtraction, DateClaim, SourceDocument, SourcePage
from tests.reader_forms import SIGNED_BOTH, SIGNED_ONE_BLANK

D = dt.date


@pytest.mark.parametrize("sentence, kind, as_of, value", [
    ("This Agreement is made and entered into as of May 31, 1999 by and between A Corp. and B LLC.", "dated", True,
     "May 31, 1999"),
    ('THIS SUPPLY AGREEMENT (this "Agreement"), made as of the 2nd day of May, 2004, by and between A and B.',
     "dated", True, "the 2nd day of May, 2004"),
    ("This Agreement is entered into effective as of June 1, 2003 by A and B.", "effective", True, "June 1, 2003"),
    ("This Agreement shall become effective on July 1, 2004.", "effective", False, "July 1, 2004"),
    ("The term of this Agreement shall commence on June 1, 2003.", "effective", False, "June 1, 2003"),
    ("4.1 This Agreement shall come into force as of 1 May 2015.", "effective", True, "1 May 2015"),
])
def test_effect_clause_structure(sentence, kind, as_of, value):
    c = effect_clauses(sentence)[0]
    assert (c.kind, c.as_of) == (kind, as_of) and sentence[c.value_start:].startswith(value)


@pytest.mark.parametrize("sentence", [
    "No amendment to this Agreement shall be effective unless signed by both parties.",
    "Either party may terminate this Agreement effective upon thirty days' notice.",
    "This Amendment amends the Supply Agreement dated May 8, 2008.",
    "Any Statement of Work shall become effective on its signature.",
])
def test_no_effect_clause_where_this_agreement_is_not_the_subject(sentence):
    assert effect_clauses(sentence) == []


def test_subject_opens_its_clause():
    assert [m.group(0) for m in clause_subjects("The Supplier shall perform this Agreement.")] == []
    assert [m.group(0) for m in clause_subjects("2.1 The term of this Agreement shall be one year.")] == [
        "The term of this Agreement"]
    assert [m.group(0) for m in clause_subjects("THIS MASTER SUPPLY AGREEMENT is made")] == ["THIS MASTER SUPPLY AGREEMENT"]


@pytest.mark.parametrize("text", [
    "This Agreement is effective as of the date last signed below.",
    "This Agreement shall be effective on the date of the last signature below.",
    "This Agreement becomes effective when signed by both parties.",
    "This Agreement shall take effect upon execution by both Parties.",
    "This Agreement is effective on the later of the two dates of signature below.",
    '"Effective Date" means the date on which this Agreement has been signed by both parties.',
    "This Agreement shall become effective upon full execution.",
    # other names a contract calls itself by, and a definition set out as a label at the start of a line
    "This Lease shall be effective on the date on which this Lease has been signed by both parties.",
    "This Amendment takes effect on the date this Amendment is signed by both parties.",
    "The Effective Date of this Lease is the date of the last signature.",
    "Term sheet\nEffective Date: the date of the last signature below.",
])
def test_last_signature_clause(text):
    got = last_signature_clause(text)
    assert got is not None and got[1] > got[0]


@pytest.mark.parametrize("text", [
    "Any amendment shall be effective only when signed by both parties.",
    "This Agreement may be executed in counterparts, each signed by both parties.",
    "This Agreement is effective as of March 1, 2021.",
    "No waiver is effective unless signed by both parties.",
    "The Lease between the Landlord and the Tenant takes effect when that Lease is signed by both parties.",
])
def test_no_last_signature_clause(text):
    assert last_signature_clause(text) is None


def test_signature_dates_latest_only_when_all_read():
    both = signature_dates(SIGNED_BOTH)
    assert [f.value for f in both.read] == [D(2022, 3, 9), D(2022, 3, 14)] and both.latest.value == D(2022, 3, 14)
    one = signature_dates(SIGNED_ONE_BLANK)
    assert len(one.read) == 1 and len(one.unread) == 1 and one.latest is None
    # a numeric date whose day/month order is undecided is not read
    amb = signature_dates("IN WITNESS WHEREOF\nDate: 03/04/2022\nDate: 05/04/2022\n")
    assert amb.latest is None and signature_dates("IN WITNESS WHEREOF\nDate: 03/04/2022\nDate: 05/04/2022\n",
                                                  "DMY").latest.value == D(2022, 4, 5)


def _doc(text: str) -> SourceDocument:
    return SourceDocument(text=text, pages=[SourcePage(number=1, start=0, end=len(text))])


def test_last_signature_fills_the_latest_date_and_keeps_a_model_value_as_a_candidate():
    text = "This Agreement is effective as of the date last signed below." + SIGNED_BOTH
    x = apply_readers(ContractExtraction(), _doc(text), READERS)
    assert x.effective_date.value == D(2022, 3, 14) and x.effective_date.computed
    assert text[x.effective_date.evidence.value_start:x.effective_date.evidence.value_end] == "March 14, 2022"
    y = apply_readers(ContractExtraction(effective_date=DateClaim(value=D(2022, 3, 9))), _doc(text), READERS)
    assert y.effective_date.value == D(2022, 3, 9)  # the model's value is never replaced ...
    assert [c["value"] for c in y.candidates["effective_date"]] == ["2022-03-09", "2022-03-14"]  # ... but conflicts


def test_last_signature_with_a_blank_date_fills_nothing():
    text = "This Agreement is effective as of the date last signed below." + SIGNED_ONE_BLANK
    assert apply_readers(ContractExtraction(), _doc(text), READERS).effective_date is None
    got = find_effective_date(text)
    assert got.via_last_signature and got.value is None


def test_agreement_date_as_of_is_the_effective_date_only_without_another_start():
    made = "This Agreement is made and entered into as of May 31, 1999 by and between A Corp. and B LLC."
    assert find_effective_date(made).value == D(1999, 5, 31) and find_effective_date(made).form == "as_of"
    # another start stated: the commencement (a date) or an event
    assert find_effective_date(made + " The term of this Agreement shall commence on July 1, 1999.").value == D(1999, 7, 1)
    assert find_effective_date(made + " This Agreement shall become effective upon the closing of the Merger.") is None
    # "made on" (not "as of") is the agreement date only
    assert find_effective_date("This Agreement is made on May 31, 1999 between A and B.") is None
    assert find_agreement_date("This Agreement is made on May 31, 1999 between A and B.").value == D(1999, 5, 31)


def test_agreement_date_filled_and_a_different_model_value_kept():
    text = "This Agreement is made on 3 May 2016 between Orla Foods Ltd and Pike Farms Ltd."
    x = apply_readers(ContractExtraction(), _doc(text), READERS)
    assert x.agreement_date.value == D(2016, 5, 3) and x.agreement_date.computed and x.effective_date is None
    y = apply_readers(ContractExtraction(agreement_date=DateClaim(value=D(2016, 5, 4))), _doc(text), READERS)
    assert y.agreement_date.value == D(2016, 5, 4)
    assert [c["value"] for c in y.candidates["agreement_date"]] == ["2016-05-04", "2016-05-03"]


def test_two_different_dating_clauses_give_no_agreement_date():
    text = "This Agreement is made on 3 May 2016 between A and B. This Agreement is dated 4 May 2016."
    assert find_agreement_date(text) is None
