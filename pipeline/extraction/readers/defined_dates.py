"""The effective date as the contract itself defines it, found by code.

Small models leave the effective date out far more often than any other field they can see (the
recorded answers of the default 1.5B model: 0 of 3 samples, 0 of 8 CUAD contracts), although
contracts define it in a few fixed forms. Those forms are read here, deterministically:

- a date followed by its definition: ``as of March 1, 2024 (the "Effective Date")``,
  ``dated 1 June 2021 ("Commencement Date")``;
- a definition followed by a date: ``"Effective Date" means 1 June 2021``,
  ``"Commencement Date": 1 June 2021``, ``the Effective Date of this Agreement is June 1, 2021``;
- a definition by reference to the date of the agreement: ``"Commencement Date": the date of this
  agreement`` / ``the date hereof`` / ``the date first written above`` (the value is then the
  agreement date, ``via_agreement_date=True``);
- ``effective as of|on|from <date>`` (``This Agreement is effective as of 1 June 2021``);
- a key-terms line starting with the term: ``Effective Date: 1 June 2021``,
  ``Subscription Start Date: March 1st, 2021``.

The defined terms accepted are :data:`pipeline.extraction.anchors.EFFECTIVE_TERMS` (the names
contracts give the day the term starts). Curly and straight quotes are both read. Of the forms
found, an explicit definition beats a reference to the agreement date, which beats "effective as
of"; then "Effective Date" beats "Commencement Date" beats "Start Date"; then the earliest wins.

The reader (:data:`READER`) gives the extraction this date when the model gave none, or adds it as
a candidate when the model gave another.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from pipeline.extraction.anchors import EFFECTIVE_TERMS_RE, TERM_QUALIFIER_RE
from pipeline.extraction.merge import read_list_dates
from pipeline.extraction.readers.base import DocumentContext, Located, Reader, apply_readers
from rules.text import DateOrder, find_dates
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
_AGREEMENT_REF = re.compile(
    r"^(?:the\s+)?date\s+(?:of\s+this\s+(?:agreement|contract|deed)|hereof|first\s+(?:written|set\s+(?:out|forth)|stated|"
    r"mentioned)\s+above|on\s+which\s+this\s+(?:agreement|contract)\s+is\s+dated)",
    re.IGNORECASE,
)
# "This Agreement is effective as of <date>", "shall take effect on", "comes into force on", "to be effective
# <date>": only when the sentence's subject is the agreement itself (checked in find_effective_date), so a
# termination, a price change or an earlier agreement "effective as of" is not read as this contract's date
_EFFECTIVE_AS_OF = re.compile(
    r"\b(?:effective\s+(?:as\s+(?:of|from)|on|from)?|take[s]?\s+effect\s+(?:on|from|as\s+of)|commence[sd]?\s+on|"
    r"begins?\s+on|"
    r"come[s]?\s+into\s+(?:force|effect)\s+(?:on|from|as\s+of))\s*(?:the\s+)?",
    re.IGNORECASE,
)
_AGREEMENT_SUBJECT = re.compile(r"\b(?:this|the\s+present)\s+(?:agreement|contract)\b(?![^.;]*\b(?:terminat|amend)\w*\b[^.;]*$)",
                                re.IGNORECASE)
_NOT_THIS_CONTRACT = re.compile(r"\b(?:terminat\w*|amendment|previously|entered\s+into\s+an?|price|prices|fees?|rates?)\b",
                                re.IGNORECASE)
#: Rank of each form (lower wins) and of each term: an explicit definition beats "effective as of".
_FORM_RANK = {"paren": 0, "means": 0, "label": 0, "reference": 1, "effective": 2}
_TERM_RANK = {"effective date": 0, "commencement date": 1, "start date": 2, "effective": 3}
#: Text allowed between a date and the parenthesised definition that follows it.
_GAP = re.compile(r"^[\s,]*$")


@dataclass(frozen=True)
class DefinedDate(Located):
    """The effective date a contract defines.

    ``value``: the date (ISO 8601), ``None`` when the definition refers to the agreement date
    (``via_agreement_date``) or its date could not be read; ``term``: the defined term as written
    ("Effective Date"); ``start``/``end``: offsets in the searched text of the whole definition
    (date and term); ``value_start``/``value_end``: offsets of the date as written (or of the
    reference "the date of this agreement"); ``text``: the date or reference as written.
    """

    value: dt.date | None
    term: str
    via_agreement_date: bool = False


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


def find_effective_date(text: str, order: DateOrder | None = None) -> DefinedDate | None:
    """The effective date ``text`` defines (see the module docstring for the forms), or ``None``.

    ``text`` is a document's stored text (offsets refer to it); ``order`` is the document's
    day/month order for numeric dates ("DMY"/"MDY", from :func:`rules.text.dates.decide_date_order`;
    ``None`` leaves a date like 01/02/2021 with ``value=None``). Raises nothing.
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
            hits.append(("means", DefinedDate(m.start(), b, a, b, written, value, " ".join(term.split()))))
            continue
        ref = _AGREEMENT_REF.match(text[m.end():m.end() + 80])
        if ref:
            a, b = m.end() + ref.start(), m.end() + ref.end()
            hits.append(("reference", DefinedDate(m.start(), b, a, b, text[a:b], None, " ".join(term.split()),
                                                  via_agreement_date=True)))
    for m in _LABEL_DEF.finditer(text):
        got = _date_after(text, m.end(), order, max_gap=0)
        if got:
            a, b, written, value = got
            hits.append(("label", DefinedDate(m.start(), b, a, b, written, value, " ".join(m["term3"].split()))))
    for m in _EFFECTIVE_AS_OF.finditer(text):
        sentence_start = max(text.rfind(".", 0, m.start()), text.rfind(";", 0, m.start()), text.rfind("\n\n", 0, m.start()))
        before = text[sentence_start + 1:m.start()]
        if not _AGREEMENT_SUBJECT.search(before) or _NOT_THIS_CONTRACT.search(before):
            continue
        got = _date_after(text, m.end(), order, max_gap=0)
        if got:
            a, b, written, value = got
            hits.append(("effective", DefinedDate(m.start(), b, a, b, written, value, "effective")))
    if not hits:
        return None
    form, best = min(hits, key=lambda fh: (_FORM_RANK[fh[0]], _TERM_RANK.get(fh[1].term.lower(), 3), fh[1].start))
    return best


