"""Initial term, stated expiration and confidentiality survival read by code (pipeline.extraction.readers.term)."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.extraction.readers.term import find_initial_term, find_survival


@pytest.mark.parametrize(("text", "value", "unit", "expiration"), [
    ('This Agreement begins on the Effective Date and remains in effect for two (2) years from the Effective Date '
     '(the "Term").', 2, "years", None),
    ("This Agreement commences on the Effective Date and continues until the third (3rd) anniversary of the "
     "Effective Date (the “Initial Term”), unless terminated earlier.", 3, "years", None),
    ("This agreement shall commence on the Commencement Date and, unless terminated earlier in accordance with its "
     "terms, shall continue for an initial term of three (3) years, expiring on 02/04/2027 (the “Initial Term”).",
     3, "years", dt.date(2027, 4, 2)),
    ('The term of this Agreement (the "Term") is a period of eighteen (18) months.', 18, "months", None),
])
def test_term_clause_forms(text, value, unit, expiration):
    t = find_initial_term(text, "DMY")
    assert (t.value.value, t.value.unit.value, t.expiration) == (value, unit, expiration)
    assert text[t.value_start - t.start:t.value_end - t.start] == t.text


@pytest.mark.parametrize("text", [
    "The Receiving Party shall keep the information confidential for five (5) years.",  # no term clause
    "This Agreement commences on the Effective Date.",  # no length
    "Supplier shall deliver within thirty (30) days of the Effective Date.",
])
def test_no_term_clause(text):
    assert find_initial_term(text) is None


@pytest.mark.parametrize(("text", "value"), [
    ("MUTUAL NON-DISCLOSURE AGREEMENT\n\nThe Recipient's obligations under Sections 3 and 5 survive the expiration "
     "or termination of this Agreement for three (3) years.", 3),  # in an NDA every duty is confidentiality
    ("7. CONFIDENTIALITY\n7.4 The obligations in this Section 7 continue during the Term and survive for five (5) "
     "years after the expiration or termination of this Agreement.", 5),  # under a Confidentiality heading
    ("Licensee shall not compete with Licensor for two (2) years, and its confidentiality obligations shall survive "
     "termination of this Agreement for a period of ten (10) years.", 10),
    ("Each party undertakes that it shall not at any time during this agreement, and for a period of four (4) "
     "years after its termination or expiry, disclose to any person any confidential information.", 4),
])
def test_survival_forms(text, value):
    assert find_survival(text).value.value == value


@pytest.mark.parametrize("text", [
    "Sections 7, 9 and 12 survive any termination of this Agreement.",  # no period
    "The Supplier shall keep records for seven (7) years after delivery.",  # not confidentiality, no survival
    "Payment obligations survive termination; invoices are payable within thirty (30) days.",  # days: no survival
    "The provisions of this Section 11.1 shall survive the termination of this Agreement for three years.",
    "The indemnification obligations shall survive for a period of eighteen (18) months following the Closing.",
    "The warranties in Section 7 shall survive delivery for a period of twelve (12) months.",
])
def test_no_survival_period(text):
    assert find_survival(text) is None


def test_renewal_clauses():
    from pipeline.extraction.readers.term import find_renewal

    r = find_renewal("Thereafter, this Agreement shall automatically renew for successive renewal terms of one (1) year "
                     "each (each, a “Renewal Term”) unless either Party gives written notice of non-renewal at least "
                     "sixty (60) days before the end of the then-current term.")
    assert (str(r.term.value), str(r.notice.value)) == ("1 years", "60 days")
    r = find_renewal("On expiry of the Initial Term this agreement shall automatically extend for successive periods "
                     "of twelve (12) months (each an “Extended Term”) unless either party gives the other written "
                     "notice to terminate at least three (3) months before the end of the Initial Term.")
    assert (str(r.term.value), str(r.notice.value)) == ("12 months", "3 months")
    assert find_renewal("This Agreement may be renewed for one (1) year by mutual written agreement.") is None
    assert find_renewal("It does not renew automatically.") is None


@pytest.mark.parametrize(("text", "value", "expiration", "other_start"), [
    ("The term of this Agreement shall be one (1) year, commencing January 1, 2008 and ending on December 31, 2008.",
     "1 years", dt.date(2008, 12, 31), False),
    ('The term of this Agreement will commence on January 1, 1998 (the "Effective Date") and will end on December '
     "31, 1998.", None, dt.date(1998, 12, 31), False),
    ("The initial term of this Agreement is one (1) year from the date of delivery of the Product to Licensee.",
     "1 years", None, True),  # runs from delivery: no expiration date computed from the effective date
])
def test_cuad_term_forms(text, value, expiration, other_start):
    t = find_initial_term(text, "MDY")
    assert (str(t.value) if t.value else None, t.expiration, t.other_start) == (value, expiration, other_start)


def test_a_term_from_the_effective_date_is_not_another_start():
    t = find_initial_term('This Agreement begins on the Effective Date and remains in effect for two (2) years from '
                          'the Effective Date (the "Term").')
    assert str(t.value) == "2 years" and t.other_start is False


@pytest.mark.parametrize("text", [
    "During the term of this Agreement and for a period of five (5) years thereafter, Licensee shall keep records.",
    "Upon expiration of the term of this Agreement, Licensee may sell off inventory for a period of six (6) months.",
    '1.1 "Contract Year" means each period of twelve (12) months during the term of this Agreement.',
    "The term of this Agreement shall continue for five (5) years or until the last Product is sold, whichever is "
    "later.",
])
def test_sentences_that_mention_the_term_without_stating_it(text):
    t = find_initial_term(text)
    assert t is None or (t.value is None and t.expiration is None)


def test_renewal_must_be_the_agreements_and_not_negated():
    from pipeline.extraction.readers.term import find_renewal

    assert find_renewal("This Agreement shall not automatically renew; any renewal for an additional one (1) year "
                        "term requires written agreement.") is None
    assert find_renewal("In a force majeure event any applicable time period will be automatically extended for a "
                        "period equal to the time lost.") is None
    r = find_renewal("This Agreement shall automatically renew, unless thirty (30) days notice is given, for "
                     "additional terms of one (1) year.")
    assert (str(r.term.value), str(r.notice.value)) == ("1 years", "30 days")


def test_cuad_break_test_clauses():
    from pipeline.extraction.readers.term import find_renewal

    r = find_renewal("This Agreement shall be automatically renewed for additional successive one (1) year periods, "
                     "unless written notice of non-renewal is received no later than six (6) months prior to the "
                     "expiration of the then current term.")  # CUAD Sonos
    assert (str(r.term.value), str(r.notice.value)) == ("1 years", "6 months")
    text = ("9. CONFIDENTIALITY; NON-SOLICITATION\nFrom the Effective Date and for twelve (12) months after the "
            "termination of this Agreement, Consultant shall not solicit any employee of Aduro.")  # CUAD Aduro
    assert find_survival(text) is None


def test_a_stated_end_is_read_even_where_the_model_gave_the_initial_term():
    """A wrong initial term from the model (a notice period) must not leave the stated end date to be computed
    from it: the term clause's end date is read, and D003 then sees the length disagree with it."""
    from pipeline.extraction.normalize import normalize_extraction
    from rules import evaluate
    from schemas import ContractExtraction, DateClaim, Duration, DurationClaim, SourceDocument

    text = ("This Agreement is effective as of January 1, 2030. The term of this Agreement shall expire on "
            "December 31, 2030.\n")
    x = ContractExtraction(effective_date=DateClaim(value=dt.date(2030, 1, 1), raw_text="January 1, 2030"),
                           initial_term=DurationClaim(value=Duration(value=90, unit="days"), raw_text="ninety days"))
    x = normalize_extraction(x, text)
    assert x.expiration_date.value == dt.date(2030, 12, 31) and "term clause" in x.expiration_date.note
    assert "D003" in {f.rule_id for f in evaluate(x, SourceDocument(text=text))}
