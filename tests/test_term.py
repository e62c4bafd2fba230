"""Initial term, stated expiration and confidentiality survival read by code (pipeline.term)."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.term import find_initial_term, find_survival


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
    ("The Recipient's obligations under Sections 3 and 5 survive the expiration or termination of this Agreement "
     "for three (3) years.", 3),
    ("Each party undertakes that it shall not at any time during this agreement, and for a period of four (4) "
     "years after its termination or expiry, disclose to any person any confidential information.", 4),
])
def test_survival_forms(text, value):
    assert find_survival(text).value.value == value


@pytest.mark.parametrize("text", [
    "Sections 7, 9 and 12 survive any termination of this Agreement.",  # no period
    "The Supplier shall keep records for seven (7) years after delivery.",  # not confidentiality, no survival
    "Payment obligations survive termination; invoices are payable within thirty (30) days.",  # days: no survival
])
def test_no_survival_period(text):
    assert find_survival(text) is None


def test_renewal_clauses():
    from pipeline.term import find_renewal

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
