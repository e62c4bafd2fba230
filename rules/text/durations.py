"""Durations as contracts write them: "thirty (30) days", "ten (10) Business Days", "6 months".

Parsed in code, never taken from the model: the rule engine compares the
model's ``DurationClaim.value`` with ``DurationClaim.parsed`` computed here from the evidence span.

Rules and their sources:

- Numbers may be words ("sixty"), digits ("60") or both ("sixty (60)"); words cover 0-999 and
  thousands ("one hundred twenty (120) days", "forty-five (45) days"). When the words and the
  digits disagree ("thirty (60) days") the duration is *not* parsed: ``parse_duration`` returns
  ``None`` and ``find_durations`` reports the span with ``value=None`` and both readings in
  ``words_value``/``digits_value`` so that the caller raises a finding (a drafting error the
  reviewer must resolve; we never pick one).
- A bare number is never a duration (dateparser turned "60" into 2060-01-15 and "ten (10)" into
  2021-10-10; scrapinghub/dateparser#635, #1007); a unit must follow.
- "calendar days" are days; "business", "working" and "banking" days are business days
  (business versus calendar days must not be lost).
- Quarters: ``DurationUnit`` has no quarters (nor has the model's unit); a quarter is three months
  (a calendar quarter is January-March, April-June, ...), so "two (2) calendar quarters" is
  ``Duration(6, months)`` and "one (1) fiscal quarter" ``Duration(3, months)``. A period counted in
  *fiscal* quarters, months or years ("two (2) fiscal quarters") is the party's accounting period:
  its length is read the same way, and ``FoundDuration.fiscal`` says so, because its start and end
  dates need the fiscal calendar (:mod:`rules.text.quarters`); dates are never computed from it.
- Hours: ``DurationUnit`` has no hours, and contract notice periods are stated in days, so
  "48 hours" becomes ``Duration(2, days)`` only when the hours are a whole number of days;
  otherwise (e.g. "36 hours") no duration is returned.
- An ordinal business day ("by the 12th business day before expiry") is the
  duration of 12 business days counted from the anchor.
- ``add_duration`` adds months and years on the calendar (dateutil.relativedelta: 31 January
  + 1 month = 28/29 February) and business days by skipping Saturdays and Sundays only;
  public holidays (e.g. "public holidays in New York") are not known to it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from rules.text.numbers import NUMBER_WORDS, ORDINAL_WORDS, words_to_int
from schemas import ClausewiseError, Duration, DurationUnit


class DurationError(ClausewiseError):
    """Base error of duration handling."""


class NonIntegralDuration(DurationError):
    """A calendar unit (months, years, business days) with a fractional value cannot be added to a date."""


_UNIT_RE = (
    r"(?P<kind>calendar|business|working|banking|fiscal)?[\s\-]*"
    r"(?P<unit>days?|weeks?|months?|quarters?|years?|hours?)(?![a-z])(?:['’]s?)?"
)
_DURATION = re.compile(
    r"(?<![\w.])(?:"
    rf"(?P<words>{NUMBER_WORDS})(?:\s*\(\s*(?P<pdigits>\d{{1,4}})\s*\))?"
    r"|\(?(?P<digits>\d{1,4}(?:\.\d+)?)\)?"
    r"|(?P<ordd>\d{1,3})(?:st|nd|rd|th)"
    rf"|(?P<ordw>{ORDINAL_WORDS})"
    r")[\s\-]*(?:(?:consecutive|full|complete|whole)[\s\-]+)?"
    + _UNIT_RE,
    re.IGNORECASE,
)


_UNIT_ANCHOR = re.compile(r"(?:days?|weeks?|months?|quarters?|years?|hours?)(?![a-z])", re.IGNORECASE)
_WINDOW = 80


def _finditer_near(pat: re.Pattern, anchor: re.Pattern, text: str):
    """``pat.finditer(text)`` restricted to matches that contain an ``anchor`` match (a cheap
    literal found first; the full pattern is tried only in a window around it: ~5x faster)."""
    last_end = -1
    for a in anchor.finditer(text):
        if a.start() < last_end:
            continue
        lo = max(0, a.start() - _WINDOW, last_end)
        for m in pat.finditer(text, lo, min(len(text), a.end() + _WINDOW)):
            if m.start() <= a.start() and m.end() >= a.end():
                last_end = m.end()
                yield m
                break


@dataclass(frozen=True)
class FoundDuration:
    """A duration found in text. Offsets are into the searched text (plus ``base``).

    ``value`` is ``None`` when the words and digits disagree; then ``words_value`` and
    ``digits_value`` hold both readings (e.g. "thirty (60) days": 30 and 60). ``fiscal`` is True for
    a period counted in fiscal quarters, months or years ("two (2) fiscal quarters").
    """

    start: int
    end: int
    text: str
    value: Duration | None
    words_value: float | None = None
    digits_value: float | None = None
    fiscal: bool = False

    @property
    def conflict(self) -> bool:
        return self.value is None and self.words_value is not None and self.digits_value is not None


def _from_match(m: re.Match) -> tuple[Duration | None, float | None, float | None]:
    words_v = digits_v = None
    if m.group("words"):
        words_v = words_to_int(m.group("words"))
        if words_v is None:
            return None, None, None
        if m.group("pdigits"):
            digits_v = int(m.group("pdigits"))
            if digits_v != words_v:
                return None, float(words_v), float(digits_v)
        n: float = words_v
    elif m.group("digits"):
        n = float(m.group("digits"))
    elif m.group("ordd"):
        if (m.group("kind") or "").lower() not in {"business", "working", "banking", "calendar"} or \
                m.group("unit").lower().startswith("quarter"):
            return None, None, None  # "the 12th day of March", "the 3rd quarter" name a date, not a duration
        n = int(m.group("ordd"))
    else:
        if (m.group("kind") or "").lower() not in {"business", "working", "banking", "calendar"} or \
                m.group("unit").lower().startswith("quarter"):
            return None, None, None
        n = words_to_int(m.group("ordw")) or 0
    unit = m.group("unit").lower().rstrip("s")
    kind = (m.group("kind") or "").lower()
    if unit == "hour":
        if n % 24:
            return None, None, None
        return Duration(value=n // 24, unit=DurationUnit.DAYS), None, None
    if kind == "fiscal" and unit in ("day", "week"):
        return None, None, None  # no fiscal days: "fiscal" belongs to something else
    if unit == "quarter":  # a quarter is three months
        n = n * 3
        u = DurationUnit.MONTHS
    elif unit == "day":
        u = DurationUnit.BUSINESS_DAYS if kind in {"business", "working", "banking"} else DurationUnit.DAYS
    else:
        u = {"week": DurationUnit.WEEKS, "month": DurationUnit.MONTHS, "year": DurationUnit.YEARS}[unit]
    value = int(n) if float(n).is_integer() else n
    return Duration(value=value, unit=u), None, None


def find_durations(text: str, base: int = 0) -> list[FoundDuration]:
    """All durations in ``text``, in order; offsets + ``base``.

    Finds "thirty (30) days", "ten (10) Business Days", "sixty (60) calendar days'", "thirty (30)
    consecutive months", "two (2) full calendar quarters",
    "twelve (12) month period" (12 months), "6 months", "48 hours" (2 days), "30-day",
    "two (2) calendar quarters" (6 months), "one (1) fiscal quarter" (3 months, ``fiscal``).
    Never reports a bare number ("60") or an ordinal date part ("the 12th day of March").
    """
    out: list[FoundDuration] = []
    for m in _finditer_near(_DURATION, _UNIT_ANCHOR, text):
        value, wv, dv = _from_match(m)
        if value is None and wv is None:
            continue
        s, e = m.start(), m.end()
        while e > s and text[e - 1] in "'’":
            e -= 1
        out.append(FoundDuration(start=base + s, end=base + e, text=text[s:e], value=value,
                                 words_value=wv, digits_value=dv,
                                 fiscal=(m.group("kind") or "").lower() == "fiscal"))
    return out


def parse_duration(text: str) -> Duration | None:
    """The first duration stated in ``text``, or ``None``.

    Examples: "thirty (30) days" -> Duration(30, days); "ten (10) Business Days" ->
    Duration(10, business_days); "one hundred twenty (120) days" -> Duration(120, days);
    "twelve (12) month period" -> Duration(12, months); "48 hours" -> Duration(2, days);
    "two (2) calendar quarters" -> Duration(6, months);
    "36 hours" -> None; "thirty (60) days" -> None (words and digits disagree: see
    ``find_durations`` for both readings); "60" -> None (no unit).
    """
    for f in find_durations(text):
        return f.value
    return None


def add_business_days(start: dt.date, n: int) -> dt.date:
    """``start`` moved by ``n`` business days (Mon-Fri; negative moves back). Holidays are not known."""
    step = 1 if n >= 0 else -1
    d, left = start, abs(n)
    while left:
        d += dt.timedelta(days=step)
        if d.weekday() < 5:
            left -= 1
    return d


def add_duration(start: dt.date, duration: Duration, *, before: bool = False) -> dt.date:
    """``start`` plus (or, with ``before=True``, minus) ``duration``.

    Days and weeks are exact (fractional days are not allowed either); months and years are
    calendar-aware via ``dateutil.relativedelta`` (2021-01-31 + 1 month = 2021-02-28); business
    days skip Saturdays and Sundays. Example: an expiration date = effective date + initial
    term: ``add_duration(date(2021, 3, 1), Duration(value=2, unit="years")) == date(2023, 3, 1)``.
    Raises ``NonIntegralDuration`` for a fractional value.
    """
    if not float(duration.value).is_integer():
        raise NonIntegralDuration(f"cannot add {duration} to a date: not a whole number")
    n = int(duration.value) * (-1 if before else 1)
    u = duration.unit
    if u == DurationUnit.DAYS:
        return start + dt.timedelta(days=n)
    if u == DurationUnit.WEEKS:
        return start + dt.timedelta(weeks=n)
    if u == DurationUnit.BUSINESS_DAYS:
        return add_business_days(start, n)
    if u == DurationUnit.MONTHS:
        return start + relativedelta(months=n)
    return start + relativedelta(years=n)