def read_effective_date(x: ContractExtraction, ctx: DocumentContext) -> None:
    """Give ``x`` (a merged extraction, values read from their spans) the effective date the document
    defines (:func:`find_effective_date` with ``ctx.order``); mutates ``x``.

    - model gave no effective date: ``x.effective_date`` becomes the defined date, ``computed=True``
      (found by code, not stated by the model) with a note naming the definition, and evidence
      grounded in the document (page, offsets, rectangles, ``match=exact``). A definition by
      reference ("the date of this agreement") takes the agreement date's value and cites the
      definition. The dates of list items relative to the effective date are read again
      (:func:`pipeline.extraction.merge.read_list_dates`).
    - model gave a different date: the defined date is added to ``x.candidates["effective_date"]``
      so the conflict rule (C001) sends it to a reviewer; the model's value is kept.
    """
    found = find_effective_date(ctx.text, ctx.order)
    if found is None:
        return
    value = found.value
    note = f"found by code in the definition of {found.term!r}; the model gave no effective date"
    if found.via_agreement_date:
        agr = x.agreement_date
        value = (agr.parsed or agr.value) if agr is not None else None
        note = (f"found by code: {found.term!r} is defined as {found.text!r}, which is the agreement date; "
                "the model gave no effective date")
    if value is None:
        return
    claim = DateClaim(value=value, parsed=value, raw_text=found.text, evidence=found.evidence(ctx.doc), computed=True,
                      note=note)
    cur = x.effective_date
    current = (cur.parsed or cur.value) if cur is not None else None
    if current is None:
        x.effective_date = claim
        read_list_dates(x)  # dates relative to the effective date can be computed now
    elif current != value:
        claim.note = f"found by code in the definition of {found.term!r}; differs from the model's {current.isoformat()}"
        x.candidates.setdefault("effective_date", [cur.model_dump(mode="json")])
        x.candidates["effective_date"].append(claim.model_dump(mode="json"))


READER = Reader("defined_dates", ("effective_date", "candidates.effective_date"), read_effective_date)


def fill_effective_date(x: ContractExtraction, doc: SourceDocument) -> None:
    """This reader alone on ``doc`` (:func:`read_effective_date` with the day/month order
    ``x.date_order``), then the values that depend on the effective date: a missing expiration date
    is computed from the filled date + initial term
    (:func:`pipeline.extraction.readers.base.fill_dependent_values`). Mutates ``x``."""
    apply_readers(x, doc, (READER,))
