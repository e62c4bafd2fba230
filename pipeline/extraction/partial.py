"""A chunk's model answer as a partial extraction, and the grounding of its evidence.

- :func:`chunk_to_partial` turns one chunk's :class:`schemas.chunk_output.ChunkExtraction` (the
  model's answer) into a partial :class:`schemas.ContractExtraction`: values as the model gave them,
  evidence carrying the chunk-local sentence ids, the span (a party's name where the model gave no
  span for it) and ``chunk_seq``; a liability cap given by its span alone has that span as its formula; empty objects (no value and no span) and dates left blank ("this day
  of , 2009": :func:`rules.text.is_blank_date`) are dropped as "not stated".
- :func:`ground_partial` ties every evidence of a partial to its place in the document
  (:func:`pipeline.extraction.grounding.ground_evidence`: quote, page, offsets, rectangles, match
  status); :func:`iter_evidence` walks every holder of an evidence.

Pure functions, no model and no database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from pipeline.extraction.grounding import ground_evidence
from rules.text import Sentence, is_blank_date
from schemas import (
    BoolClaim,
    ChunkDate,
    ChunkDuration,
    ChunkExtraction,
    CitedAnswer,
    ContractExtraction,
    DateClaim,
    Deadline,
    Duration,
    DurationClaim,
    Evidence,
    Fee,
    GoverningLaw,
    KeyDate,
    KeyDateKind,
    LiabilityCap,
    Money,
    Obligation,
    ObligationCategory,
    Party,
    PaymentTerms,
    SourceDocument,
    TerminationKind,
    TerminationRight,
)


def _evidence(c: CitedAnswer, chunk_seq: int, default_span: str | None = None) -> Evidence:
    return Evidence(sentence_ids=list(c.sentence_ids), span=(c.span or default_span or None), chunk_seq=chunk_seq)


def _iso(s: str | None) -> dt.date | None:
    if not s:
        return None
    try:
        return dt.date.fromisoformat(s.strip())
    except ValueError:
        return None


def _duration(number: float | None, unit: str | None) -> Duration | None:
    if number is None or unit is None:
        return None
    return Duration(value=number, unit=unit)


def _money(amount: float | None, currency: str | None) -> Money | None:
    if amount is None:
        return None
    return Money(amount=amount, currency=(currency or None) and currency.upper())


def _date_claim(c: ChunkDate | None, seq: int) -> DateClaim | None:
    if c is None or (not c.iso and not c.span):
        return None
    if c.span and is_blank_date(c.span):
        return None  # "this day of , 2009": the date was left blank, the text states none (any ISO is invented)
    value = _iso(c.iso)
    note = None if value or not c.iso else f"model's date {c.iso!r} is not an ISO 8601 date"
    return DateClaim(value=value, raw_text=c.span, evidence=_evidence(c, seq), note=note)


def _duration_claim(c: ChunkDuration | None, seq: int) -> DurationClaim | None:
    if c is None or (c.number is None and not c.span):
        return None
    return DurationClaim(value=_duration(c.number, c.unit), raw_text=c.span, evidence=_evidence(c, seq))


def _s(x: str | None) -> str | None:
    x = (x or "").strip()
    return x or None


def chunk_to_partial(out: ChunkExtraction, chunk_seq: int) -> ContractExtraction:
    """One chunk's model answer as a partial ContractExtraction (values as the model gave them;
    empty objects, i.e. no value and no span, are dropped as "not stated")."""
    x = ContractExtraction(chunk_ids=[chunk_seq])
    for p in out.parties:
        if not _s(p.name):
            continue
        x.parties.append(
            Party(
                name=p.name.strip(), role=_s(p.role), defined_terms=[t for t in p.defined_terms if _s(t)],
                entity_type=_s(p.entity_type), jurisdiction=_s(p.jurisdiction), dba=[t for t in p.dba if _s(t)],
                former_names=[t for t in p.former_names if _s(t)], affiliates=[t for t in p.affiliates if _s(t)],
                evidence=_evidence(p, chunk_seq, default_span=p.name.strip()),
            )
        )
    x.agreement_date = _date_claim(out.agreement_date, chunk_seq)
    x.effective_date = _date_claim(out.effective_date, chunk_seq)
    x.expiration_date = _date_claim(out.expiration_date, chunk_seq)
    x.initial_term = _duration_claim(out.initial_term, chunk_seq)
    x.renewal_term = _duration_claim(out.renewal_term, chunk_seq)
    x.renewal_notice = _duration_claim(out.renewal_notice, chunk_seq)
    x.confidentiality_survival = _duration_claim(out.confidentiality_survival, chunk_seq)
    if out.auto_renewal is not None and (out.auto_renewal.value is not None or out.auto_renewal.span):
        x.auto_renewal = BoolClaim(value=out.auto_renewal.value, raw_text=out.auto_renewal.span,
                                   evidence=_evidence(out.auto_renewal, chunk_seq))
    g = out.governing_law
    if g is not None and (_s(g.value) or g.span):
        x.governing_law = GoverningLaw(jurisdiction=_s(g.value), raw_text=g.span, evidence=_evidence(g, chunk_seq))
    pt = out.payment_terms
    if pt is not None and (pt.days is not None or pt.span):
        day_type = None if pt.business_days is None else ("business" if pt.business_days else "calendar")
        x.payment_terms = PaymentTerms(days=pt.days, day_type=day_type, trigger=_s(pt.trigger), raw_text=pt.span,
                                       evidence=_evidence(pt, chunk_seq))
    for f in out.fees:
        if f.amount is None and not f.span and not _s(f.description):
            continue
        x.fees.append(Fee(description=_s(f.description), amount=_money(f.amount, f.currency), period=_s(f.period),
                          due_date=_iso(f.due_iso), raw_text=f.span, evidence=_evidence(f, chunk_seq)))
    cap = out.liability_cap
    if cap is not None and (cap.amount is not None or _s(cap.formula) or cap.span):
        # a cap given by its span alone ("the fees paid in the prior twelve (12) months") is that formula as written
        formula = _s(cap.formula) or (_s(cap.span) if cap.amount is None else None)
        x.liability_cap = LiabilityCap(amount=_money(cap.amount, cap.currency), formula=formula,
                                       evidence=_evidence(cap, chunk_seq))
    for t in out.termination_rights:
        x.termination_rights.append(
            TerminationRight(kind=TerminationKind(t.kind), holder=_s(t.holder),
                             notice=_duration(t.notice_number, t.notice_unit),
                             fee=_money(t.fee_amount, t.fee_currency), raw_text=t.span,
                             evidence=_evidence(t, chunk_seq))
        )
    for d in out.other_dates:
        if not _s(d.label) and not d.iso and not d.span:
            continue
        x.key_dates.append(KeyDate(kind=KeyDateKind.OTHER, label=_s(d.label), value=_iso(d.iso), raw_text=d.span,
                                   evidence=_evidence(d, chunk_seq)))
    for o in out.obligations:
        if not _s(o.action):
            continue
        dl = None
        if o.deadline_iso or o.deadline_number is not None or _s(o.anchor):
            dl = Deadline(date=_iso(o.deadline_iso), duration=_duration(o.deadline_number, o.deadline_unit),
                          anchor=_s(o.anchor), raw_text=o.span)
        x.obligations.append(
            Obligation(obligor=_s(o.obligor), obligee=_s(o.obligee), action=o.action.strip(),
                       category=ObligationCategory(o.category), deadline=dl, evidence=_evidence(o, chunk_seq))
        )
    return x


def iter_evidence(x: ContractExtraction) -> Iterator[Any]:
    """Every holder of an Evidence in ``x`` (parties, single-valued claims, list items), in that order;
    holders whose ``evidence`` is None are skipped."""
    for p in x.parties:
        if p.evidence is not None:
            yield p
    for f in ContractExtraction.SINGLE_VALUED:
        v = getattr(x, f)
        if v is not None and v.evidence is not None:
            yield v
    for kind in ("fees", "obligations", "termination_rights", "key_dates"):
        for it in getattr(x, kind):
            if it.evidence is not None:
                yield it


def ground_partial(x: ContractExtraction, sentences: list[Sentence], doc: SourceDocument) -> None:
    """Ground every evidence of ``x`` against ``sentences`` (the chunk's sentences with the ids the model
    saw, document offsets) in ``doc``; replaces each holder's ``evidence`` in place."""
    for holder in iter_evidence(x):
        e: Evidence = holder.evidence
        holder.evidence = ground_evidence(e, sentences, doc)
