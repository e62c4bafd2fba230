"""Dates parsed in code: contract forms, day/month order, relative and recurring dates, no false dates.

Expected values come from ../shared/failcases F14, F15, F16, F18, F21 (expected.json), read in place.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from rules.text.dates import decide_date_order, find_dates, parse_date
from tests.conftest import require_shared

d = dt.date


def _case(name: str) -> tuple[str, dict]:
    folder = require_shared("failcases", name)
    return (folder / "contract.txt").read_text(), json.loads((folder / "expected.json").read_text())


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("this 1st day of March, 2021", d(2021, 3, 1)),
        ("the fifteenth day of April, 2021", d(2021, 4, 15)),
        ("thirtieth (30th) day of June 2021", d(2021, 6, 30)),
        ("the twenty-first day of\nMay, 2021", d(2021, 5, 21)),
        ("March 1st, 2021", d(2021, 3, 1)),
        ("Sept. 3, 2021", d(2021, 9, 3)),
        ("1 March 2021", d(2021, 3, 1)),
        ("2021-03-01", d(2021, 3, 1)),
        ("13/02/2021", d(2021, 2, 13)),
        ("1er mars 2021", d(2021, 3, 1)),  # dateparser fallback, strict: day, month and year required
        ("the last day in February, 2023", d(2023, 2, 28)),
        ("the last day of February 2024", d(2024, 2, 29)),
        ("the first calendar day of June, 2026", d(2026, 6, 1)),
    ],
)
def test_absolute_forms(text, value):
    r = parse_date(text)
    assert (r.value, r.kind, r.ambiguous) == (value, "absolute", False)


def test_a_business_day_of_a_month_is_no_single_date():
    assert parse_date("the last business day of February, 2031").value is None
    assert parse_date("the thirty-first day of May, 2021").value == d(2021, 5, 31)  # not "first day of May"
    from rules.text import states_date
    assert states_date("shall expire on the last day in February, 2031")
    assert not states_date("on the last business day of February, 2031")


def test_numeric_order():
    assert parse_date("01/02/2021", order="DMY").value == d(2021, 2, 1)
    assert parse_date("01/02/2021", order="MDY").value == d(2021, 1, 2)
    r = parse_date("01/02/2021")
    assert (r.value, r.ambiguous, set(r.alternatives)) == (None, True, {d(2021, 2, 1), d(2021, 1, 2)})
    assert parse_date("01/01/2021").ambiguous is False  # both readings are the same day


def test_relative_dates_use_the_anchor_never_today():
    anchor = d(2021, 1, 15)
    r = parse_date("within ninety days after the Effective Date", anchor=anchor)
    assert (r.value, r.kind) == (d(2021, 4, 15), "relative")
    assert parse_date("ninety (90) days after the Effective Date").value is None  # no anchor: no date
    assert parse_date("ten (10) Business Days before the Closing Date", anchor=anchor).value == d(2021, 1, 1)
    assert parse_date("30 days after March 1, 2021").value == d(2021, 3, 31)  # anchor written in the text
    r = parse_date("the 2nd anniversary of the Subscription Start Date", anchor=d(2021, 3, 1))
    assert (r.value, r.kind) == (d(2023, 3, 1), "relative")


def test_recurring_and_inclusive():
    r = parse_date("due on the 1st of each month")
    assert (r.value, r.kind, r.day_of_month) == (None, "recurring", 1)
    r = parse_date("on or before June 30, 2021")
    assert (r.value, r.inclusive) == (d(2021, 6, 30), True)
    assert parse_date("before June 30, 2021").inclusive is False


@pytest.mark.parametrize("text", ["60", "may", "Monday", "Monday to Friday", "Version 10.2", "9 to 5", "1.1",
                                  "30 days' notice", "ten (10)", "the 12th", "March 2021"])
def test_not_dates(text):
    r = parse_date(text)
    assert r.value is None and r.kind in {"none", "recurring"}


def test_F14_contract_forms():
    text, exp = _case("F14")
    found = find_dates(text)
    assert [f.value.isoformat() for f in found] == [
        exp["fields"]["agreement_date"], exp["fields"]["first_report_due"], exp["fields"]["final_report_due"]]
    assert found[2].text == "the thirtieth (30th) day of June 2021"
    assert all(text[f.start:f.end] == f.text for f in found)


def test_F15_recurring_anniversary_business_day():
    text, exp = _case("F15")
    found = find_dates(text)
    absolute = [f for f in found if f.kind == "absolute"]
    assert [f.value.isoformat() for f in absolute] == [exp["fields"]["subscription_start_date"]]
    assert [f.text for f in found if f.kind == "recurring"] == ["the 1st of each month"]
    start = absolute[0].value
    lines = text.splitlines()
    assert parse_date(lines[3]).day_of_month == exp["fields"]["payment_due_day_of_month"]
    assert parse_date(lines[4], anchor=start).value.isoformat() == exp["fields"]["price_increase_date"]
    # "by the 12th business day" is neither December nor a date without an anchor
    assert parse_date("by the 12th business day before expiry").value is None


def test_F16_document_order_DMY():
    text, exp = _case("F16")
    order = decide_date_order(text)
    assert order == exp["date_order"]
    got = [f.value.isoformat() for f in find_dates(text, order=order)]
    f = exp["fields"]
    assert got == [f["agreement_date"], f["first_delivery"], f["price_review"], f["superseded_invoice_date"]]


def test_decide_date_order_sources():
    assert decide_date_order("Dated 02/13/2021 and 01/02/2021") == "MDY"
    assert decide_date_order("Dated 01/02/2021", governing_law="England and Wales") == "DMY"
    assert decide_date_order("Dated 01/02/2021", governing_law="the State of New York") == "MDY"
    assert decide_date_order("governed by the laws of the State of Delaware. Dated 01/02/2021") == "MDY"
    assert decide_date_order("Dated 01/02/2021") is None
    assert decide_date_order("Signed March 1, 2021. Invoice 01/02/2021") == "MDY"  # month-name habit
    assert decide_date_order("Signed 1 March 2021. Invoice 01/02/2021") == "DMY"
    assert decide_date_order("Signed 1 March 2021 and March 1, 2021. Invoice 01/02/2021") is None
    assert decide_date_order("13/02/2021 and 02/13/2021") is None  # contradictory: undecidable


def test_F18_relative_and_inclusive():
    text, exp = _case("F18")
    f = exp["fields"]
    effective = parse_date(text.splitlines()[0]).value
    assert effective.isoformat() == f["effective_date"]
    assert [x.value.isoformat() for x in find_dates(text)] == [f["effective_date"],
                                                              f["free_cancellation_deadline"]["date"]]
    r = parse_date("within ninety days after the Effective Date", anchor=effective)
    assert r.value.isoformat() == f["initial_delivery_deadline"]
    r = parse_date("on or before June 30, 2021")
    assert r.inclusive is f["free_cancellation_deadline"]["inclusive"]


def test_F21_only_one_date():
    text, exp = _case("F21")
    assert [x.value.isoformat() for x in find_dates(text)] == exp["all_dates_in_document"]
