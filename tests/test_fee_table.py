"""Fee and milestone tables read row by row by code (pipeline.extraction.readers.fee_table), on real PDFs."""

from __future__ import annotations

import datetime as dt

from pipeline.extraction.readers.fee_table import find_fee_rows
from pipeline.reading.pdf import join_pages, read_pdf
from tests.conftest import REPO, require_shared


def _text(path) -> str:
    return join_pages(read_pdf(path).pages)[0]


def test_f05_milestones_keep_their_dates_and_amounts():
    rows = find_fee_rows(_text(require_shared("failcases", "F05", "contract.pdf")))
    assert [(r.description, r.due, r.amount, r.currency) for r in rows] == [
        ("Kick-off", dt.date(2021, 4, 15), 10000.0, "USD"),
        ("Pilot go-live", dt.date(2021, 6, 30), 25000.0, "USD"),
        ("Full rollout", dt.date(2021, 9, 30), 40000.0, "USD"),
        ("Hypercare end", dt.date(2021, 12, 31), 5000.0, "USD"),
    ]
    assert sum(r.amount for r in rows) == 80000.0


def test_services_sample_fee_table_with_symbol_currency_column_and_monthly_row():
    text = _text(REPO / "samples" / "services_agreement.pdf")
    rows = find_fee_rows(text, "MDY")
    assert [(r.amount, r.currency, r.due, r.period) for r in rows] == [
        (48000.0, "USD", dt.date(2024, 3, 29), None), (72500.0, "USD", dt.date(2024, 6, 28), None),
        (29500.0, "USD", None, None), (11250.0, "USD", None, "monthly")]
    assert all(text[r.value_start:r.value_end] == r.text for r in rows)


def test_a_rate_card_is_not_a_fee_schedule():
    text = require_shared("failcases", "F32", "contract.txt").read_text()
    assert find_fee_rows(text) == []  # 1,200 unit rates: left to the model and the reviewer


def test_more_rows_than_a_fee_schedule_has_are_left_alone():
    head = "Site | Location | Unit fee (EUR) | Tier\n"
    table = head + "".join(f"S-{i:05d} | Zürich | 1,{i:03d}.00 | A\n" for i in range(1, 62))
    assert find_fee_rows(table) == []
    assert len(find_fee_rows(head + "".join(table.splitlines(keepends=True)[1:11]))) == 10


def test_break_test_tables():
    rows = lambda t: [(r.description, r.amount, r.currency) for r in find_fee_rows(t)]  # noqa: E731
    assert rows("Payment Year | Amount\n2024 | $10,000\n2025 | $12,000\n") == [("2024", 10000.0, "USD"),
                                                                          ("2025", 12000.0, "USD")]
    assert rows("Role | Daily Rate | Cost Code\nSenior Consultant | 1,200 | 44\n") == []
    assert rows("Location | Payment Terms | Delivery Terms\nBrazil | 60 | FOB\n") == []
    assert rows("Type of Insurance | Minimum Coverage Amount\nCommercial General Liability | $1,000,000\n") == []
    assert rows("Shareholder | Number of Shares | Price per Share\nJohn Smith | 100,000 | 0.01\n") == []
    assert rows("No. | Milestone | Fee\n1 | Design | $5,000\n2 | Build | $7,000\n | Total | $12,000\n") == [
        ("Design", 5000.0, "USD"), ("Build", 7000.0, "USD")]
    assert rows("Item | Amount (CAD)\nLicence | $5,000\n") == [("Licence", 5000.0, "CAD")]
    assert rows("Service | Price\nHosting | € 12,50\n") == [("Hosting", 12.5, "EUR")]
    r, = find_fee_rows("Deliverable | Amount\nTraining of 5,000 users | $5,000\n")
    assert r.value_start == len("Deliverable | Amount\nTraining of 5,000 users | ")  # the amount cell, not the text


def test_a_period_column_gives_each_row_its_period():
    """Issue 13, item 8: a fee schedule "Service | Fee | Frequency" states each fee's period in its own column."""
    rows = lambda t: [(r.description, r.amount, r.period) for r in find_fee_rows(t)]  # noqa: E731
    assert rows("Service | Fee | Frequency\nHosting | USD 1,200 | Monthly\nSupport | USD 3,000 | per quarter\n"
                "Setup | USD 500 | One-time\nAudit | USD 700 | as requested\n") == [
        ("Hosting", 1200.0, "monthly"), ("Support", 3000.0, "quarterly"), ("Setup", 500.0, "one-time"),
        ("Audit", 700.0, None)]
    # the period column is not the description, whichever column comes first
    assert rows("Billing Cycle | Item | Charge (EUR)\nAnnually | Licence | 9,000\n") == [("Licence", 9000.0, "annual")]
    # a column of payment days is no period: the description's own period stays
    assert rows("Service | Fee | Payment Period\nMonthly hosting | $1,000 | 30 days\n") == [
        ("Monthly hosting", 1000.0, "monthly")]
