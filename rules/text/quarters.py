"""Quarters and fiscal periods as contracts write them.

- A quarter is three months long (:mod:`rules.text.durations` reads "two (2) calendar quarters" as 6 months).
- A *calendar* quarter of a named year is a fixed period (Q1 January-March, Q2 April-June, Q3
  July-September, Q4 October-December), so "the last day of the third calendar quarter of 2024" is
  2024-09-30 (:func:`calendar_quarter_date`). A quarter not called calendar or fiscal ("the third
  quarter of 2024") may be either and is not dated.
- A *fiscal* quarter, month or year is the party's accounting period: its dates are known only where the
  contract says when the fiscal year ends or begins, or defines "Fiscal Quarter" / "Fiscal Year"
  (:func:`fiscal_calendar_defined`). Without that, a deadline set by a fiscal period ("within forty-five
  (45) days after the end of each fiscal quarter", "no later than the last day of the third fiscal quarter
  of 2024") has no calendar date: :func:`fiscal_period_in` finds the phrase, so that no date is computed
  from it and a reviewer is told the fiscal calendar is needed.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
_MONTH_NAME = (r"(?:january|february|march|april|may|june|july|august|september|october|november|december"
               r"|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?")

#: A fiscal period named in the text: "fiscal quarter", "each fiscal year", "fiscal year-end", "fiscal 2024",
#: "Q3 of fiscal 2024", "FY2024", "FY 24", "fiscal half".
FISCAL_PERIOD = re.compile(
    r"\bfiscal[\s-]+(?:years?|quarters?|halfs?|halves|months?|periods?|year[\s-]+end)\b|\bfiscal\s+(?:19|20)\d\d\b"
    r"|\b(?-i:FY)\s?'?(?:19|20)?\d\d\b",
    re.IGNORECASE,
)

#: A definition of the fiscal calendar: '"Fiscal Quarter" means ...', 'fiscal year ending June 30', 'its fiscal
#: year ends on the last Saturday of September', 'fiscal quarters ending March 31, June 30, ...', 'the fiscal
#: year of the Joint Venture shall be the calendar year', 'the fiscal year ended December 31, 2020'.
_FISCAL_DEFINED = re.compile(
    r"[\"“']fiscal\s+(?:year|quarter|period)s?[\"”']\s+(?:shall\s+)?(?:means?|refers?\s+to|is|are)\b"
    r"|\bfiscal\s+(?:year|quarter)s?\b[^.;]{0,80}?\b(?:end(?:s|ed|ing)?|begin(?:s|ning)?|commenc(?:es|ing)|"
    r"start(?:s|ing)?|clos(?:es|ing)|runs?\s+from)\s+(?:on\s+)?(?:the\s+)?"
    r"(?:last\s+\w+\s+(?:of|in)\s+|\d{1,2}(?:st|nd|rd|th)?\s+(?:day\s+of\s+)?|first\s+day\s+of\s+)?" + _MONTH_NAME
    + r"|\bfiscal\s+(?:year|quarter)s?\b[^.;]{0,60}?\b(?:is|are|shall\s+be|means?|coincides?\s+with)\s+"
      r"(?:the\s+|a\s+)?calendar\s+(?:year|quarter)s?\b",
    re.IGNORECASE,
)

_CALENDAR_QUARTER_DATE = re.compile(
    r"\b(?P<edge>last\s+day|end|close|first\s+day|beginning|start|commencement)\s+of\s+(?:the\s+)?"
    r"(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th)\s+calendar\s+quarter\s+(?:of|in)\s+"
    r"(?:(?:the\s+)?(?:calendar\s+)?year\s+)?(?P<year>(?:19|20)\d\d)(?!\d)",
    re.IGNORECASE,
)


def fiscal_period_in(text: str | None) -> str | None:
    """The first fiscal period ``text`` names ("fiscal quarter", "fiscal year", "FY2024", ...: see
    :data:`FISCAL_PERIOD`), as written; ``None`` when it names none."""
    m = FISCAL_PERIOD.search(text or "")
    return m.group(0) if m else None


def fiscal_calendar_defined(text: str) -> str | None:
    """The words of ``text`` (a whole contract) that fix its fiscal calendar ('fiscal year ending June 30',
    '"Fiscal Quarter" means ...', 'the fiscal year is the calendar year'), whitespace folded; ``None``
    when the contract does not say when its fiscal periods begin or end."""
    m = _FISCAL_DEFINED.search(text)
    return " ".join(m.group(0).split()) if m else None


def calendar_quarter_date(text: str) -> tuple[int, int, dt.date] | None:
    """``(start, end, date)`` of the first calendar-quarter date ``text`` writes: "the last day (or end,
    close) of the third calendar quarter of 2024" -> 2024-09-30, "the first day (or beginning, start) of
    the second calendar quarter of 2023" -> 2023-04-01; ``None`` when there is none (a quarter not called
    calendar is not dated: it may be a fiscal one)."""
    m = _CALENDAR_QUARTER_DATE.search(text)
    if not m:
        return None
    q, year = _ORDINALS[m["ord"].lower()], int(m["year"])
    if m["edge"].lower().split()[0] in ("last", "end", "close"):
        month = 3 * q
        day = dt.date(year, month, calendar.monthrange(year, month)[1])
    else:
        day = dt.date(year, 3 * q - 2, 1)
    return m.start(), m.end(), day
