"""Payment terms read by code from the payment clause (pipeline.extraction.readers.payment)."""

from __future__ import annotations

import pytest

from pipeline.extraction.readers.payment import find_payment_terms
from tests.conftest import require_shared


@pytest.mark.parametrize(("text", "days", "business", "trigger"), [
    ("2. Client shall pay each invoice within forty-five (45) days after receipt of a correct invoice.",
     45, False, "receipt of a correct invoice"),
    ("The Customer shall pay each valid invoice within thirty (30) days from the end of the month in which the "
     "invoice is dated.", 30, False, "the end of the month in which the invoice is dated"),
    ("Invoices are due and payable within ten (10) Business Days of receipt.", 10, True, "receipt"),
])
def test_payment_clause_forms(text, days, business, trigger):
    got = find_payment_terms(text)
    assert (got.days, got.business, got.trigger) == (days, business, trigger)
    assert text[got.value_start:got.value_end] == got.text


@pytest.mark.parametrize("text", [
    "The Supplier shall deliver the Goods within thirty (30) days of each order.",  # no invoice, no payment
    "Buyer shall pay the invoice amount in twelve (12) monthly instalments.",  # no "within N days"
    "Either party may dispute an invoice within sixty (60) days; the Supplier shall then issue a credit note.",
])
def test_other_periods_are_not_payment_terms(text):
    assert find_payment_terms(text) is None


@pytest.mark.parametrize(("case", "days"), [("F18", 30), ("F22", 45), ("F28", 30)])
def test_failcase_payment_clauses(case, days):
    text = require_shared("failcases", case, "contract.txt").read_text()
    assert find_payment_terms(text).days == days


@pytest.mark.parametrize(("text", "days"), [
    ("Customer may dispute any invoice within fifteen (15) days of receipt; Customer shall pay all undisputed "
     "amounts within thirty (30) days of receipt of the invoice.", 30),
    ("If Customer disputes an invoice it shall notify Supplier within 10 days after receipt of the invoice, and "
     "shall pay the undisputed portion within 30 days after receipt.", 30),
    ("The Supplier shall submit invoices within five (5) Business Days of the end of each month and the Customer "
     "shall pay each invoice within 30 days of receipt.", 30),
    ("Payment shall be made within ten (10) Business Days of receipt of invoice.", 10),
])
def test_the_period_that_follows_the_duty_to_pay(text, days):
    assert find_payment_terms(text).days == days


@pytest.mark.parametrize("text", [
    "The Supplier shall deliver the Goods within 14 days of the invoice and the Customer shall pay the price.",
    "Any overpaid amount shall be paid back by the Supplier within thirty (30) days of the date of the invoice.",
    "The Supplier shall issue a credit note within 14 days of the invoice and the Customer shall pay the net amount.",
])
def test_periods_of_other_duties_near_a_payment_are_not_payment_terms(text):
    assert find_payment_terms(text) is None
