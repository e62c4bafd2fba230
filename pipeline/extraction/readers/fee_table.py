"""Fee and milestone tables read by code, row by row.

The PDF reader keeps a table's rows whole, one line per row with cells joined by `` | ``
(:mod:`pipeline.reading.pdf`), so the link between a milestone, its date and its amount survives. A
small model often lists the dates and forgets the amounts (a milestone table: four dates, no amount).
This module reads such a table:

- a header row with a column named as an amount ("Amount (USD)", "Fee", "Price", "Charges"; not
  "Payment Terms", "Cost Code", "Price per Share", "Minimum Coverage Amount");
- the rows below it with the same number of cells, up to the first line that is not a row;
- per row: the description (the first column not holding the amount, date, currency or period), the
  amount (digits, "$"), the currency (a currency column, a symbol, or the header's "(USD)"), the due date
  (a date column, parsed with the document's day/month order) and the period: from a period column
  ("Frequency", "Billing Period", "Billing Cycle": "monthly", "per quarter", "one-time"), else from the
  description or the amount ("per month", "monthly", "annual");
- a row naming a total or subtotal is not a fee; a row whose amount has no currency (in the cell, a
  currency column or the header) is no fee either (days, share counts, codes).

Tables of more than :data:`MAX_ROWS` rows are rate cards (one failure case holds 1,200 unit rates), not
fee schedules, and are left to the model and the reviewer. The reader (:data:`READER`) adds the rows
as fees only when the model gave no fee with an amount.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.extraction.readers.base import DocumentContext, Located, Reader
from rules.text import DateOrder, amount_value, parse_date
from schemas import ContractExtraction, Fee, Money

MAX_ROWS = 50
#: The amount column: its header is an amount word, optionally with a currency ("Amount (USD)", "Fee",
#: "Price", "Charges"); headers that only contain such a word ("Payment Year", "Cost Code", "Payment
#: Terms", "Price per Share", "Minimum Coverage Amount", "Service Credit (% of Monthly Fee)") are not.
_AMOUNT_HEAD = re.compile(r"^(?:(?:total|monthly|annual|one-time|unit|milestone|licen[cs]e)\s+)?"
                          r"(?:amount|fees?|prices?|costs?|charges?|payments?)(?:\s+(?:due|payable))?"
                          r"(?:\s*\((?:[A-Z]{3}|[$£€])\))?$", re.I)
_DATE_HEAD = re.compile(r"\b(?:date|due|when|payable)\b", re.I)
_DESC_HEAD = re.compile(r"\b(?:milestone|service|description|item|deliverable|phase|fee\s+type|product|activity)\b",
                        re.I)
_CURRENCY_HEAD = re.compile(r"^\s*currency\s*$", re.I)
#: The period column: "Frequency", "Billing Frequency", "Billing Period", "Billing Cycle", "Recurrence";
#: "Payment Period" is not one (it may hold the days allowed for payment).
_PERIOD_HEAD = re.compile(r"^(?:(?:billing|invoicing|payment|fee)\s+)?(?:frequency|cycle|recurrence)$"
                          r"|^(?:billing|invoicing)\s+period$|^(?:billed|recurring)$", re.I)
_ONE_TIME = re.compile(r"\b(?:one[\s-]time|once|non-recurring|one-off)\b", re.I)
_HEAD_CURRENCY = re.compile(r"\((?P<cur>[A-Z]{3}|[$£€])\)")
_AMOUNT = re.compile(r"^\s*(?P<code1>[A-Z]{3}|US\$)?\s*(?P<sym>[$£€])?\s*(?P<num>[0-9][0-9,.]*[0-9]|[0-9])\s*(?P<code>[A-Z]{3})?"
                     r"\s*(?P<per>(?:per|/)\s*(?:month|year|annum|quarter|week))?\s*$")
_TOTAL = re.compile(r"\b(?:sub-?total|total|grand\s+total)\b", re.I)
_SYMBOLS = {"$": "USD", "£": "GBP", "€": "EUR", "US$": "USD"}
_PERIOD = re.compile(r"\b(?:per\s+(?P<per>month|year|annum|quarter|week)|(?P<adj>monthly|annual|annually|quarterly|weekly))\b",
                     re.I)
_PERIODS = {"month": "monthly", "year": "annual", "annum": "annual", "quarter": "quarterly", "week": "weekly",
            "monthly": "monthly", "annual": "annual", "annually": "annual", "quarterly": "quarterly",
            "weekly": "weekly"}
@dataclass(frozen=True)
class FeeRow(Located):
    """One row of a fee table: ``description``, ``amount`` (a number), ``currency`` (ISO 4217 or None),
    ``due`` (ISO 8601 date or None), ``period`` (monthly, annual, ... or None), document offsets of the
    row (``start``/``end``) and of the amount cell as written (``value_start``/``value_end``, ``text``)."""

    description: str
    amount: float
    currency: str | None
    due: object
    period: str | None


def _cells(line: str) -> list[tuple[int, str]]:
    """(offset in the line, stripped text) of each `` | `` separated cell."""
    out, pos = [], 0
    for raw in line.split(" | "):
        lead = len(raw) - len(raw.lstrip())
        out.append((pos + lead, raw.strip()))
        pos += len(raw) + 3
    return out


def _period(cell: str) -> str | None:
    """The period a period-column cell states ("Monthly" -> monthly, "per quarter" -> quarterly,
    "One-time" -> one-time), or None."""
    p = _PERIOD.search(cell)
    if p:
        return _PERIODS[(p["per"] or p["adj"]).lower()]
    return "one-time" if _ONE_TIME.search(cell) else None


def find_fee_rows(text: str, order: DateOrder | None = None) -> list[FeeRow]:
    """Every row of every fee table in ``text`` (a document's stored text), in order; ``order`` is the
    document's day/month order for numeric dates. A row counts only when its amount carries a currency
    (in the cell, a currency column or the header); totals and subtotals are skipped. Raises nothing."""
    lines: list[tuple[int, str]] = []
    pos = 0
    for line in text.split("\n"):
        lines.append((pos, line))
        pos += len(line) + 1
    out: list[FeeRow] = []
    i = 0
    while i < len(lines):
        _, line = lines[i]
        head = [c for _, c in _cells(line)] if " | " in line else []
        amount_col = next((k for k, c in enumerate(head) if _AMOUNT_HEAD.match(c)), None)
        if amount_col is None:
            i += 1
            continue
        date_col = next((k for k, c in enumerate(head) if k != amount_col and _DATE_HEAD.search(c)), None)
        cur_col = next((k for k, c in enumerate(head) if _CURRENCY_HEAD.match(c)), None)
        period_col = next((k for k, c in enumerate(head) if k != amount_col and _PERIOD_HEAD.match(c)), None)
        head_cur = _HEAD_CURRENCY.search(head[amount_col])
        others = [k for k in range(len(head)) if k not in (amount_col, date_col, cur_col, period_col)]
        desc_col = next((k for k in others if _DESC_HEAD.search(head[k])), others[0] if others else None)
        rows = []
        j = i + 1
        while j < len(lines) and " | " in lines[j][1] and len(_cells(lines[j][1])) == len(head):
            rows.append(lines[j])
            j += 1
        if len(rows) <= MAX_ROWS:
            for rstart, row in rows:
                cells = _cells(row)
                at, cell = cells[amount_col]
                m = _AMOUNT.match(cell)
                desc = cells[desc_col][1] if desc_col is not None else ""
                if not m or any(_TOTAL.search(c) for _, c in cells):
                    continue
                amount = amount_value(m["num"])
                currency = (m["code1"] if m["code1"] and m["code1"] != "US$" else None) or m["code"] or (
                    head_cur["cur"] if head_cur and len(head_cur["cur"]) == 3 else None) or (
                    cells[cur_col][1].upper() if cur_col is not None and re.fullmatch(r"[A-Za-z]{3}", cells[cur_col][1])
                    else None) or _SYMBOLS.get(m["sym"] or m["code1"] or (head_cur["cur"] if head_cur else "") or "")
                if amount is None or currency is None:
                    continue  # a bare number (days, shares, a code): no fee without a currency
                due = parse_date(cells[date_col][1], order=order).value if date_col is not None else None
                period = _period(cells[period_col][1]) if period_col is not None else None
                if period is None:
                    p = _PERIOD.search(desc) or _PERIOD.search(m["per"] or "")
                    period = _PERIODS[(p["per"] or p["adj"]).lower()] if p else None
                out.append(FeeRow(rstart, rstart + len(row), rstart + at, rstart + at + len(cell), cell, desc, amount,
                                  currency, due, period))
        i = j
    return out


def read_fee_rows(x: ContractExtraction, ctx: DocumentContext) -> None:
    """Give ``x`` (a merged extraction) the fee-table rows the document holds (:func:`find_fee_rows`
    with ``ctx.order``), when the model gave no fee with an amount; mutates ``x``. Each fee is marked
    ``computed`` (found by code) with a note, and its evidence is grounded (row quote, page, offsets
    and rectangles of the amount cell, exact)."""
    if any(f.amount is not None for f in x.fees):
        return
    rows = find_fee_rows(ctx.text, ctx.order)
    if not rows:
        return
    x.fees = list(x.fees) + [
        Fee(description=r.description, amount=Money(amount=r.amount, currency=r.currency), period=r.period,
            due_date=r.due, raw_text=r.text, computed=True, note="read by code from the row of a fee table",
            evidence=r.evidence(ctx.doc))
        for r in rows]


READER = Reader("fee_table", ("fees",), read_fee_rows)
