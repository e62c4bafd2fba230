"""Support: the value follows from its evidence.

Dates and durations are compared with ``parsed`` (what the pipeline's normalization read from the cited
span); party names and governing-law jurisdictions must occur in the cited quote; payment days, notice
periods and fee amounts must be written in the quote (digits or words; business days only when the quote
says business days). The text is read with the contract-text grammar (:mod:`rules.text`); each rule's
``source`` names where it comes from.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from rules.fields import DATE_FIELDS, DURATION_FIELDS, items, quote_of, stated_claims
from rules.registry import Hit, rule
from rules.text import amount_in_text
from rules.text import find_durations
from rules.text import occurs_in
from rules.text import jurisdiction_of, jurisdictions_in
from rules.text import norm
from rules.text import number_in_text
from schemas import ContractExtraction, DurationUnit, MatchStatus, SourceDocument


def _has_evidence(ev) -> bool:
    return ev is not None and bool(ev.quote or ev.span or ev.sentence_ids or ev.match is not None)


@rule(
    "S001",
    title="Value stated without evidence",
    severity="error",
    fields=("*",),
    source="every value carries its evidence: a value with none is an error",
)
def no_evidence(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    for it in items(x):
        if not it.computed and not _has_evidence(it.evidence):
            yield Hit(it.path, f"value {_show(it.value)} has no evidence in the source")


def _show(v) -> str:
    return str(v) if not hasattr(v, "model_dump") else str(v.model_dump(exclude_none=True))


@rule(
    "S002",
    title="Date differs from the date written in its evidence",
    severity="error",
    fields=DATE_FIELDS,
    source="the model's date must be the date written in the cited text ('made this 1st day of March, 2021', 'Date "
           "of this Agreement: 01/02/2021'); the field then holds the text's reading (pipeline.extraction.merge)",
)
def date_mismatch(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    for name, c in stated_claims(x, DATE_FIELDS):
        if c.parsed is None:
            continue
        readings = {c.parsed, *c.alternatives} if c.ambiguous_order else {c.parsed}
        stated = c.model_value if c.model_value is not None else c.value
        if stated not in readings:
            yield Hit(
                name,
                f"{'the model gave' if c.model_value is not None else 'value'} {stated.isoformat()} but the cited "
                f"text reads {c.parsed.isoformat()}",
                c.evidence,
                {"value": stated.isoformat(), "parsed": c.parsed.isoformat()},
            )


@rule(
    "S003",
    title="No date or duration could be read from the evidence",
    severity="warning",
    fields=DATE_FIELDS + DURATION_FIELDS,
    source="the value must follow from the cited text (a date or duration must be readable from it, never '60 days' "
           "turned into a date)",
)
def nothing_parsed(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    for name, c in stated_claims(x, DATE_FIELDS + DURATION_FIELDS):
        if c.parsed is not None:
            continue
        ev = c.evidence
        if ev is None or ev.match == MatchStatus.NOT_FOUND or not (ev.quote or ev.span):
            continue  # G001 / S001 report these
        yield Hit(name, f"value {c.value} but no {'date' if name in DATE_FIELDS else 'duration'} "
                        f"could be read from the cited text {quote_of(ev)[:120]!r}", ev)


@rule(
    "S004",
    title="Duration differs from the duration written in its evidence",
    severity="error",
    fields=DURATION_FIELDS,
    source="the value and unit must equal the duration written in the cited text; business days and calendar days "
           "are different periods",
)
def duration_mismatch(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    for name, c in stated_claims(x, DURATION_FIELDS):
        if c.parsed is None:
            continue
        stated = c.model_value if c.model_value is not None else c.value
        if stated.canonical() != c.parsed.canonical():
            yield Hit(
                name,
                f"{'the model gave' if c.model_value is not None else 'value'} {stated} but the cited text "
                f"reads {c.parsed}",
                c.evidence,
                {"value": str(stated), "parsed": str(c.parsed)},
            )


@rule(
    "S005",
    title="Party name does not occur in its evidence",
    severity="error",
    fields=("parties",),
    source="the party's name must be written in the cited text (its legal name, d/b/a or former name)",
)
def party_not_in_quote(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    for i, p in enumerate(x.parties):
        ev = p.evidence
        q = quote_of(ev)
        if not q or (ev is not None and ev.match == MatchStatus.NOT_FOUND):
            continue
        if not occurs_in(p.name, q):
            yield Hit(f"parties[{i}]", f"party name {p.name!r} does not occur in the cited text {q[:160]!r}", ev)


@rule(
    "S006",
    title="Governing-law jurisdiction does not occur in its evidence",
    severity="error",
    fields=("governing_law",),
    source="the jurisdiction must be in the cited text (by any of its names)",
)
def jurisdiction_not_in_quote(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    g = x.governing_law
    if g is None or not g.jurisdiction:
        return
    q = quote_of(g.evidence)
    if not q or (g.evidence is not None and g.evidence.match == MatchStatus.NOT_FOUND):
        return
    # "Ontario, Canada" or "England and Wales": every named place must be in the quote, in any order
    # or by another of its names ("PRC" for "China": rules.text.jurisdictions)
    cited = {j.code for j in jurisdictions_in(q)}
    parts = [p for p in re.split(r",|\band\b|/", g.jurisdiction) if p.strip()]
    if not all(occurs_in(p.strip(), q) or getattr(jurisdiction_of(p), "code", None) in cited for p in parts):
        yield Hit("governing_law", f"jurisdiction {g.jurisdiction!r} does not occur in the cited text {q[:160]!r}",
                  g.evidence)


@rule(
    "S007",
    title="Payment days not written in the evidence",
    severity="error",
    fields=("payment_terms",),
    source="the value must follow from the cited text: 'payment within 30 days' must say 30",
)
def payment_days_not_in_quote(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    pt = x.payment_terms
    if pt is None or pt.days is None:
        return
    q = quote_of(pt.evidence)
    if not q or (pt.evidence is not None and pt.evidence.match == MatchStatus.NOT_FOUND):
        return
    if not number_in_text(pt.days, q):
        yield Hit("payment_terms", f"{pt.days} days is not written in the cited text {q[:160]!r}", pt.evidence)


@rule(
    "S008",
    title="Termination notice not written in the evidence",
    severity="error",
    fields=("termination_rights",),
    source="the number must be in the cited text, business days only when the text says business days; a notice in "
           "quarters is three months a quarter",
)
def termination_notice_not_in_quote(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    for i, t in enumerate(x.termination_rights):
        q = quote_of(t.evidence)
        if t.notice is None or not q or (t.evidence is not None and t.evidence.match == MatchStatus.NOT_FOUND):
            continue
        n = t.notice.value
        says_business = re.search(r"business days?|working days?", norm(q)) is not None
        # "two (2) calendar quarters' notice": the model has no quarters and may give 2 months, or 6 months
        stated = [d for d in find_durations(q) if d.value is not None]
        quarters = [d for d in stated if "quarter" in d.text.lower()]
        if any(d.value.canonical() == t.notice.canonical() for d in quarters):
            continue
        if quarters and all(d.value.canonical() != t.notice.canonical() for d in stated):
            yield Hit(f"termination_rights[{i}]", f"notice {t.notice} but the cited text counts quarters: "
                      f"{quarters[0].text!r} is {quarters[0].value}", t.evidence)
        elif not float(n).is_integer() or not number_in_text(int(n), q):
            yield Hit(f"termination_rights[{i}]", f"notice {t.notice} is not written in the cited text {q[:160]!r}",
                      t.evidence)
        elif (t.notice.unit == DurationUnit.BUSINESS_DAYS) != says_business and t.notice.unit in (
                DurationUnit.DAYS, DurationUnit.BUSINESS_DAYS):
            yield Hit(f"termination_rights[{i}]", f"notice {t.notice} but the cited text counts "
                      f"{'business' if says_business else 'calendar'} days: {q[:160]!r}", t.evidence)


_MONTHS = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_DATE_LIKE = re.compile(
    rf"\b{_MONTHS}\.? \d{{1,2}}\b|\b\d{{1,2}}(?:st|nd|rd|th)? (?:day of )?{_MONTHS}\b|\b\d{{1,4}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}\b"
    r"|\b(?:19|20)\d\d\b|\banniversary\b"
    r"|\b(?:\d+|[a-z]+(?:-[a-z]+)?)(?: \(\d+\))? (?:business |calendar |fiscal )?(?:days?|weeks?|months?|quarters?|years?)\b"
    r"|\b(?:first|second|third|fourth|1st|2nd|3rd|4th) (?:calendar )?quarter of (?:19|20)\d\d\b"
)


@rule(
    "S009",
    title="Key date with no date or period in its evidence",
    severity="error",
    fields=("key_dates",),
    source="words read as dates by date finders ('may' the verb, section numbers, '9 to 5' as times of day; a known "
           "fault of the datefinder library): a key date needs a date or period in its evidence",
)
def key_date_without_date(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    for i, k in enumerate(x.key_dates):
        q = quote_of(k.evidence)
        if k.value is None or not q or (k.evidence is not None and k.evidence.match == MatchStatus.NOT_FOUND):
            continue
        if not _DATE_LIKE.search(norm(q)):
            yield Hit(f"key_dates[{i}]", f"{k.value.isoformat()} but the cited text states no date or period: "
                                         f"{q[:160]!r}", k.evidence)


@rule(
    "S010",
    title="Fee amount not written in its evidence",
    severity="error",
    fields=("fees",),
    source="the fee amount as written must be in the cited text: '1% per month' is a rate, not a fee of 0.01",
)
def fee_amount_not_in_quote(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    for i, f in enumerate(x.fees):
        q = quote_of(f.evidence)
        if f.amount is None or not q or (f.evidence is not None and f.evidence.match == MatchStatus.NOT_FOUND):
            continue
        if not amount_in_text(f.amount.amount, q):
            yield Hit(f"fees[{i}]", f"amount {f.amount.amount:g} {f.amount.currency or ''} is not written in the cited "
                                    f"text {q[:160]!r}", f.evidence)
