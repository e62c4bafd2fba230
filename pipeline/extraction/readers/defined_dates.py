"""The agreement date and the effective date as the contract itself states them, found by code.

Small models leave the effective date out far more often than any other field they can see (the
recorded answers of the default 1.5B model: 0 of 3 samples, 0 of 8 CUAD contracts), although
contracts state it in a few fixed forms. Those forms are read here, deterministically:

- a date followed by its definition: ``as of March 1, 2024 (the "Effective Date")``,
  ``dated 1 June 2021 ("Commencement Date")``;
- a definition followed by a date: ``"Effective Date" means 1 June 2021``,
  ``"Commencement Date": 1 June 2021``, ``the Effective Date of this Agreement is June 1, 2021``;
- a definition by reference to the date of the agreement: ``"Commencement Date": the date of this
  agreement`` / ``the date hereof`` / ``the date first written above`` (the value is then the
  agreement date, ``via_agreement_date=True``);
- a key-terms line starting with the term: ``Effective Date: 1 June 2021``,
  ``Subscription Start Date: March 1st, 2021``;
- a clause in which this agreement takes effect, read from the structure of the sentence
  (:func:`rules.text.effect_clauses`: the agreement or its term as the subject that opens the clause, a verb
  of taking effect, an anchor, a value): ``This Agreement shall become effective on July 1, 2004``, ``The term
  of this Agreement shall commence on June 1, 2003``, ``is entered into effective as of ...``, ``is dated June
  1, 2020, and is effective as of July 1, 2020``; with a reference to the agreement date as its value
  (``shall be effective as of the date first written above``) it is a definition by reference;
- the last signature (``effective as of the date last signed below``, ``when signed by both parties``,
  ``the later of the dates below``): the latest of the signature blocks' dates
  (:func:`rules.text.signature_dates`), only when every one can be read (``via_last_signature``; else no
  value, and rule D006 sends it to a reviewer);
- the agreement's own date "as of" (``This Agreement is made and entered into as of May 31, 1999``, ``dated
  as of the 1st day of June, 2003``): the day it takes effect, only when the text states no other start
  (no form above, no clause starting it on an event such as ``upon the first commercial sale``, no quoted
  "Effective Date" defined otherwise).

The agreement date (:func:`find_agreement_date`) is the date of a clause whose subject is this agreement and
whose verb is one of dating (``is made``, ``made and entered into``, ``dated``, ``executed``), when every such
clause gives the same date. A date of another document ("the Supply Agreement dated May 8, 2008",
:func:`rules.text.other_document_before`) is never read as this contract's.

The defined terms accepted are :data:`pipeline.extraction.anchors.EFFECTIVE_TERMS` (the names
contracts give the day the term starts). Curly and straight quotes are both read. Of the forms
found, an explicit definition beats a reference to the agreement date, which beats a clause of taking
effect or the last signature, which beat the agreement's "as of" date; then "Effective Date" beats
"Commencement Date" beats "Start Date"; then the earliest wins.

The reader (:data:`READER`) gives the extraction these dates when the model gave none, or adds them as
candidates when the model gave others.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from pipeline.extraction.anchors import EFFECTIVE_TERMS_RE, TERM_QUALIFIER_RE
from pipeline.extraction.merge import read_list_dates
from pipeline.extraction.readers.base import DocumentContext, Located, Reader, apply_readers
from rules.text import (
    DateOrder,
    Sentence,
    AGREEMENT_DATE_REF,
    effect_clauses,
    find_dates,
    last_signature_clause,
    other_document_before,
    signature_dates,
    split_sentences,
    start_kind,
)
from schemas import ContractExtraction, DateClaim, SourceDocument

_Q = "[\"“”'‘’]"
_TERMS = EFFECTIVE_TERMS_RE
_TERM = r"(?P<term>" + _TERMS + r")"
_TERM2 = r"(?P<term2>" + _TERMS + r")"
# (the "Effective Date"), ("Effective Date"), (hereinafter the "Effective Date"), (such date, the "Effective
# Date"), (the “Effective Date” or “Commencement Date”), ("the Commencement Date"): the term quoted inside a
# parenthesis that holds no other quoted term before it and no qualifier ("Rent Commencement Date")
_PAREN_DEF = re.compile(
    r"\((?P<pre>[^()\"“”‘’]{0,40}?)" + _Q + r"(?:the\s+)?" + _TERM + _Q + r"[^()]{0,60}\)",
    re.IGNORECASE,
)
# "Effective Date" means / shall mean / : / is ; the Effective Date of this Agreement is / shall be / will be
_MEANS_DEF = re.compile(
    r"(?:" + _Q + _TERM + _Q + r"\s*(?:means|shall\s+mean|:|is|shall\s+be|will\s+be)"
    r"|\bthe\s+" + _TERM2 + r"(?:\s+of\s+this\s+(?:agreement|contract))?\s+(?:is|shall\s+be|will\s+be))\s*",
    re.IGNORECASE,
)
# a key-terms line: "Effective Date: 1 June 2021", "EFFECTIVE DATE: November 01, 2016", "Effective Date -
# June 1, 2021", "Subscription Start Date: March 1st, 2021"; qualifiers limited to words that name the
# contract itself ("Rent Commencement Date" is another date)
_LABEL_DEF = re.compile(
    r"(?:^|\n)[ \t]*(?:" + TERM_QUALIFIER_RE + r"[ \t]+)?" + _TERM.replace("term", "term3")
    + r"[ \t]*(?::|-|–)[ \t\n]*",
    re.IGNORECASE,
)
_AGREEMENT_REF = re.compile("^" + AGREEMENT_DATE_REF, re.IGNORECASE)
#: Rank of each form (lower wins) and of each term: an explicit definition beats "effective as of".
_FORM_RANK = {"paren": 0, "means": 0, "label": 0, "reference": 1, "effective": 2, "last_signature": 2, "as_of": 3}
_TERM_RANK = {"effective date": 0, "commencement date": 1, "start date": 2, "effective": 3}
#: Text allowed between a date and the parenthesised definition that follows it.
_GAP = re.compile(r"^[\s,]*$")


@dataclass(frozen=True)
class DefinedDate(Located):
    """The effective date a contract defines.

    ``value``: the date (ISO 8601), ``None`` when the definition refers to the agreement date
    (``via_agreement_date``), to the last signature and the signature dates cannot all be read
    (``via_last_signature``), or its date could not be read; ``term``: the defined term as written
    ("Effective Date"), "effective" for a clause in which the agreement takes effect, "as of" for the
    date the agreement is made "as of", "last signature"; ``form``: which form was read (the keys of
    ``_FORM_RANK``); ``start``/``end``: offsets in the searched text of the whole definition (date and
    term, or the clause); ``value_start``/``value_end``: offsets of the date as written (or of the
    reference "the date of this agreement", or of the latest signature date); ``text``: that as written.
    """

    value: dt.date | None
    term: str
    via_agreement_date: bool = False
    via_last_signature: bool = False
    form: str = "paren"


@dataclass(frozen=True)
class AgreementDate(Located):
    """The date a contract dates itself with ("This Agreement is made and entered into as of May 31, 1999"):
    ``value`` (ISO 8601, ``None`` when unreadable), ``as_of``: written "as of" or "effective" (the agreement
    then takes effect that day, unless the text states another start); offsets as :class:`Located`."""

    value: dt.date | None
    as_of: bool = False


def _date_before(text: str, pos: int, order: DateOrder | None) -> tuple[int, int, str, dt.date | None] | None:
    window_start = max(0, pos - 120)
    found = [f for f in find_dates(text[window_start:pos], order=order, base=window_start) if f.kind == "absolute"]
    if found and _GAP.match(text[found[-1].end:pos]):
        f = found[-1]
        return f.start, f.end, f.text, f.value
    return None


def _date_after(text: str, pos: int, order: DateOrder | None, max_gap: int = 4) -> tuple[int, int, str, dt.date | None] | None:
    found = [f for f in find_dates(text[pos:pos + 80], order=order, base=pos) if f.kind == "absolute"]
    if found and found[0].start - pos <= max_gap:
        f = found[0]
        return f.start, f.end, f.text, f.value
    return None


#: A quoted effective-date term anywhere: the contract defines its effective date (if no form here reads it, by
#: an event), so the agreement's own date is not taken for it.
_QUOTED_TERM = re.compile(_Q + r"(?:the\s+)?(?:" + _TERMS + r")" + _Q, re.I)


def _this_agreement_dates(text: str, order: DateOrder | None,
                          sentences: list[Sentence]) -> tuple[list[tuple[str, DefinedDate]], list[AgreementDate], bool]:
    """The clauses in which this agreement takes effect or dates itself (:func:`rules.text.effect_clauses`):
    (effective-date hits by form, the agreement's own dates, whether a clause starts it on an event)."""
    hits: list[tuple[str, DefinedDate]] = []
    dated: list[AgreementDate] = []
    event = False
    for s in sentences:
        for c in effect_clauses(s.text, s.start):
            got = _date_after(text, c.value_start, order, max_gap=0)
            if got is not None and other_document_before(text, got[0]) is None:
                a, b, written, value = got
                if c.dating:
                    dated.append(AgreementDate(s.start, s.end, a, b, written, value, as_of=c.as_of or c.kind == "effective"))
                if c.kind == "effective":
                    hits.append(("effective", DefinedDate(c.start, b, a, b, written, value, "effective", form="effective")))
                continue
            kind = start_kind(text, c)
            if kind == "reference" and c.kind == "effective":
                ref = _AGREEMENT_REF.match(text[c.value_start:c.value_start + 80])
                a, b = c.value_start + ref.start(), c.value_start + ref.end()
                hits.append(("reference", DefinedDate(c.start, b, a, b, text[a:b], None, "effective",
                                                      via_agreement_date=True, form="reference")))
            elif kind == "event" and c.kind == "effective" and not c.dating:
                # another start: "upon the first commercial sale", "on the date the Site becomes operational",
                # "immediately": the agreement's own date is then not its effective date
                event = True
    return hits, dated, event


def find_agreement_date(text: str, order: DateOrder | None = None,
                        sentences: list[Sentence] | None = None) -> AgreementDate | None:
    """The date ``text`` (a document's stored text) dates this agreement with: a clause whose subject is this
    agreement and whose verb is one of dating ("This Agreement is made and entered into as of May 31, 1999",
    "THIS SUPPLY AGREEMENT, dated as of the 1st day of June, 2003", "entered into effective as of ...");
    ``None`` when no clause does, or when two give different dates (not unambiguous). A date of another
    document ("the Supply Agreement dated May 8, 2008") is never one. ``sentences``: ``text`` already split."""
    _, dated, _ = _this_agreement_dates(text, order, split_sentences(text) if sentences is None else sentences)
    values = {d.value for d in dated}
    return dated[0] if dated and len(values) == 1 and None not in values else None


def find_effective_date(text: str, order: DateOrder | None = None,
                        sentences: list[Sentence] | None = None) -> DefinedDate | None:
    """The effective date ``text`` defines (see the module docstring for the forms), or ``None``.

    ``text`` is a document's stored text (offsets refer to it); ``order`` is the document's
    day/month order for numeric dates ("DMY"/"MDY", from :func:`rules.text.dates.decide_date_order`;
    ``None`` leaves a date like 01/02/2021 with ``value=None``); ``sentences``: ``text`` already split
    (:func:`rules.text.split_sentences`), split here when ``None``. Raises nothing.
    """
    hits: list[tuple[str, DefinedDate]] = []
    for m in _PAREN_DEF.finditer(text):
        if re.search(r"[A-Za-z]", m["pre"] or "") and not re.search(
                r"^\s*(?:hereinafter|such\s+date|which\s+date|referred|herein|the)\b", m["pre"] or "", re.I):
            continue  # "(the Rent "Commencement Date")" etc.: another date's term
        got = _date_before(text, m.start(), order)
        if got:
            a, b, written, value = got
            hits.append(("paren", DefinedDate(a, m.end(), a, b, written, value, " ".join(m["term"].split()))))
    for m in _MEANS_DEF.finditer(text):
        term = m["term"] or m["term2"]
        got = _date_after(text, m.end(), order)
        if got:
            a, b, written, value = got
            hits.append(("means", DefinedDate(m.start(), b, a, b, written, value, " ".join(term.split()), form="means")))
            continue
        ref = _AGREEMENT_REF.match(text[m.end():m.end() + 80])
        if ref:
            a, b = m.end() + ref.start(), m.end() + ref.end()
            hits.append(("reference", DefinedDate(m.start(), b, a, b, text[a:b], None, " ".join(term.split()),
                                                  via_agreement_date=True, form="reference")))
    for m in _LABEL_DEF.finditer(text):
        got = _date_after(text, m.end(), order, max_gap=0)
        if got:
            a, b, written, value = got
            hits.append(("label", DefinedDate(m.start(), b, a, b, written, value, " ".join(m["term3"].split()),
                                              form="label")))
    sentences = split_sentences(text) if sentences is None else sentences
    found, dated, event = _this_agreement_dates(text, order, sentences)
    hits += found
    last = last_signature_clause(text)
    if last is not None:
        sig = signature_dates(text, order, after=last[1]).latest
        a, b = (sig.start, sig.end) if sig is not None else last
        hits.append(("last_signature", DefinedDate(last[0], last[1], a, b, text[a:b], sig.value if sig else None,
                                                   "last signature", via_last_signature=True, form="last_signature")))
    values = {d.value for d in dated}
    if not hits and not event and len(values) == 1 and None not in values and not _QUOTED_TERM.search(text):
        d = dated[0]
        if d.as_of:  # "made as of <date>" and no other start stated: the agreement takes effect that day
            hits.append(("as_of", DefinedDate(d.start, d.end, d.value_start, d.value_end, d.text, d.value, "as of",
                                              form="as_of")))
    if not hits:
        return None
    form, best = min(hits, key=lambda fh: (_FORM_RANK[fh[0]], _TERM_RANK.get(fh[1].term.lower(), 3), fh[1].start))
    return best


def read_effective_date(x: ContractExtraction, ctx: DocumentContext) -> None:
    """Give ``x`` (a merged extraction, values read from their spans) the agreement date and the effective
    date the document states (:func:`find_agreement_date`, :func:`find_effective_date` with ``ctx.order``);
    mutates ``x``.

    - model gave no agreement date: ``x.agreement_date`` becomes the date this agreement dates itself with,
      ``computed=True`` with a note and grounded evidence; a different model value gets it as a candidate.
    - model gave no effective date: ``x.effective_date`` becomes the defined date, ``computed=True``
      (found by code, not stated by the model) with a note naming the definition, and evidence
      grounded in the document (page, offsets, rectangles, ``match=exact``). A definition by
      reference ("the date of this agreement") takes the agreement date's value and cites the
      definition; "effective on the last signature" takes the latest signature date when every signature
      date can be read, else nothing (rule D006 asks a reviewer). The dates of list items relative to the
      effective date are read again (:func:`pipeline.extraction.merge.read_list_dates`).
    - model gave a different date: the defined date is added to ``x.candidates["effective_date"]``
      so the conflict rule (C001) sends it to a reviewer; the model's value is kept.
    """
    agreed = find_agreement_date(ctx.text, ctx.order, ctx.sentences)
    if agreed is not None:
        _offer(x, "agreement_date", DateClaim(
            value=agreed.value, parsed=agreed.value, raw_text=agreed.text, evidence=agreed.evidence(ctx.doc),
            computed=True, note="found by code in the clause that dates this agreement; the model gave no agreement date"))
    found = find_effective_date(ctx.text, ctx.order, ctx.sentences)
    if found is None:
        return
    value = found.value
    note = f"found by code in the definition of {found.term!r}; the model gave no effective date"
    if found.form == "effective":
        note = "found by code in the clause in which this agreement takes effect; the model gave no effective date"
    elif found.form == "as_of":
        note = ("found by code: this agreement is made as of this date and states no other start; "
                "the model gave no effective date")
    elif found.via_last_signature:
        note = ("found by code: this agreement takes effect on its last signature, the latest of the signature "
                "dates; the model gave no effective date")
    if found.via_agreement_date:
        agr = x.agreement_date
        value = (agr.parsed or agr.value) if agr is not None else None
        note = (f"found by code: {found.term!r} is defined as {found.text!r}, which is the agreement date; "
                "the model gave no effective date")
    if value is None:
        return
    claim = DateClaim(value=value, parsed=value, raw_text=found.text, evidence=found.evidence(ctx.doc), computed=True,
                      note=note)
    if _offer(x, "effective_date", claim):
        read_list_dates(x)  # dates relative to the effective date can be computed now


def _offer(x: ContractExtraction, field: str, claim: DateClaim) -> bool:
    """Give ``x.<field>`` (a date) ``claim`` when the model gave none (returns True); when the model gave another
    date, add ``claim`` to ``x.candidates[field]`` after the model's value, with a note saying so."""
    cur = getattr(x, field)
    current = (cur.parsed or cur.value) if cur is not None else None
    if current is None:
        setattr(x, field, claim)
        return True
    if current != claim.value:
        claim.note = f"{claim.note.split(';')[0]}; differs from the model's {current.isoformat()}"
        x.candidates.setdefault(field, [cur.model_dump(mode="json")])
        x.candidates[field].append(claim.model_dump(mode="json"))
    return False


READER = Reader("defined_dates", ("agreement_date", "candidates.agreement_date", "effective_date",
                                  "candidates.effective_date"), read_effective_date)


def fill_effective_date(x: ContractExtraction, doc: SourceDocument) -> None:
    """This reader alone on ``doc`` (:func:`read_effective_date` with the day/month order
    ``x.date_order``), then the values that depend on the effective date: a missing expiration date
    is computed from the filled date + initial term
    (:func:`pipeline.extraction.readers.base.fill_dependent_values`). Mutates ``x``."""
    apply_readers(x, doc, (READER,))
