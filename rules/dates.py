"""Dates: valid and plausible, in order, consistent with the term, notice shorter than the term it ends, and
not set by a fiscal calendar the contract leaves undefined.

A year far from the agreement date ("60" read as 2060-01-15) is flagged unless the cited text writes it; an
end before the start is kept as written and flagged; an undecided day/month order is flagged. Each rule's
``source`` names where it comes from.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from rules.fields import DATE_FIELDS, DURATION_FIELDS, items, quote_of, stated_claims
from rules.registry import Hit, rule
from rules.text import add_duration
from rules.text import fiscal_calendar_defined, fiscal_period_in
from rules.text import norm
from rules.text import last_signature_clause, signature_dates
from schemas import ContractExtraction, DateClaim, Duration, DurationUnit, Evidence, SourceDocument

YEAR_MIN, YEAR_MAX = 1900, 2100
MAX_YEARS_FROM_ANCHOR = 30
TOLERANCE_DAYS = 1


def term_end(start: dt.date, d: Duration) -> dt.date | None:
    """``start`` + ``d`` as the merge computes an expiration date (:func:`rules.text.durations.add_duration`:
    months clamp to the month's end); a fractional value counts its approximate days
    (:meth:`schemas.Duration.approx_days`, rounded); ``None`` for business days and past year 9999."""
    if d.unit == DurationUnit.BUSINESS_DAYS:
        return None
    try:
        if not float(d.value).is_integer():
            return start + dt.timedelta(days=round(d.approx_days()))
        return add_duration(start, d)
    except (OverflowError, ValueError):
        return None


def _anchor(x: ContractExtraction) -> dt.date | None:
    for c in (x.agreement_date, x.effective_date):
        if c is not None and c.value is not None:
            return c.value
    return None


def _all_dates(x: ContractExtraction) -> Iterator[tuple[str, dt.date, Evidence | None]]:
    for name, c in stated_claims(x, DATE_FIELDS):
        yield name, c.value, c.evidence
    for i, k in enumerate(x.key_dates):
        if k.value is not None:
            yield f"key_dates[{i}]", k.value, k.evidence
    for i, f in enumerate(x.fees):
        if f.due_date is not None:
            yield f"fees[{i}]", f.due_date, f.evidence
    for i, o in enumerate(x.obligations):
        if o.deadline is not None and o.deadline.date is not None:
            yield f"obligations[{i}]", o.deadline.date, o.evidence


@rule(
    "D001",
    title="Date implausible",
    severity="error",
    fields=DATE_FIELDS + ("key_dates", "fees", "obligations"),
    source=f"a contract's dates: no year 2060 read from '60 days'; years {YEAR_MIN}..{YEAR_MAX}, "
           f"within {MAX_YEARS_FROM_ANCHOR} years of the agreement date unless the year is written in the quote",
)
def implausible_date(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    anchor = _anchor(x)
    for path, d, ev in _all_dates(x):
        if not YEAR_MIN <= d.year <= YEAR_MAX:
            yield Hit(path, f"{d.isoformat()} is outside the years {YEAR_MIN}..{YEAR_MAX}", ev)
        elif anchor is not None and abs(d.year - anchor.year) > MAX_YEARS_FROM_ANCHOR:
            if not re.search(rf"(?<!\d){d.year}(?!\d)", norm(quote_of(ev))):
                yield Hit(path, f"{d.isoformat()} is more than {MAX_YEARS_FROM_ANCHOR} years from the agreement "
                                f"date {anchor.isoformat()} and its year is not written in the cited text", ev)


@rule(
    "D002",
    title="Expiration date before effective date",
    severity="error",
    fields=("effective_date", "expiration_date"),
    source="a term ends after it begins: an expiration date before the effective date is kept as written (never "
           "'fixed') and sent to a person")
def end_before_start(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    e, x_ = x.effective_date, x.expiration_date
    if e is None or x_ is None or e.value is None or x_.value is None:
        return
    if x_.value < e.value:
        yield Hit("expiration_date",
                  f"expiration date {x_.value.isoformat()} is before the effective date {e.value.isoformat()} "
                  "(kept as written; likely a drafting error for a reviewer to decide)",
                  x_.evidence, {"effective_date": e.value.isoformat(), "expiration_date": x_.value.isoformat()})


@rule(
    "D003",
    title="Expiration date differs from effective date plus initial term",
    severity="warning",
    fields=("effective_date", "initial_term", "expiration_date"),
    source=f"the term ends on the effective date plus the initial term; tolerance {TOLERANCE_DAYS} day for 'the day "
           "before the anniversary'; a warning because a term may run from a commencement date other than "
           "the effective date",
)
def term_inconsistent(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    e, t, x_ = x.effective_date, x.initial_term, x.expiration_date
    if any(c is None or c.value is None for c in (e, t, x_)):
        return  # an expiration computed from this effective date and term agrees with them by construction
    expected = term_end(e.value, t.value)
    if expected is None:
        return
    gap = abs((x_.value - expected).days)
    if gap > TOLERANCE_DAYS:
        yield Hit("expiration_date",
                  f"effective date {e.value.isoformat()} + initial term {t.value} = {expected.isoformat()}, "
                  f"but the expiration date is {x_.value.isoformat()} ({gap} days apart)",
                  x_.evidence, {"expected": expected.isoformat()})


@rule(
    "D004",
    title="Notice period not shorter than the term it ends",
    severity="error",
    fields=("renewal_notice", "renewal_term", "initial_term"),
    source="a notice period shorter than the term it ends (a 90-day non-renewal notice of a 60-day term cannot be "
           "given)",
)
def notice_too_long(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    n = x.renewal_notice
    if n is None or n.value is None:
        return
    for name in ("renewal_term", "initial_term"):
        term = getattr(x, name)
        if term is not None and term.value is not None:
            if n.value.approx_days() >= term.value.approx_days():
                yield Hit("renewal_notice",
                          f"renewal notice {n.value} is not shorter than the {name.replace('_', ' ')} {term.value}",
                          n.evidence)
            return


@rule(
    "D005",
    title="Day/month order of a date is ambiguous",
    severity="warning",
    fields=DATE_FIELDS,
    source="numeric dates such as 01/02/2021 read month-first in the United States and day-first elsewhere: the "
           "order is decided by the contract's governing law or its other dates, never by a silent month-first "
           "default",
)
def ambiguous_order(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    for name in DATE_FIELDS:
        c: DateClaim | None = getattr(x, name)
        if c is not None and c.value is not None and c.ambiguous_order:
            alts = sorted({c.value, *c.alternatives})
            yield Hit(name, f"day/month order undecided: {' or '.join(a.isoformat() for a in alts)}", c.evidence,
                      {"alternatives": [a.isoformat() for a in alts]})


@rule(
    "D006",
    title="Effective date is not the latest signature date",
    severity="error",
    fields=("effective_date",),
    source="'effective as of the date last signed' given the first signature's date; the contract takes effect on "
           "its last signature, so the effective date is the latest of the signature blocks' dates, and a reviewer "
           "reads them where they cannot all be read",
)
def not_the_last_signature(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    clause = last_signature_clause(doc.text)
    if clause is None:
        return
    said = " ".join(doc.text[clause[0]:clause[1]].split())
    sig = signature_dates(doc.text, x.date_order, after=clause[1])
    e = x.effective_date
    value = e.value if e is not None else None
    latest = sig.latest
    if latest is not None:
        if value != latest.value:
            yield Hit("effective_date",
                      f"the contract takes effect on its last signature ({said!r}): the latest signature date is "
                      f"{latest.value.isoformat()}, but the effective date is "
                      f"{value.isoformat() if value else 'empty'}",
                      e.evidence if e is not None else None, {"expected": latest.value.isoformat()})
        return
    yield Hit("effective_date",
              f"the contract takes effect on its last signature ({said!r}), but its signature dates cannot all be read "
              f"({len(sig.read)} read, {len(sig.unread)} blank or unreadable): "
              + (f"the effective date {value.isoformat()} cannot be checked" if value else "a reviewer reads them"),
              e.evidence if e is not None else None,
              {"signature_dates": [f.value.isoformat() for f in sig.read if f.value], "unread": len(sig.unread)})


#: Fields whose value is a date, a deadline or a period: the ones a fiscal calendar can decide.
_TIMED_FIELDS = DATE_FIELDS + DURATION_FIELDS + ("key_dates", "obligations", "fees", "termination_rights",
                                                  "payment_terms")


@rule(
    "D007",
    title="Deadline or date set by a fiscal period the contract does not define",
    severity="warning",
    fields=_TIMED_FIELDS,
    source="deadlines stated in fiscal quarters: 'within forty-five (45) days after the end of each fiscal quarter' "
           "or 'the last day of the third fiscal quarter of 2024' has a calendar date only where the contract says "
           "when its fiscal year or quarters end (rules.text.quarters); no date is computed from it, and a reviewer "
           "needs the fiscal calendar",
)
def fiscal_calendar_needed(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    if fiscal_calendar_defined(doc.text):
        return
    for it in items(x):
        if it.field not in _TIMED_FIELDS or it.computed:
            continue
        ev = it.evidence
        dl = getattr(it.obj, "deadline", None)
        cited = " ".join(t for t in (getattr(it.obj, "raw_text", None), dl.raw_text if dl else None,
                                     ev.span if ev else None, quote_of(ev)) if t)
        phrase = fiscal_period_in(cited)
        if phrase is None:
            continue
        what = "the deadline" if it.field == "obligations" else "the value"
        if it.field == "obligations" and (dl is None or (dl.date is None and dl.duration is None
                                                         and dl.day_of_month is None)):
            what = "the deadline (none could be read)"
        model = getattr(it.obj, "model_value", None)
        kept = f" (the model's date {model.isoformat()} was not taken)" if isinstance(model, dt.date) else ""
        yield Hit(it.path, f"{what} is set by a fiscal period ({phrase!r}) and the contract does not say when its "
                           f"fiscal year or quarters end: the due date needs the fiscal calendar{kept}", ev,
                  {"fiscal_period": phrase})
