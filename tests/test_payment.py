"""Payment terms read by code from the payment clause (pipeline.payment)."""

from __future__ import annotations

import pytest

from pipeline.payment import find_payment_terms
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
