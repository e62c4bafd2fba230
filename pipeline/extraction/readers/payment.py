"""Payment terms as contracts write them (a number of days and what starts the clock), read by code.

The default model left the payment terms out in five of the eight texts that state them (the
services and supply samples and three failure cases), although the clause has one fixed shape:
a duty to pay (``shall pay``, ``payable``, ``due``) + ``within <number> (business) days`` + what
starts the clock (``after receipt of a correct invoice``, ``of invoice``, ``from the end of the month
in which the invoice is dated``). This module reads that shape:

- ``Client shall pay each invoice within forty-five (45) days after receipt of a correct invoice``
  → 45 days, trigger "receipt of a correct invoice";
- ``All invoices are payable within sixty (60) days of the date on which Company receives a correct
  and undisputed invoice`` → 60 days;
- ``... within thirty (30) days from the end of the month in which the invoice is dated`` → 30 days,
  trigger "the end of the month in which the invoice is dated".

Only sentences that mention an invoice count, so a delivery or notice period is never read as a
payment term; months and years are not payment terms. The reader (:data:`READER`) fills the payment
terms only when the model gave none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.extraction.readers.base import DocumentContext, Located, Reader
from rules.text import find_durations
from rules.text import Sentence, split_sentences
from schemas import ContractExtraction, PaymentTerms

_DUTY = re.compile(r"\b(?:shall|will|must|agrees?\s+to)\s+(?:pay|remit)\b|\bpayable\b|\bdue\s+(?:and\s+payable\s+)?(?=within)|"
                   r"\bbe\s+paid\b|\bpayment\s+(?:shall|will|must)\s+be\s+made\b", re.I)
_INVOICE = re.compile(r"\binvoice[sd]?\b", re.I)
#: Money going back to the customer is no payment term: refunds, credits, damages.
_NOT_PAYMENT_TERMS = re.compile(r"\b(?:refund\w*|repa\w*|paid\s+back|credit\s+note|service\s+credits?|liquidated\s+damages)\b",
                                re.I)
_WITHIN = re.compile(r"\bwithin\s+$", re.I)
#: The trigger ends at a clause end (not a decimal point "1.5%" or a section number "5.1"), or where a new
#: clause starts ("and the Customer shall ...").
_TRIGGER = re.compile(r"^\W*(?:after|of|from|following|upon)\s+(?P<trigger>(?:[^.;,]|[.,](?=\d)){3,120}?)"
                      r"(?=[.;,](?!\d)|\s+(?:by|to|in\s+accordance|unless|except|which\s+(?:shall|will|must))\b|"
                      r"\s+and\s+(?:the\s+)?\w+\s+(?:shall|will|must|may)\b|$)", re.I)
#: How far after the duty to pay its period may stand ("shall pay each invoice within ...").
_REACH = 90


@dataclass(frozen=True)
class StatedPayment(Located):
    """A payment term the text states: ``days`` (number of days), ``business`` (True for business
    days), ``trigger`` (what starts the clock, as written, or None), document offsets of the sentence
    (``start``/``end``) and of the period as written (``value_start``/``value_end``, ``text``)."""

    days: int
    business: bool
    trigger: str | None


def find_payment_terms(text: str, sentences: list[Sentence] | None = None) -> StatedPayment | None:
    """The first payment term ``text`` (a document's stored text) states, or ``None``; ``sentences``:
    ``text`` already split (:func:`rules.text.sentences.split_sentences`), split here when ``None``.

    A sentence counts when it mentions an invoice and no refund, credit or damages; the period is the
    first ``within`` + a duration in days or business days that follows a duty to pay ("shall pay",
    "payable", "payment shall be made") in the same clause, so a dispute, invoicing or delivery period
    earlier in the sentence is never read (break tests). Raises ``PunktModelMissing`` when
    the sentence splitter's data is absent (rules.text.sentences).
    """
    for s in (split_sentences(text) if sentences is None else sentences):
        if not _INVOICE.search(s.text) or _NOT_PAYMENT_TERMS.search(s.text):
            continue
        for duty in _DUTY.finditer(s.text):
            clause_end = min([i for i in (s.text.find(";", duty.end()),) if i >= 0] + [len(s.text)])
            for d in find_durations(s.text[duty.end():clause_end]):
                a, b = duty.end() + d.start, duty.end() + d.end
                if a - duty.end() > _REACH or d.value is None or d.value.unit.value not in ("days", "business_days"):
                    continue
                if not _WITHIN.search(s.text[max(0, a - 12):a]) or not float(d.value.value).is_integer():
                    continue
                t = _TRIGGER.match(s.text[b:])
                trigger = " ".join(t["trigger"].split()) if t else None
                return StatedPayment(s.start, s.end, s.start + a, s.start + b, d.text, int(d.value.value),
                                     d.value.unit.value == "business_days", trigger)
    return None


def read_payment_terms(x: ContractExtraction, ctx: DocumentContext) -> None:
    """Give ``x`` (a merged extraction) the payment terms the document states (:func:`find_payment_terms`),
    when the model gave none (no days and no span); mutates ``x``. The value is marked ``computed``
    (found by code, not by the model) with a note, and its evidence is grounded (page, offsets,
    rectangles, exact)."""
    if x.payment_terms is not None and (x.payment_terms.days is not None or x.payment_terms.raw_text):
        return
    found = find_payment_terms(ctx.text, ctx.sentences)
    if found is None:
        return
    x.payment_terms = PaymentTerms(days=found.days, day_type="business" if found.business else "calendar",
                                   trigger=found.trigger, raw_text=found.text, evidence=found.evidence(ctx.doc),
                                   computed=True,
                                   note="found by code in the payment clause; the model gave no payment terms")


READER = Reader("payment", ("payment_terms",), read_payment_terms)
